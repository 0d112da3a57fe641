// Tests for the toy-language task: the dictionary, translations of hand-written sentences,
// the text formats, and the grammar, word order and gold links of generated pairs.
//
// Generated pairs are checked through the test's own parser of the source side (it only
// reads the dictionary's word lists) and their links; the golden strings were computed by
// hand (translations) and by an independent port of the sampling (generated pairs).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "data/toy_language.h"
#include "util/error.h"
#include "util/strings.h"

namespace heed {
namespace {

std::vector<std::string> words(const std::string& text) { return split_words(text); }

// ---------------------------------------------------------------------------
// The test's own parser of a source sentence.

struct ParsedPhrase {
  size_t determiner = 0;           // source position of "the" / "a"
  std::vector<size_t> adjectives;  // source positions, in source order
  size_t noun = 0;                 // source position
  ToyNounPhrase phrase;            // the same as dictionary indices
};

struct ParsedSentence {
  ParsedPhrase subject;
  size_t verb = 0;  // source position
  ParsedPhrase object;
  bool has_prepositional_phrase = false;
  std::vector<size_t> preposition;  // source positions: one word, or two for "next to"
  ParsedPhrase prepositional_object;
  ToySentence sentence;
};

// One-word entries: word -> index in the list.
std::map<std::string, size_t> index_of(const std::vector<ToyWord>& list) {
  std::map<std::string, size_t> out;
  for (size_t i = 0; i < list.size(); ++i) out[list[i].source] = i;
  return out;
}

bool parse_phrase(const std::vector<std::string>& w, size_t& i, ParsedPhrase& out) {
  static const std::map<std::string, size_t> nouns = index_of(toy_lexicon().nouns);
  static const std::map<std::string, size_t> adjectives = index_of(toy_lexicon().adjectives);
  if (i >= w.size() || (w[i] != "the" && w[i] != "a")) return false;
  out.phrase.definite = w[i] == "the";
  out.determiner = i++;
  while (i < w.size() && adjectives.count(w[i]) > 0) {
    out.adjectives.push_back(i);
    out.phrase.adjectives.push_back(adjectives.at(w[i]));
    ++i;
  }
  if (i >= w.size() || nouns.count(w[i]) == 0) return false;
  out.noun = i;
  out.phrase.noun = nouns.at(w[i]);
  ++i;
  return true;
}

std::optional<ParsedSentence> parse_source(const std::string& source) {
  static const std::map<std::string, size_t> verbs = index_of(toy_lexicon().verbs);
  const std::vector<std::string> w = words(source);
  ParsedSentence out;
  size_t i = 0;
  if (!parse_phrase(w, i, out.subject)) return std::nullopt;
  if (i >= w.size() || verbs.count(w[i]) == 0) return std::nullopt;
  out.verb = i;
  out.sentence.verb = verbs.at(w[i]);
  ++i;
  if (!parse_phrase(w, i, out.object)) return std::nullopt;
  out.sentence.subject = out.subject.phrase;
  out.sentence.object = out.object.phrase;
  if (i == w.size()) return out;
  const std::vector<ToyWord>& prepositions = toy_lexicon().prepositions;
  for (size_t p = 0; p < prepositions.size() && !out.has_prepositional_phrase; ++p) {
    const std::vector<std::string> pw = words(prepositions[p].source);
    if (i + pw.size() > w.size()) continue;
    if (!std::equal(pw.begin(), pw.end(), w.begin() + static_cast<std::ptrdiff_t>(i))) continue;
    out.has_prepositional_phrase = true;
    for (size_t k = 0; k < pw.size(); ++k) out.preposition.push_back(i + k);
    i += pw.size();
    ToyPrepositionalPhrase phrase;
    phrase.preposition = p;
    if (!parse_phrase(w, i, out.prepositional_object)) return std::nullopt;
    phrase.object = out.prepositional_object.phrase;
    out.sentence.prepositional_phrase = phrase;
  }
  if (!out.has_prepositional_phrase || i != w.size()) return std::nullopt;
  return out;
}

// Target positions linked to each source position (ascending).
std::vector<std::vector<size_t>> targets_of(const AlignedPair& p) {
  std::vector<std::vector<size_t>> out(words(p.pair.source).size());
  for (const AlignmentLink& link : p.links) {
    if (static_cast<size_t>(link.source) < out.size()) out[link.source].push_back(link.target);
  }
  for (auto& t : out) std::sort(t.begin(), t.end());
  return out;
}

// Source word -> its entry's target words ("next" and "to" -> "bok").
std::map<std::string, std::vector<std::string>> dictionary() {
  const ToyLexicon& lexicon = toy_lexicon();
  std::map<std::string, std::vector<std::string>> out;
  for (const auto* list : {&lexicon.nouns, &lexicon.verbs, &lexicon.adjectives, &lexicon.prepositions}) {
    for (const ToyWord& entry : *list) {
      for (const std::string& w : words(entry.source)) out[w] = words(entry.target);
    }
  }
  out["the"] = words(lexicon.definite.target);
  out["a"] = words(lexicon.indefinite.target);
  return out;
}

ToyLanguageOptions options_with(size_t min_adjectives, size_t max_adjectives, double rate) {
  ToyLanguageOptions o;
  o.min_adjectives = min_adjectives;
  o.max_adjectives = max_adjectives;
  o.prepositional_phrase_rate = rate;
  return o;
}

// ---------------------------------------------------------------------------
// The dictionary

TEST(ToyLexicon, SizesAndMultiWordEntries) {
  const ToyLexicon& lexicon = toy_lexicon();
  ASSERT_EQ(lexicon.nouns.size(), 20u);
  ASSERT_EQ(lexicon.verbs.size(), 12u);
  ASSERT_EQ(lexicon.adjectives.size(), 10u);
  ASSERT_EQ(lexicon.prepositions.size(), 6u);
  for (size_t i = 0; i < lexicon.nouns.size(); ++i) {
    const std::vector<std::string> t = words(lexicon.nouns[i].target);
    EXPECT_EQ(words(lexicon.nouns[i].source).size(), 1u);
    if (i < 5) {
      ASSERT_EQ(t.size(), 2u) << lexicon.nouns[i].source;
      EXPECT_EQ(t[1], "tul");
    } else {
      EXPECT_EQ(t.size(), 1u) << lexicon.nouns[i].source;
    }
  }
  for (size_t i = 0; i < lexicon.verbs.size(); ++i) {
    const std::vector<std::string> t = words(lexicon.verbs[i].target);
    if (i >= 8) {
      ASSERT_EQ(t.size(), 2u) << lexicon.verbs[i].source;
      EXPECT_EQ(t[1], "ira");
    } else {
      EXPECT_EQ(t.size(), 1u) << lexicon.verbs[i].source;
    }
  }
  for (const ToyWord& a : lexicon.adjectives) {
    EXPECT_EQ(words(a.source).size(), 1u);
    EXPECT_EQ(words(a.target).size(), 1u);
  }
  for (size_t i = 0; i < lexicon.prepositions.size(); ++i) {
    EXPECT_EQ(words(lexicon.prepositions[i].source).size(), i == 5 ? 2u : 1u);
    EXPECT_EQ(words(lexicon.prepositions[i].target).size(), 1u);
  }
  EXPECT_EQ(lexicon.prepositions[5].source, "next to");
  EXPECT_EQ(lexicon.prepositions[5].target, "bok");
  EXPECT_EQ(lexicon.definite.source, "the");
  EXPECT_EQ(lexicon.definite.target, "ko");
  EXPECT_EQ(lexicon.indefinite.source, "a");
  EXPECT_EQ(lexicon.indefinite.target, "");
}

TEST(ToyLexicon, WordsBelongToOneEntryExceptClassifierAndAuxiliary) {
  const ToyLexicon& lexicon = toy_lexicon();
  std::map<std::string, size_t> source_uses, target_uses;
  for (const auto* list : {&lexicon.nouns, &lexicon.verbs, &lexicon.adjectives, &lexicon.prepositions}) {
    for (const ToyWord& entry : *list) {
      for (const std::string& w : words(entry.source)) ++source_uses[w];
      for (const std::string& w : words(entry.target)) ++target_uses[w];
    }
  }
  for (const ToyWord* entry : {&lexicon.definite, &lexicon.indefinite}) {
    for (const std::string& w : words(entry->source)) ++source_uses[w];
    for (const std::string& w : words(entry->target)) ++target_uses[w];
  }
  EXPECT_EQ(source_uses.size(), 20u + 12u + 10u + 7u + 2u);  // "next to" is two words
  for (const auto& [w, n] : source_uses) EXPECT_EQ(n, 1u) << w;
  for (const auto& [w, n] : target_uses) {
    if (w == "tul") {
      EXPECT_EQ(n, 5u);
    } else if (w == "ira") {
      EXPECT_EQ(n, 4u);
    } else {
      EXPECT_EQ(n, 1u) << w;
    }
  }
  EXPECT_EQ(target_uses.size(), 20u + 12u + 10u + 6u + 1u + 2u);  // + "ko", "tul", "ira"
}

// ---------------------------------------------------------------------------
// Hand-written sentences

TEST(TranslateToySentence, EveryKindOfWord) {
  ToySentence s;
  s.subject = {/*definite=*/true, /*adjectives=*/{0, 4}, /*noun=*/0};  // the big red dog
  s.verb = 10;                                                         // visits
  s.object = {false, {1}, 11};                                         // a small house
  s.prepositional_phrase = ToyPrepositionalPhrase{5, {true, {}, 12}};  // next to the river
  const AlignedPair p = translate_toy_sentence(s);
  EXPECT_EQ(p.pair.source, "the big red dog visits a small house next to the river");
  EXPECT_EQ(p.pair.target, "wuro tul roja gran ko ossin ko bok temak mali hom ira");
  const std::string expected = "3-0 3-1 2-2 1-3 0-4 11-5 10-6 8-7 9-7 7-8 6-9 4-10 4-11";
  EXPECT_EQ(pharaoh_links(p.links), expected);
  EXPECT_EQ(pharaoh_alignment(p.links), expected);  // already sorted by target, then source
}

TEST(TranslateToySentence, IndefiniteArticleIsDropped) {
  ToySentence s;
  s.subject = {false, {}, 1};  // a cat
  s.verb = 0;                  // sees
  s.object = {true, {}, 13};   // the book
  const AlignedPair p = translate_toy_sentence(s);
  EXPECT_EQ(p.pair.source, "a cat sees the book");
  EXPECT_EQ(p.pair.target, "mensi tul kirat ko mirat");
  EXPECT_EQ(pharaoh_alignment(p.links), "1-0 1-1 4-2 3-3 2-4");
}

TEST(TranslateToySentence, AdjectivesAreMirrored) {
  ToySentence s;
  s.subject = {true, {2, 4, 1}, 8};  // the old red small king
  s.verb = 1;                        // likes
  s.object = {false, {}, 14};        // a stone
  const AlignedPair p = translate_toy_sentence(s);
  EXPECT_EQ(p.pair.source, "the old red small king likes a stone");
  EXPECT_EQ(p.pair.target, "rasek mali roja stari ko pedra amou");
  EXPECT_EQ(pharaoh_alignment(p.links), "4-0 3-1 2-2 1-3 0-4 7-5 5-6");
}

TEST(TranslateToySentence, RejectsIndicesOutOfRange) {
  ToySentence s;
  s.subject = {true, {}, 20};
  EXPECT_THROW(translate_toy_sentence(s), std::invalid_argument);
  s.subject = {true, {10}, 0};
  EXPECT_THROW(translate_toy_sentence(s), std::invalid_argument);
  s.subject = {true, {9}, 19};
  s.verb = 12;
  EXPECT_THROW(translate_toy_sentence(s), std::invalid_argument);
  s.verb = 11;
  s.prepositional_phrase = ToyPrepositionalPhrase{6, {true, {}, 0}};
  EXPECT_THROW(translate_toy_sentence(s), std::invalid_argument);
  s.prepositional_phrase->preposition = 5;
  EXPECT_NO_THROW(translate_toy_sentence(s));
}

// ---------------------------------------------------------------------------
// Text formats

TEST(PharaohLinks, SortedByTargetThenSource) {
  EXPECT_EQ(pharaoh_links({}), "");
  EXPECT_EQ(pharaoh_links({{3, 4}}), "3-4");
  EXPECT_EQ(pharaoh_links({{2, 1}, {0, 0}, {1, 1}, {0, 2}, {5, 0}}), "0-0 5-0 1-1 2-1 0-2");
  EXPECT_EQ(pharaoh_links({{9, 12}, {10, 2}}), "10-2 9-12");
  EXPECT_EQ(pharaoh_links({{1, 1}, {1, 1}}), "1-1 1-1");  // duplicates kept
}

TEST(ToyLanguageText, PairsAndAlignmentLines) {
  EXPECT_EQ(to_pairs_text({}), "");
  EXPECT_EQ(to_pairs_text({{"a b", "c"}, {"x\ty", "z\nw"}}), "a b ||| c\nx y ||| z w\n");
  AlignedPair first;
  first.links = {{1, 1}, {0, 0}};
  const AlignedPair empty{};
  EXPECT_EQ(to_alignments_text({first, empty, first}), "0-0 1-1\n\n0-0 1-1\n");
  EXPECT_EQ(to_alignments_text({}), "");
}

// ---------------------------------------------------------------------------
// Generated pairs

TEST(GenerateToyLanguage, Golden) {
  const std::vector<AlignedPair> pairs = generate_toy_language(3, 1);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].pair.source, "the tree watches the horse");
  EXPECT_EQ(pairs[0].pair.target, "balu ko koval tul ko gleda");
  EXPECT_EQ(pharaoh_links(pairs[0].links), "1-0 0-1 4-2 4-3 3-4 2-5");
  EXPECT_EQ(pairs[1].pair.source, "the happy horse helps a big old road");
  EXPECT_EQ(pairs[1].pair.target, "koval tul fela ko vetra stari gran pomag");
  EXPECT_EQ(pharaoh_links(pairs[1].links), "2-0 2-1 1-2 0-3 7-4 6-5 5-6 3-7");
  EXPECT_EQ(pairs[2].pair.source, "the quiet green child chases the tree");
  EXPECT_EQ(pairs[2].pair.target, "nibo verdi tiho ko balu ko gonat ira");
  EXPECT_EQ(pharaoh_links(pairs[2].links), "3-0 2-1 1-2 0-3 6-4 5-5 4-6 4-7");
}

