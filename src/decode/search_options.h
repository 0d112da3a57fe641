// What a search is asked for: beam width, n-best size, length penalty and length limit.
//
// Length limit of a sentence: ceil(max_length_ratio * source tokens incl. </s>)
// + max_length_offset target tokens (incl. </s>), and never more than
// kMaxSentenceTokens; a hypothesis reaching it is cut.
// Hypotheses are ranked by score / lp(length) with the GNMT length penalty
//   lp(length) = ((5 + length) / 6) ^ length_penalty,   length incl. </s>
// (Wu et al. 2016); length_penalty = 0 ranks by the plain sum of log-probabilities.
#pragma once

#include <cstdint>

#include "models/seq2seq_model.h"

namespace heed {

struct SearchOptions {
  int64_t beam_size = 1;        // K; 1 is greedy search
  int64_t nbest = 1;            // hypotheses returned per sentence, N <= K
  double length_penalty = 0.6;  // GNMT alpha >= 0
  double max_length_ratio = 2.0;
  int64_t max_length_offset = 10;
  bool return_attention = false;

  // heed::Error naming the flag when a value is out of range (beam < 1, nbest > beam, ...).
  void validate() const;
};

// ((5 + length) / 6) ^ alpha.
double length_penalty(int64_t length, double alpha);

// The length limit (in target tokens incl. </s>) for a source of `source_length` tokens
// incl. </s>.
int64_t max_target_length(int64_t source_length, const SearchOptions& options);

}  // namespace heed
