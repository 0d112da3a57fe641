// The "toy-language" task: English-like sentences -> a verb-final toy language, with
// gold word alignments. The grammar, word order and link rules are in toy_language.h.
#include "data/toy_language.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "data/uniform_int.h"
#include "util/error.h"
#include "util/strings.h"

namespace heed {
namespace {

// The largest max_adjectives: the subject's and the object's adjectives are all
// different, and there are 10.
constexpr size_t kMaxAdjectives = 5;
// Rates are resolved to 1 / kRateScale: a draw below rate * kRateScale succeeds.
constexpr uint64_t kRateScale = 1000000;

ToyLexicon make_lexicon() {
  ToyLexicon lexicon;
  lexicon.nouns = {
      // Animals: noun + classifier "tul".
      {"dog", "wuro tul"},
      {"cat", "mensi tul"},
      {"bird", "pilat tul"},
      {"horse", "koval tul"},
      {"fish", "sakun tul"},
      {"farmer", "dorim"},
      {"teacher", "lehan"},
      {"child", "nibo"},
      {"king", "rasek"},
      {"doctor", "medor"},
      {"tree", "balu"},
      {"house", "temak"},
      {"river", "ossin"},
      {"book", "kirat"},
      {"stone", "pedra"},
      {"table", "mesal"},
      {"garden", "jardu"},
      {"boat", "navik"},
      {"city", "polun"},
      {"road", "vetra"},
  };
  lexicon.verbs = {
      {"sees", "mirat"},
      {"likes", "amou"},
      {"follows", "sekit"},
      {"finds", "trova"},
      {"carries", "nesu"},
      {"helps", "pomag"},
      {"watches", "gleda"},
      {"meets", "vstre"},
      // Stem + auxiliary "ira".
      {"builds", "stroi ira"},
      {"paints", "kolor ira"},
      {"visits", "hom ira"},
      {"chases", "gonat ira"},
  };
  lexicon.adjectives = {
      {"big", "gran"},    {"small", "mali"}, {"old", "stari"},  {"young", "yuna"},
      {"red", "roja"},    {"green", "verdi"}, {"happy", "fela"}, {"quiet", "tiho"},
      {"strong", "forta"}, {"clever", "sabi"},
  };
  lexicon.prepositions = {
      {"with", "kon"}, {"near", "pres"}, {"under", "sub"},
      {"behind", "zad"}, {"on", "sur"},  {"next to", "bok"},  // two words -> one
  };
  lexicon.definite = {"the", "ko"};
  lexicon.indefinite = {"a", ""};
  return lexicon;
}

const ToyWord& entry(const std::vector<ToyWord>& list, size_t index, const char* what) {
  if (index >= list.size()) {
    throw std::invalid_argument(std::string("translate_toy_sentence: ") + what + " index " +
                                std::to_string(index) + " out of range");
  }
  return list[index];
}

// One dictionary entry placed in the source: the positions of its source words and the
// target words it still has to place.
struct Unit {
  std::vector<size_t> source_positions;
  std::vector<std::string> target_words;
};

// Builds a pair left to right on both sides: first the whole source, then the target
// in target order, linking each target word to its unit's source words.
class PairBuilder {
 public:
  Unit add_source(const ToyWord& word) {
    Unit unit;
    for (std::string& w : split_words(word.source)) {
      unit.source_positions.push_back(source_.size());
      source_.push_back(std::move(w));
    }
    unit.target_words = split_words(word.target);
    return unit;
  }

  void add_target(const Unit& unit) {
    for (const std::string& w : unit.target_words) {
      const size_t position = target_.size();
      target_.push_back(w);
      for (size_t s : unit.source_positions) {
        links_.push_back({static_cast<int64_t>(s), static_cast<int64_t>(position)});
      }
    }
  }

  AlignedPair finish() const {
    AlignedPair out;
    out.pair.source = join(source_);
    out.pair.target = join(target_);
    out.links = links_;  // built in target order, source positions ascending
    return out;
  }

 private:
  static std::string join(const std::vector<std::string>& words) {
    std::string text;
    for (const std::string& w : words) {
      if (!text.empty()) text += ' ';
      text += w;
    }
    return text;
  }