TEST(GenerateToyLanguage, GoldenWithPrepositionalPhrases) {
  const std::vector<AlignedPair> pairs = generate_toy_language(2, 7, options_with(0, 2, 1.0));
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].pair.source, "a city watches a horse behind the garden");
  EXPECT_EQ(pairs[0].pair.target, "polun jardu ko zad koval tul gleda");
  EXPECT_EQ(pharaoh_links(pairs[0].links), "1-0 7-1 6-2 5-3 4-4 4-5 2-6");
  EXPECT_EQ(pairs[1].pair.source, "a river helps a doctor near the table");
  EXPECT_EQ(pairs[1].pair.target, "ossin mesal ko pres medor pomag");
  EXPECT_EQ(pharaoh_links(pairs[1].links), "1-0 7-1 6-2 5-3 4-4 2-5");
}

TEST(GenerateToyLanguage, DeterministicPrefixAndSeedSensitive) {
  const auto a = generate_toy_language(200, 77);
  const auto b = generate_toy_language(200, 77);
  const auto prefix = generate_toy_language(20, 77);
  const auto c = generate_toy_language(200, 78);
  ASSERT_EQ(a.size(), 200u);
  ASSERT_EQ(b.size(), 200u);
  ASSERT_EQ(c.size(), 200u);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].pair.source, b[i].pair.source);
    EXPECT_EQ(a[i].pair.target, b[i].pair.target);
    EXPECT_EQ(a[i].links, b[i].links);
    if (i < prefix.size()) {
      EXPECT_EQ(prefix[i].pair.source, a[i].pair.source);
      EXPECT_EQ(prefix[i].links, a[i].links);
    }
    same += a[i].pair.source == c[i].pair.source;
  }
  EXPECT_LT(same, 5u);
  EXPECT_TRUE(generate_toy_language(0, 77).empty());
}

