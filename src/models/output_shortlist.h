// A model's output layer restricted to a vocabulary shortlist (decode/shortlist.h): the
// layer's rows for the allowed target ids are gathered once per restriction (in bf16 or
// int8, from the packed layer: a copy, no new quantization), so a step multiplies by N
// rows instead of V.
#pragma once

#include <torch/types.h>

#include "core/precision.h"
#include "models/packed_linear.h"

namespace heed {

// logits (B, N) of the target ids `ids` (N) -> (B, V), -inf at every other id: a
// log-softmax of it is the log-softmax over the shortlist, and no search picks the rest.
torch::Tensor scatter_shortlisted(const torch::Tensor& logits, const torch::Tensor& ids, int64_t vocab);

class OutputShortlist {
 public:
  // weight (V, K), bias (V) or undefined: the full output layer; ids (N) int64 sorted,
  // or undefined to lift the restriction.
  // `packed`: the full layer packed (bf16 / int8), whose rows are gathered rather than
  // packed again; empty for float32.
  void restrict(const torch::Tensor& ids, const torch::Tensor& weight, const torch::Tensor& bias,
                const PackedLinear& packed);
  explicit operator bool() const { return ids_.defined(); }
  // x (B, K) -> logits (B, V), -inf outside the shortlist.
  torch::Tensor logits(const torch::Tensor& x) const;

 private:
  torch::Tensor ids_, weight_, bias_;
  int64_t vocab_ = 0;
  PackedLinear packed_;
};

}  // namespace heed
