// Word alignments scored against a gold standard: the alignment error rate (AER),
// precision and recall of Och & Ney (2003), and the files `heed align-eval` reads.
//
// Gold file: one line per sentence pair, Pharaoh links separated by whitespace,
// source-target: `i-j` a sure link, `ipj` a possible one (i: source word, j: target
// word), 0-based, or 1-based when read with `one_based`. An empty line: no links. Every
// sure link is also possible (S ⊆ P); a link listed twice counts once.
//
// Pairs file: one pre-tokenised pair per line, `source ||| target` (also `source|||target`),
// words separated by spaces; the gold indices count these words.
//
// Scores, with A the predicted links, S the sure and P the possible (incl. sure) links,
// each summed over the sentences of a corpus:
//   precision = |A∩P| / |A|                       1 when |A| = 0 (no wrong link predicted)
//   recall    = |A∩S| / |S|                       1 when |S| = 0 (no sure link missed)
//   AER       = 1 - (|A∩S| + |A∩P|) / (|A| + |S|)  0 when |A| + |S| = 0
// So predicting nothing against sure links scores AER 1, recall 0 and precision 1.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "decode/alignment.h"
#include "core/sentence_pair.h"

namespace heed {

struct GoldAlignment {
  std::vector<AlignmentLink> sure;      // sorted by (source, target), no duplicates
  std::vector<AlignmentLink> possible;  // sorted by (source, target), no duplicates; incl. every sure link
};

// One gold line. heed::Error "FILE:LINE: ..." (file, line_number) for a malformed link,
// or, with one_based, an index 0 (it would become negative).
GoldAlignment parse_gold_alignment(const std::string& line, bool one_based, const std::string& file,
                                   size_t line_number);

// Every line of a gold file ("-": standard input), blank lines included (no links).
std::vector<GoldAlignment> read_gold_alignments(const std::string& path, bool one_based);

// heed::Error "FILE:LINE: ..." when a link's source index is not below source_words or
// its target index not below target_words (a gold file for other data, or a 1-based file
// read without --one-based). The message shows the link as the file wrote it.
void check_gold_in_range(const GoldAlignment& gold, int64_t source_words, int64_t target_words, bool one_based,
                         const std::string& file, size_t line_number);

// The set sizes AER is computed from, summed over sentences.
struct AlignmentCounts {
  int64_t sentences = 0;
  int64_t predicted = 0;           // |A|
  int64_t sure = 0;                // |S|
  int64_t possible = 0;            // |P| (sure links included)
  int64_t predicted_sure = 0;      // |A∩S|
  int64_t predicted_possible = 0;  // |A∩P|

  // Adds one sentence: its predicted links (duplicates count once) against its gold.
  void add(const std::vector<AlignmentLink>& predicted_links, const GoldAlignment& gold);
};

struct AlignmentScores {
  double precision = 1.0;
  double recall = 1.0;
  double aer = 0.0;
};

// The corpus scores of `counts`, with the conventions for empty sets above.
AlignmentScores score_alignments(const AlignmentCounts& counts);

// One `source ||| target` line, both sides trimmed of spaces and tabs (either may be
// empty). heed::Error "FILE:LINE: ..." when the line has no `|||` or more than one.
SentencePair parse_aligned_pair(const std::string& line, const std::string& file, size_t line_number);

// Every line of a pairs file ("-": standard input); pair i is on line i + 1.
std::vector<SentencePair> read_aligned_pairs(const std::string& path);

// The number of whitespace-separated words of a pre-tokenised sentence.
int64_t count_words(const std::string& text);

}  // namespace heed
