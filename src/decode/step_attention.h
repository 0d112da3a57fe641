// Joining a hypothesis's per-step attention into per-sentence matrices (hypothesis.h).
#pragma once

#include <vector>

#include "models/attention_maps.h"

namespace heed {

// pieces: one per decoding step t = 0..T-1, each (layers, heads, 1, keys_t) of one row.
// Returns (layers, heads, T, keys): cross keys trimmed to the source_length real source
// tokens; dec_self keys grow by one per step, so earlier rows are padded with zeros up
// to T keys (zero above the diagonal).
torch::Tensor join_step_attention(AttentionPart part, const std::vector<torch::Tensor>& pieces,
                                  int64_t source_length);

// (B, L, H, Q, K) row `row` -> (L, H, queries, keys): one sentence's matrices trimmed to
// its real query and key tokens.
torch::Tensor attention_of_row(const torch::Tensor& weights, int64_t row, int64_t queries, int64_t keys);

}  // namespace heed