TEST(GenerateToyLanguage, SourcesFollowTheGrammar) {
  const ToyLexicon& lexicon = toy_lexicon();
  const auto pairs = generate_toy_language(3000, 2024);
  std::set<size_t> nouns, verbs, adjectives, prepositions, adjective_counts;
  std::set<bool> articles;
  size_t with_phrase = 0;
  for (const AlignedPair& p : pairs) {
    const std::optional<ParsedSentence> parsed = parse_source(p.pair.source);
    ASSERT_TRUE(parsed.has_value()) << p.pair.source;
    const ToySentence& s = parsed->sentence;
    // Content words occur at most once per sentence.
    std::vector<size_t> sentence_nouns = {s.subject.noun, s.object.noun};
    std::vector<size_t> sentence_adjectives = s.subject.adjectives;
    sentence_adjectives.insert(sentence_adjectives.end(), s.object.adjectives.begin(),
                               s.object.adjectives.end());
    for (const ToyNounPhrase* phrase : {&s.subject, &s.object}) {
      ASSERT_LE(phrase->adjectives.size(), 2u) << p.pair.source;
      adjective_counts.insert(phrase->adjectives.size());
      articles.insert(phrase->definite);
    }
    if (s.prepositional_phrase) {
      ++with_phrase;
      EXPECT_TRUE(s.prepositional_phrase->object.adjectives.empty()) << p.pair.source;
      sentence_nouns.push_back(s.prepositional_phrase->object.noun);
      prepositions.insert(s.prepositional_phrase->preposition);
    }
    EXPECT_EQ(std::set<size_t>(sentence_nouns.begin(), sentence_nouns.end()).size(),
              sentence_nouns.size()) << p.pair.source;
    EXPECT_EQ(std::set<size_t>(sentence_adjectives.begin(), sentence_adjectives.end()).size(),
              sentence_adjectives.size()) << p.pair.source;
    nouns.insert(sentence_nouns.begin(), sentence_nouns.end());
    adjectives.insert(sentence_adjectives.begin(), sentence_adjectives.end());
    verbs.insert(s.verb);
    // The generated pair is the translation of the sentence its source parses to.
    const AlignedPair again = translate_toy_sentence(s);
    EXPECT_EQ(again.pair.source, p.pair.source);
    EXPECT_EQ(again.pair.target, p.pair.target);
    EXPECT_EQ(again.links, p.links);
  }
  EXPECT_EQ(nouns.size(), lexicon.nouns.size());
  EXPECT_EQ(verbs.size(), lexicon.verbs.size());
  EXPECT_EQ(adjectives.size(), lexicon.adjectives.size());
  EXPECT_EQ(prepositions.size(), lexicon.prepositions.size());
  EXPECT_EQ(adjective_counts, (std::set<size_t>{0, 1, 2}));
  EXPECT_EQ(articles.size(), 2u);
  // Rate 0.3 over 3000 sentences: about 900 (sd ~25).
  EXPECT_GT(with_phrase, 780u);
  EXPECT_LT(with_phrase, 1020u);
}

