// A model's output layer restricted to a vocabulary shortlist (decode/shortlist.h): the
// layer's rows for the allowed target ids are gathered once per restriction (and packed
// when the model runs in bf16 or int8), so a step multiplies by N rows instead of V.
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
  void restrict(const torch::Tensor& ids, const torch::Tensor& weight, const torch::Tensor& bias, Precision precision);
  explicit operator bool() const { return ids_.defined(); }
  // x (B, K) -> logits (B, V), -inf outside the shortlist.
  torch::Tensor logits(const torch::Tensor& x) const;

 private:
  torch::Tensor ids_, weight_, bias_;
  int64_t vocab_ = 0;
  PackedLinear packed_;
};

}  // namespace heed
