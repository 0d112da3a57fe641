// A linear layer's product, y = x W^T + b, in reduced precision for inference.
//
// `--precision bf16|int8` makes each model pack a copy of the weights of every linear
// layer once, at load time (36-66 ms for the Multi30k models): rounded to bfloat16,
// or quantized to int8 per output channel, in the panel layout of kernels/packed_panels.h.
// A product rounds (bf16) or quantizes (int8, per row) its input at each call and returns
// float32: everything between the products stays float32 (embeddings, layer norms,
// softmax, the attention's scores and weighted sums, GRU gates). Each row of the result
// depends on its own input row alone, so a sentence's translation does not depend on the
// batch it is in. The products run on LibTorch's intra-op threads, columns split between
// them, or, on a thread that has a ThreadTeam (util/thread_team.h: a server's decoding
// worker), on that team, and only when large enough to be worth waking its helpers.
// No autograd: packed products are for inference only.
//
// Models keep their float32 code as it is and choose per product:
//   y = packed ? packed(x) : <the float32 expression>
// so training and unpacked fp32 inference are exactly what they were.
//
// Float32 can be packed too (kernels/f32_gemm.h): the same float32 arithmetic in another
// order, without the BLAS library's copy of the weights at every call, which dominates a
// decoder's small products. Inference commands turn it on where the CPU has AVX-512
// (pack_float32_products); then a model's set_precision(Float32) packs its layers too.
#pragma once

#include <torch/types.h>

#include <memory>

#include "core/precision.h"

namespace heed {

// Whether PackedLinear packs float32 weights (otherwise Float32 means the model's own
// float32 expression). Process-wide, set once before models are packed; off by default.
void pack_float32_products(bool on);
bool float32_products_packed();

class PackedLinear {
 public:
  PackedLinear() = default;  // empty: the model runs its float32 expression
  // weight (N, K) float32 (rows of any stride), bias (N) float32 or undefined. An empty
  // PackedLinear for Precision::Float32 unless float32_products_packed().
  PackedLinear(const torch::Tensor& weight, const torch::Tensor& bias, Precision precision);

  explicit operator bool() const { return static_cast<bool>(packed_); }

  // x (..., K) float32 -> (..., N) float32.
  torch::Tensor operator()(const torch::Tensor& x) const;

  // The layer restricted to output rows `ids` (M) int64, in that order: a copy of their
  // packed rows, identical to packing those rows of the weight (a shortlist's output).
  PackedLinear gather_rows(const torch::Tensor& ids) const;

 private:
  struct Packed;
  std::shared_ptr<const Packed> packed_;
};

}  // namespace heed