TEST(GenerateToyLanguage, GoldLinksFollowTheDictionary) {
  const std::map<std::string, std::vector<std::string>> dict = dictionary();
  for (const AlignedPair& p : generate_toy_language(2000, 31, options_with(0, 3, 0.5))) {
    const std::vector<std::string> src = words(p.pair.source);
    const std::vector<std::string> tgt = words(p.pair.target);
    std::vector<std::vector<size_t>> sources_of_target(tgt.size());
    std::set<std::pair<int64_t, int64_t>> distinct;
    for (const AlignmentLink& link : p.links) {
      ASSERT_LT(static_cast<size_t>(link.source), src.size()) << p.pair.source;
      ASSERT_LT(static_cast<size_t>(link.target), tgt.size()) << p.pair.target;
      EXPECT_TRUE(distinct.insert({link.source, link.target}).second) << "duplicate link";
      sources_of_target[link.target].push_back(link.source);
      // The target word is a word of the source word's dictionary entry.
      const std::vector<std::string>& entry = dict.at(src[link.source]);
      EXPECT_NE(std::find(entry.begin(), entry.end(), tgt[link.target]), entry.end())
          << src[link.source] << " -> " << tgt[link.target];
    }
    // Every target word has exactly one source word, except "bok" ("next to").
    for (size_t t = 0; t < tgt.size(); ++t) {
      if (tgt[t] == "bok") {
        ASSERT_EQ(sources_of_target[t].size(), 2u);
        std::sort(sources_of_target[t].begin(), sources_of_target[t].end());
        EXPECT_EQ(src[sources_of_target[t][0]], "next");
        EXPECT_EQ(src[sources_of_target[t][1]], "to");
        EXPECT_EQ(sources_of_target[t][1], sources_of_target[t][0] + 1);
      } else {
        EXPECT_EQ(sources_of_target[t].size(), 1u) << p.pair.target << " @" << t;
      }
    }
    // A source word has as many links as its entry has target words ("a": none), to
    // adjacent target words ("next" and "to": one each).
    const std::vector<std::vector<size_t>> targets = targets_of(p);
    for (size_t s = 0; s < src.size(); ++s) {
      const size_t expected = src[s] == "next" || src[s] == "to" ? 1 : dict.at(src[s]).size();
      ASSERT_EQ(targets[s].size(), expected) << p.pair.source << " @" << s;
      if (src[s] == "a") {
        EXPECT_TRUE(targets[s].empty());
      }
      for (size_t k = 1; k < targets[s].size(); ++k) EXPECT_EQ(targets[s][k], targets[s][k - 1] + 1);
    }
    EXPECT_EQ(pharaoh_alignment(p.links), pharaoh_links(p.links));  // in the order given = sorted, as promised
  }
}