  std::vector<std::string> source_;
  std::vector<std::string> target_;
  std::vector<AlignmentLink> links_;
};

struct NounPhraseUnits {
  Unit determiner;
  std::vector<Unit> adjectives;  // source order
  Unit noun;
};

NounPhraseUnits add_source_phrase(PairBuilder& builder, const ToyNounPhrase& phrase) {
  const ToyLexicon& lexicon = toy_lexicon();
  NounPhraseUnits units;
  units.determiner = builder.add_source(phrase.definite ? lexicon.definite : lexicon.indefinite);
  for (size_t a : phrase.adjectives) {
    units.adjectives.push_back(builder.add_source(entry(lexicon.adjectives, a, "adjective")));
  }
  units.noun = builder.add_source(entry(lexicon.nouns, phrase.noun, "noun"));
  return units;
}

// NOUN' ADJ'* DET', the adjectives mirrored.
void add_target_phrase(PairBuilder& builder, const NounPhraseUnits& units) {
  builder.add_target(units.noun);
  for (auto it = units.adjectives.rbegin(); it != units.adjectives.rend(); ++it) {
    builder.add_target(*it);
  }
  builder.add_target(units.determiner);
}

// A uniformly drawn index whose `used` flag is false; sets it.
size_t draw_unused(std::mt19937_64& rng, std::vector<bool>& used) {
  const uint64_t available = static_cast<uint64_t>(std::count(used.begin(), used.end(), false));
  uint64_t k = uniform_below(rng, available);
  for (size_t i = 0; i < used.size(); ++i) {
    if (used[i]) continue;
    if (k == 0) {
      used[i] = true;
      return i;
    }
    --k;
  }
  throw std::logic_error("draw_unused: no unused index");
}

// Draw order: article, adjective count, adjectives, noun.
ToyNounPhrase sample_phrase(std::mt19937_64& rng, size_t min_adjectives, size_t max_adjectives,
                            std::vector<bool>& used_nouns, std::vector<bool>& used_adjectives) {
  ToyNounPhrase phrase;
  phrase.definite = uniform_below(rng, 2) == 0;
  const size_t adjectives = min_adjectives + uniform_below(rng, max_adjectives - min_adjectives + 1);
  for (size_t k = 0; k < adjectives; ++k) phrase.adjectives.push_back(draw_unused(rng, used_adjectives));
  phrase.noun = draw_unused(rng, used_nouns);
  return phrase;
}

void check_options(const ToyLanguageOptions& options) {
  if (options.min_adjectives > options.max_adjectives) {
    throw Error("toy-language task: minimum adjectives " + std::to_string(options.min_adjectives) +
                " exceeds maximum adjectives " + std::to_string(options.max_adjectives));
  }
  if (options.max_adjectives > kMaxAdjectives) {
    throw Error("toy-language task: maximum adjectives must be at most " +
                std::to_string(kMaxAdjectives) + " (a sentence's adjectives are all different), got " +
                std::to_string(options.max_adjectives));
  }
  const double rate = options.prepositional_phrase_rate;
  if (!(rate >= 0.0 && rate <= 1.0)) {  // also rejects NaN
    std::ostringstream text;
    text << rate;
    throw Error("toy-language task: prepositional phrase rate must be in [0, 1], got " + text.str());
  }
}

}  // namespace

const ToyLexicon& toy_lexicon() {
  static const ToyLexicon lexicon = make_lexicon();
  return lexicon;
}

AlignedPair translate_toy_sentence(const ToySentence& sentence) {
  const ToyLexicon& lexicon = toy_lexicon();
  PairBuilder builder;
  // Source order: subject, verb, object, [preposition, its object].
  const NounPhraseUnits subject = add_source_phrase(builder, sentence.subject);
  const Unit verb = builder.add_source(entry(lexicon.verbs, sentence.verb, "verb"));
  const NounPhraseUnits object = add_source_phrase(builder, sentence.object);
  Unit preposition;
  NounPhraseUnits prepositional_object;
  if (sentence.prepositional_phrase) {
    preposition = builder.add_source(
        entry(lexicon.prepositions, sentence.prepositional_phrase->preposition, "preposition"));
    prepositional_object = add_source_phrase(builder, sentence.prepositional_phrase->object);
  }
  // Target order: subject, [its object, postposition], object, verb.
  add_target_phrase(builder, subject);
  if (sentence.prepositional_phrase) {
    add_target_phrase(builder, prepositional_object);
    builder.add_target(preposition);
  }
  add_target_phrase(builder, object);
  builder.add_target(verb);
  return builder.finish();
}

std::vector<AlignedPair> generate_toy_language(size_t count, uint64_t seed,
                                               const ToyLanguageOptions& options) {
  check_options(options);
  const ToyLexicon& lexicon = toy_lexicon();
  const uint64_t phrase_threshold =
      static_cast<uint64_t>(std::llround(options.prepositional_phrase_rate * kRateScale));
  std::mt19937_64 rng(seed);
  std::vector<AlignedPair> pairs;
  pairs.reserve(count);
  // Draw order per sentence: subject, verb, object, whether a prepositional phrase
  // follows, then its preposition and object (never any adjectives).
  for (size_t i = 0; i < count; ++i) {
    std::vector<bool> used_nouns(lexicon.nouns.size(), false);
    std::vector<bool> used_adjectives(lexicon.adjectives.size(), false);
    ToySentence sentence;
    sentence.subject = sample_phrase(rng, options.min_adjectives, options.max_adjectives,
                                     used_nouns, used_adjectives);
    sentence.verb = uniform_below(rng, lexicon.verbs.size());
    sentence.object = sample_phrase(rng, options.min_adjectives, options.max_adjectives,
                                    used_nouns, used_adjectives);
    if (uniform_below(rng, kRateScale) < phrase_threshold) {
      ToyPrepositionalPhrase phrase;
      phrase.preposition = uniform_below(rng, lexicon.prepositions.size());
      phrase.object = sample_phrase(rng, /*min_adjectives=*/0, /*max_adjectives=*/0, used_nouns,
                                    used_adjectives);
      sentence.prepositional_phrase = phrase;
    }
    pairs.push_back(translate_toy_sentence(sentence));
  }
  return pairs;
}

std::string pharaoh_links(const std::vector<AlignmentLink>& links) {
  std::vector<AlignmentLink> sorted = links;
  std::sort(sorted.begin(), sorted.end(), [](const AlignmentLink& a, const AlignmentLink& b) {
    return a.target != b.target ? a.target < b.target : a.source < b.source;
  });
  return pharaoh_alignment(sorted);
}

std::string to_pairs_text(const std::vector<SentencePair>& pairs) {
  std::string out;
  auto append = [&out](const std::string& text) {
    for (char c : text) out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  };
  for (const SentencePair& pair : pairs) {
    append(pair.source);
    out += " ||| ";
    append(pair.target);
    out += '\n';
  }
  return out;
}

std::string to_alignments_text(const std::vector<AlignedPair>& pairs) {
  std::string out;
  for (const AlignedPair& pair : pairs) {
    out += pharaoh_links(pair.links);
    out += '\n';
  }
  return out;
}

}  // namespace heed
