// Multi-head scaled dot-product attention that returns the weights of every head.
//
// LibTorch's MultiheadAttention averages the heads and TransformerDecoderLayer hides
// the weights; heed needs each head, so it has its own module:
//   Q = x_q W_q, K = x_k W_k, V = x_v W_v, split into `heads` heads of d_model/heads;
//   weights = softmax(Q K^T / sqrt(d_head) + masks)   (B, heads, Tq, Tk)
//   output  = concat_heads(weights V) W_o            (B, Tq, d_model)
// Masked keys (padding, and the future under a causal mask) get exactly 0.
// Parameters are one packed in_proj (3 d_model x d_model) + out_proj, laid out like
// torch::nn::MultiheadAttention's, so weights can be compared one to one.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include "models/dropout.h"
#include "models/packed_linear.h"

namespace heed {

struct MultiHeadOutput {
  torch::Tensor output;   // (B, Tq, d_model)
  torch::Tensor weights;  // (B, heads, Tq, Tk), after masking, before dropout
};

// Keys and values projected and split into heads: what a decoder caches.
struct HeadsKeyValue {
  torch::Tensor keys;    // (B, heads, Tk, d_head)
  torch::Tensor values;  // (B, heads, Tk, d_head)
};

// Self-attention's three projections of the same input, made in one product.
struct SelfProjection {
  torch::Tensor query;     // (B, heads, T, d_head)
  HeadsKeyValue key_value;
};

class MultiHeadAttentionImpl : public torch::nn::Module {
 public:
  MultiHeadAttentionImpl(int64_t d_model, int64_t heads, double dropout);

  // key_mask: (B, Tk) bool, true at real keys (or undefined); causal: query i sees keys <= i.
  // When query, key and value are the same tensor, Q, K and V come from one product.
  MultiHeadOutput forward(const torch::Tensor& query, const torch::Tensor& key,
                          const torch::Tensor& value, const torch::Tensor& key_mask, bool causal);

  // The incremental pieces: project keys/values once, then attend with projected ones.
  HeadsKeyValue project_key_value(const torch::Tensor& key, const torch::Tensor& value);
  SelfProjection project_self(const torch::Tensor& x);
  MultiHeadOutput attend(const torch::Tensor& query, const HeadsKeyValue& key_value,
                         const torch::Tensor& key_mask, bool causal);
  // As attend, with the query already projected and split: (B, heads, Tq, d_head).
  MultiHeadOutput attend_heads(const torch::Tensor& query_heads, const HeadsKeyValue& key_value,
                               const torch::Tensor& key_mask, bool causal);

  // Packs the Q, K, V and output projections for inference at `precision`
  // (packed_linear.h); Float32 drops the packed copies.
  void set_precision(Precision precision);

  int64_t heads() const { return heads_; }
  torch::Tensor in_proj_weight;  // (3 d_model, d_model): rows [W_q; W_k; W_v]
  torch::Tensor in_proj_bias;    // (3 d_model)
  torch::nn::Linear out_proj{nullptr};

 private:
  torch::Tensor split_heads(const torch::Tensor& x) const;  // (B, T, D) -> (B, H, T, d_head)

  // bf16 / int8 inference only: [W_q; W_k; W_v], W_q, [W_k; W_v], W_o.
  PackedLinear packed_qkv_, packed_q_, packed_kv_, packed_out_;

  int64_t d_model_;
  int64_t heads_;
  int64_t d_head_;
  Dropout dropout_{nullptr};
};
TORCH_MODULE(MultiHeadAttention);

}  // namespace heed
