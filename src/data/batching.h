// Batching: length-sorted buckets under a token budget, padded tensors with masks.
//
// Sentences are sorted by (longer side, target length, source length) so each batch holds sentences
// of similar length, then cut so that rows x (longest padded row) <= batch_tokens.
// Padding is Vocabulary::kPad and every tensor carries its mask, so no loss or
// attention weight ever lands on padding.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "models/seq2seq_model.h"

namespace heed {

// One training example as vocabulary ids, without specials.
struct EncodedPair {
  std::vector<int64_t> source;
  std::vector<int64_t> target;
};

struct Batch {
  SourceBatch source;           // ids end with </s>
  torch::Tensor target_input;   // (B, T) <s> y1 .. yn, padded
  torch::Tensor target_output;  // (B, T) y1 .. yn </s>, padded
  torch::Tensor target_mask;    // (B, T) bool, true at real target_output tokens
  int64_t target_tokens = 0;    // number of real target_output tokens
  std::vector<size_t> indices;  // positions of the rows in the example list
};

// Groups example positions into batches (in length order; callers shuffle the batches).
// A single example longer than the budget still gets a batch of its own.
std::vector<std::vector<size_t>> make_batches(const std::vector<EncodedPair>& examples,
                                              int64_t batch_tokens);

// Pads the given examples into a batch on `device`.
Batch make_batch(const std::vector<EncodedPair>& examples, const std::vector<size_t>& indices,
                 const torch::Device& device);

// Pads source sentences (ids without </s>; </s> is appended) into a batch on `device`.
SourceBatch make_source_batch(const std::vector<std::vector<int64_t>>& sources,
                              const torch::Device& device);

}  // namespace heed