// Target positions of a phrase's words in target order: noun, adjectives mirrored, "ko".
std::vector<size_t> phrase_targets(const ParsedPhrase& phrase,
                                   const std::vector<std::vector<size_t>>& targets) {
  std::vector<size_t> out = targets[phrase.noun];
  for (auto it = phrase.adjectives.rbegin(); it != phrase.adjectives.rend(); ++it) {
    out.insert(out.end(), targets[*it].begin(), targets[*it].end());
  }
  const std::vector<size_t>& determiner = targets[phrase.determiner];  // empty for "a"
  out.insert(out.end(), determiner.begin(), determiner.end());
  return out;
}

TEST(GenerateToyLanguage, TargetWordOrder) {
  size_t checked_adjectives = 0;
  for (const AlignedPair& p : generate_toy_language(2000, 5, options_with(0, 3, 0.5))) {
    const std::optional<ParsedSentence> parsed = parse_source(p.pair.source);
    ASSERT_TRUE(parsed.has_value()) << p.pair.source;
    const std::vector<std::vector<size_t>> targets = targets_of(p);
    const size_t target_length = words(p.pair.target).size();
    // Verb-final: the verb's translation is the last target word(s).
    const std::vector<size_t>& verb = targets[parsed->verb];
    ASSERT_FALSE(verb.empty());
    EXPECT_EQ(verb.back(), target_length - 1) << p.pair.target;
    EXPECT_EQ(verb.front(), target_length - verb.size()) << p.pair.target;
    // Adjectives follow their noun's translation.
    for (const ParsedPhrase* phrase : {&parsed->subject, &parsed->object}) {
      for (size_t a : phrase->adjectives) {
        EXPECT_GT(targets[a].front(), targets[phrase->noun].back()) << p.pair.target;
        ++checked_adjectives;
      }
    }
    // The whole order: subject, [prepositional object, postposition], object, verb.
    std::vector<size_t> order = phrase_targets(parsed->subject, targets);
    if (parsed->has_prepositional_phrase) {
      const std::vector<size_t> inner = phrase_targets(parsed->prepositional_object, targets);
      order.insert(order.end(), inner.begin(), inner.end());
      order.push_back(targets[parsed->preposition.front()].front());
    }
    const std::vector<size_t> object = phrase_targets(parsed->object, targets);
    order.insert(order.end(), object.begin(), object.end());
    order.insert(order.end(), verb.begin(), verb.end());
    ASSERT_EQ(order.size(), target_length) << p.pair.target;
    for (size_t t = 0; t < order.size(); ++t) EXPECT_EQ(order[t], t) << p.pair.target;
  }
  EXPECT_GT(checked_adjectives, 1000u);
}

