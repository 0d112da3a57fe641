// Bahdanau (additive) attention, written the way a learner writes it:
//
//   for each source position s:  h_s = tanh(W [k_s; q] + b)     (attention_size units)
//                                e_s = v . h_s                   (one score)
//   weights = masked softmax over s of e;  context = sum_s weights_s k_s
//
// W is one Linear layer over the concatenation [key; query] (key_size + query_size
// inputs), exactly as in the classic exercise. Because W [k; q] = W_k k + W_q q, the
// efficient path splits W column-wise: the key part W_k k + b is computed once per
// sentence (`prepare`), the query part W_q q once per decoder step. `literal`
// computes the concatenate-then-multiply formula; tests prove both are equal.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include "models/packed_linear.h"

namespace heed {

// What attention needs from the source side, computed once per sentence batch.
struct AttentionMemory {
  torch::Tensor keys;            // (B, S, key_size)
  torch::Tensor projected_keys;  // (B, S, attention_size): W_k k + b
  torch::Tensor mask;            // (B, S) bool, true at real keys
  torch::Tensor query_weight;    // (query_size, attention_size): W_q transposed, sliced once

  // Keeps rows `index` (beam search, finished sentences), and only the key positions
  // that one of them has.
  AttentionMemory select_rows(const torch::Tensor& index) const;
  // These rows followed by those of `other` (padded to the longer source): sentences
  // joining a batch in flight.
  AttentionMemory append(const AttentionMemory& other) const;
};

struct AdditiveAttentionOutput {
  torch::Tensor context;  // (B, key_size)
  torch::Tensor weights;  // (B, S); exactly 0 at masked keys, rows sum to 1
};

class BahdanauAttentionImpl : public torch::nn::Module {
 public:
  BahdanauAttentionImpl(int64_t key_size, int64_t query_size, int64_t attention_size);

  // keys: (B, S, key_size), mask: (B, S) -> the per-sentence part. Once per batch.
  AttentionMemory prepare(const torch::Tensor& keys, const torch::Tensor& mask) const;

  // One decoder step: query (B, query_size) against the prepared memory.
  AdditiveAttentionOutput forward(const torch::Tensor& query, const AttentionMemory& memory);

  // The literal formula: concatenate each key with the repeated query, one Linear,
  // tanh, a Linear to one score, masked softmax, weighted sum. Same inputs as forward.
  AdditiveAttentionOutput literal(const torch::Tensor& query, const torch::Tensor& keys,
                                  const torch::Tensor& mask);

  // W_q (attention_size, query_size): the query columns of the attention layer, and v
  // (1, attention_size): the layer to one score. For the unrolled decoder.
  torch::Tensor query_weight() const;
  torch::Tensor score_weight() const { return score_->weight; }

  // Packs W_k (with b), W_q and v for inference at `precision` (packed_linear.h);
  // Float32 drops the packed copies.
  void set_precision(Precision precision);
  bool packed() const { return static_cast<bool>(packed_keys_); }

  int64_t key_size() const { return key_size_; }
  int64_t query_size() const { return query_size_; }

 private:
  AdditiveAttentionOutput attend(const torch::Tensor& energies, const torch::Tensor& keys,
                                 const torch::Tensor& mask);

  int64_t key_size_;
  int64_t query_size_;
  torch::nn::Linear hidden_{nullptr};  // (key_size + query_size) -> attention_size, with bias
  torch::nn::Linear score_{nullptr};   // attention_size -> 1, no bias
  PackedLinear packed_keys_, packed_query_, packed_score_;  // bf16 / int8 inference only
};
TORCH_MODULE(BahdanauAttention);

}  // namespace heed
