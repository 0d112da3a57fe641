// Greedy decoding for any registry model, batched, using the model's incremental state.
// It is the reference beam search (beam_search.h) is tested against — beam 1 gives
// exactly its output — and the choice rule free-running evaluation uses.
//
// Each step feeds the previous token of every unfinished row, takes the greedy choice
// (greedy_choice below), and drops rows that produced </s> or reached their length limit (the
// state is reordered, never recomputed). The length limit is max_target_length
// (search_options.h); beam_size, nbest and length_penalty are ignored.
#pragma once

#include <vector>

#include "decode/hypothesis.h"
#include "decode/search_options.h"
#include "models/seq2seq_model.h"

namespace heed {

// Sets the columns of tokens that are never output, <pad> and <s>, of log_probs (B, V)
// to -inf in place (an undertrained model may still rank them first).
void mask_never_output(torch::Tensor& log_probs);

// The greedy choice for each row of log_probs (B, V): the most probable token that may
// be output (mask_never_output is applied in place) and its log-probability.
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
