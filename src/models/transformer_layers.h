// Transformer encoder and decoder layers (post-norm as in the original paper, or
// pre-norm), each returning its attention weights per head.
//
//   post-norm: x = LN(x + Dropout(Sublayer(x)))      pre-norm: x = x + Dropout(Sublayer(LN(x)))
// Feed-forward: Linear(d, ff) -> ReLU -> Dropout -> Linear(ff, d).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/dropout.h"
#include "models/multi_head_attention.h"
#include "models/packed_linear.h"

namespace heed {

struct TransformerLayerOptions {
  int64_t d_model = 256;
  int64_t heads = 4;
  int64_t ff = 1024;
  double dropout = 0.1;
  bool norm_first = false;
};

class FeedForwardImpl : public torch::nn::Module {
 public:
  FeedForwardImpl(int64_t d_model, int64_t ff, double dropout);
  torch::Tensor forward(const torch::Tensor& x);
  void set_precision(Precision precision);  // packs both layers (packed_linear.h)

 private:
  torch::nn::Linear in_{nullptr}, out_{nullptr};
  PackedLinear packed_in_, packed_out_;  // bf16 / int8 inference only
  Dropout dropout_{nullptr};
};
TORCH_MODULE(FeedForward);

struct EncoderLayerOutput {
  torch::Tensor states;   // (B, S, d)
  torch::Tensor weights;  // (B, heads, S, S)
};

class EncoderLayerImpl : public torch::nn::Module {
 public:
  explicit EncoderLayerImpl(const TransformerLayerOptions& options);
  // x: (B, S, d); mask: (B, S) bool, true at real tokens.
  EncoderLayerOutput forward(const torch::Tensor& x, const torch::Tensor& mask);
  void set_precision(Precision precision);

 private:
  bool norm_first_;
  MultiHeadAttention self_attention_{nullptr};
  FeedForward feed_forward_{nullptr};
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr};
  Dropout dropout_{nullptr};
};
TORCH_MODULE(EncoderLayer);

// A decoder layer's incremental state: its self-attention keys/values so far, and
// the cross-attention keys/values of the source (projected once).
struct DecoderLayerCache {
  HeadsKeyValue self;   // (B, heads, t, d_head), grows by one per step
  HeadsKeyValue cross;  // (B, heads, S, d_head)
};

struct DecoderLayerOutput {
  torch::Tensor states;        // (B, T, d)
  torch::Tensor self_weights;  // (B, heads, T, T_keys)
  torch::Tensor cross_weights; // (B, heads, T, S)
};

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const TransformerLayerOptions& options);
  // Full pass: x (B, T, d) under the causal mask; memory (B, S, d), memory_mask (B, S).
  DecoderLayerOutput forward(const torch::Tensor& x, const torch::Tensor& memory,
                             const torch::Tensor& memory_mask);
  // The cross-attention keys/values of the source, for a cache.
  HeadsKeyValue project_memory(const torch::Tensor& memory);
  void set_precision(Precision precision);
  // One step: x (B, 1, d); the cache's self part grows by this position. self_mask
  // (B, t + 1) bool, true at each row's own cached positions (rows that joined a batch
  // later), or undefined: every position is every row's.
  DecoderLayerOutput step(const torch::Tensor& x, DecoderLayerCache& cache,
                          const torch::Tensor& memory_mask, const torch::Tensor& self_mask = {});

 private:
  // The three sublayers around attention results computed by the callers.
  DecoderLayerOutput finish(const torch::Tensor& x, const std::function<MultiHeadOutput(const torch::Tensor&)>& self,
                            const std::function<MultiHeadOutput(const torch::Tensor&)>& cross);

  bool norm_first_;
  MultiHeadAttention self_attention_{nullptr}, cross_attention_{nullptr};
  FeedForward feed_forward_{nullptr};
  torch::nn::LayerNorm norm1_{nullptr}, norm2_{nullptr}, norm3_{nullptr};
  Dropout dropout_{nullptr};
};
TORCH_MODULE(DecoderLayer);

}  // namespace heed
