// The "toy-language" task: a seeded synthetic translation task with known gold word
// alignments, for checking what attention (or an aligner) links against the truth.
//
// Source: English-like sentences from a small grammar (NP = noun phrase),
//   S  = NP(subject) VERB NP(object) [PREP NP(prepositional object)]
//   NP = DET ADJ* NOUN        DET is "the" or "a"
// The subject and object phrases have min..max adjectives (ToyLanguageOptions); the
// prepositional object has none. Within one sentence every noun and every adjective is
// different, so each content word occurs at most once. Vocabulary (toy_lexicon()):
// 20 nouns, 12 verbs, 10 adjectives, 6 prepositions ("next to" is two words), 2 articles.
//
// Target: a verb-final toy language with a fixed dictionary (the same on every run):
//   S' = NP'(subject) [NP'(prepositional object) POSTPOSITION] NP'(object) VERB'
//   NP' = NOUN' ADJ'* DET'   adjectives after the noun, in mirrored order
//                            ("the big red dog" -> "wuro tul roja gran ko")
// Prepositions become postpositions after their noun phrase; the phrase moves to just
// after the subject. "the" becomes the phrase-final determiner "ko"; "a" is dropped.
//
// Word counts differ between the sides:
//   one-to-two:  the 5 animal nouns take the classifier "tul" ("dog" -> "wuro tul");
//                4 verbs are a stem plus the auxiliary "ira" ("visits" -> "hom ira")
//   two-to-one:  "next to" -> "bok"
//   one-to-none: "a" (no target word)
// Example (source and target indices 0-based):
//   the big red dog visits a small house next to the river
//   wuro tul roja gran ko ossin ko bok temak mali hom ira
//   3-0 3-1 2-2 1-3 0-4 11-5 10-6 8-7 9-7 7-8 6-9 4-10 4-11
//
// Gold links: every word of the source side of a dictionary entry is linked to every word
// of its target side, all links "sure". So every target word has exactly one link, except
// "bok" (from both "next" and "to"); every source word has at least one link, except "a"
// (none); "dog" and "visits" above have two.
//
// Files (heed data toy-language):
//   --format tsv:   "source<TAB>target" per line, like the other generated tasks
//   --format pairs: "source ||| target" per line (pre-tokenised: words separated by spaces)
//   alignments:     one line per pair, in the same order: pharaoh_links(links), e.g. "0-1 2-0"
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/alignment_link.h"
#include "core/sentence_pair.h"

namespace heed {

struct ToyLanguageOptions {
  size_t min_adjectives = 0;  // adjectives per subject and per object noun phrase, at least
  size_t max_adjectives = 2;  // ... at most; <= 5 (a sentence's adjectives are all different)
  double prepositional_phrase_rate = 0.3;  // probability of a prepositional phrase, in [0, 1]
};

struct AlignedPair {
  SentencePair pair;
  std::vector<AlignmentLink> links;  // gold links, sorted by target, then source
};

// `count` sentence pairs with their gold links; the same for a given seed on every
// platform, and a shorter run is a prefix of a longer one. heed::Error for bad options
// (checked even when count is 0).
std::vector<AlignedPair> generate_toy_language(size_t count, uint64_t seed,
                                               const ToyLanguageOptions& options = {});

// ---------------------------------------------------------------------------
// The dictionary and the translation of one sentence (exposed for tests and docs).

struct ToyWord {
  std::string source;  // one or two English words, space-separated: "dog", "next to"
  std::string target;  // zero, one or two toy words: "" (for "a"), "ko", "wuro tul"
};

struct ToyLexicon {
  std::vector<ToyWord> nouns;         // the first 5 are the animals, with "tul"
  std::vector<ToyWord> verbs;         // the last 4 are stem + "ira"
  std::vector<ToyWord> adjectives;
  std::vector<ToyWord> prepositions;  // the last is "next to"
  ToyWord definite;                   // "the" -> "ko"
  ToyWord indefinite;                 // "a" -> "" (dropped)
};

const ToyLexicon& toy_lexicon();

// Indices below point into the toy_lexicon() lists.
struct ToyNounPhrase {
  bool definite = true;            // "the" (true) or "a" (false)
  std::vector<size_t> adjectives;  // in source order
  size_t noun = 0;
};

struct ToyPrepositionalPhrase {
  size_t preposition = 0;
  ToyNounPhrase object;
};

struct ToySentence {
  ToyNounPhrase subject;
  size_t verb = 0;
  ToyNounPhrase object;
  std::optional<ToyPrepositionalPhrase> prepositional_phrase;
};

// The source and target sentences and gold links of `sentence`, by the rules above
// (repeated words are allowed here). std::invalid_argument for an index out of range.
AlignedPair translate_toy_sentence(const ToySentence& sentence);

// ---------------------------------------------------------------------------
// Text formats

// Pharaoh format "source-target" ("0-1 2-0"), the links sorted by target index, then by
// source index; duplicates are kept; "" for no links.
std::string pharaoh_links(const std::vector<AlignmentLink>& links);

// "source ||| target\n" per pair (tabs and line breaks inside a sentence become spaces).
std::string to_pairs_text(const std::vector<SentencePair>& pairs);

// pharaoh_links(links) + "\n" per pair.
std::string to_alignments_text(const std::vector<AlignedPair>& pairs);

}  // namespace heed