TEST(GenerateToyLanguage, OneToManyWords) {
  const ToyLexicon& lexicon = toy_lexicon();
  std::set<std::string> animals, compound_verbs;
  for (size_t i = 0; i < 5; ++i) animals.insert(lexicon.nouns[i].source);
  for (size_t i = 8; i < 12; ++i) compound_verbs.insert(lexicon.verbs[i].source);
  size_t seen_animals = 0, seen_verbs = 0, seen_next_to = 0;
  for (const AlignedPair& p : generate_toy_language(1000, 9)) {
    const std::vector<std::string> src = words(p.pair.source);
    const std::vector<std::string> tgt = words(p.pair.target);
    const std::vector<std::vector<size_t>> targets = targets_of(p);
    for (size_t s = 0; s < src.size(); ++s) {
      if (animals.count(src[s]) > 0) {
        ++seen_animals;
        ASSERT_EQ(targets[s].size(), 2u) << p.pair.source;
        EXPECT_EQ(targets[s][1], targets[s][0] + 1);
        EXPECT_EQ(tgt[targets[s][1]], "tul");
      }
      if (compound_verbs.count(src[s]) > 0) {
        ++seen_verbs;
        ASSERT_EQ(targets[s].size(), 2u) << p.pair.source;
        EXPECT_EQ(targets[s][0], tgt.size() - 2);
        EXPECT_EQ(targets[s][1], tgt.size() - 1);
        EXPECT_EQ(tgt.back(), "ira");
      }
      if (src[s] == "next") {
        ++seen_next_to;
        ASSERT_LT(s + 1, src.size());
        EXPECT_EQ(src[s + 1], "to");
        ASSERT_EQ(targets[s].size(), 1u);
        EXPECT_EQ(targets[s + 1], targets[s]);
        EXPECT_EQ(tgt[targets[s][0]], "bok");
      }
    }
  }
  EXPECT_GT(seen_animals, 200u);  // about 2 nouns x 5/20 x 1000
  EXPECT_GT(seen_verbs, 250u);    // about 4/12 x 1000
  EXPECT_GT(seen_next_to, 20u);   // about 0.3 x 1/6 x 1000
}

