// Greedy decoding for any registry model, batched, using the model's incremental state.
//
// Each step feeds the previous token of every unfinished row, takes the greedy choice
// (greedy_choice below), and drops rows that produced </s> or reached their length limit (the
// state is reordered, never recomputed). The length limit of a row is
//   ceil(max_length_ratio * source length incl. </s>) + max_length_offset.
#pragma once

#include <vector>

#include "decode/hypothesis.h"
#include "models/seq2seq_model.h"

namespace heed {

struct SearchOptions {
  double max_length_ratio = 2.0;
  int64_t max_length_offset = 10;
  bool return_attention = false;
};

// The greedy choice for each row of log_probs (B, V): the most probable token that may
// be output — never <pad> or <s>, which an undertrained model may still rank first —
// and its log-probability. Sets those two columns of log_probs to -inf in place.
struct GreedyChoice {
  torch::Tensor tokens;  // (B) int64
  torch::Tensor scores;  // (B) float
};
GreedyChoice greedy_choice(torch::Tensor& log_probs);

std::vector<Hypothesis> greedy_search(Seq2SeqModel& model, const SourceBatch& source,
                                      const SearchOptions& options);

// Teacher-forced scoring of given targets (ids without specials; </s> is appended),
// e.g. to show the attention of a known pair.
std::vector<Hypothesis> force_decode(Seq2SeqModel& model, const SourceBatch& source,
                                     const std::vector<std::vector<int64_t>>& targets,
                                     bool return_attention);

}  // namespace heed