TEST(GenerateToyLanguage, OptionsShapeTheSentences) {
  for (const AlignedPair& p : generate_toy_language(200, 3, options_with(0, 0, 0.0))) {
    const std::optional<ParsedSentence> parsed = parse_source(p.pair.source);
    ASSERT_TRUE(parsed.has_value()) << p.pair.source;
    EXPECT_EQ(words(p.pair.source).size(), 5u) << p.pair.source;
    EXPECT_FALSE(parsed->has_prepositional_phrase);
  }
  for (const AlignedPair& p : generate_toy_language(200, 3, options_with(2, 2, 1.0))) {
    const std::optional<ParsedSentence> parsed = parse_source(p.pair.source);
    ASSERT_TRUE(parsed.has_value()) << p.pair.source;
    EXPECT_TRUE(parsed->has_prepositional_phrase);
    EXPECT_EQ(parsed->subject.adjectives.size(), 2u);
    EXPECT_EQ(parsed->object.adjectives.size(), 2u);
    EXPECT_TRUE(parsed->prepositional_object.adjectives.empty());
  }
  // Five adjectives per phrase: all ten, each once, in every sentence.
  for (const AlignedPair& p : generate_toy_language(50, 3, options_with(5, 5, 0.3))) {
    const std::optional<ParsedSentence> parsed = parse_source(p.pair.source);
    ASSERT_TRUE(parsed.has_value()) << p.pair.source;
    std::set<size_t> all(parsed->sentence.subject.adjectives.begin(),
                         parsed->sentence.subject.adjectives.end());
    all.insert(parsed->sentence.object.adjectives.begin(), parsed->sentence.object.adjectives.end());
    EXPECT_EQ(all.size(), 10u) << p.pair.source;
  }
}

TEST(GenerateToyLanguage, RejectsBadOptions) {
  EXPECT_THROW(generate_toy_language(1, 1, options_with(3, 2, 0.3)), Error);
  EXPECT_THROW(generate_toy_language(1, 1, options_with(0, 6, 0.3)), Error);
  EXPECT_THROW(generate_toy_language(1, 1, options_with(0, 2, -0.1)), Error);
  EXPECT_THROW(generate_toy_language(1, 1, options_with(0, 2, 1.0001)), Error);
  EXPECT_THROW(generate_toy_language(1, 1, options_with(0, 2, std::nan(""))), Error);
  EXPECT_THROW(generate_toy_language(1, 1, options_with(0, 2, std::numeric_limits<double>::infinity())),
               Error);
  // Bad options throw even when nothing would be generated.
  EXPECT_THROW(generate_toy_language(0, 1, options_with(0, 6, 0.3)), Error);
  EXPECT_NO_THROW(generate_toy_language(1, 1, options_with(5, 5, 0.0)));
  EXPECT_NO_THROW(generate_toy_language(1, 1, options_with(0, 0, 1.0)));
}

}  // namespace
}  // namespace heed
