// Selecting the decoder positions that get an output projection (training skips
// padding, the output layer being the most expensive part of a step).
#pragma once

#include <torch/types.h>

namespace heed {

// (B, T, D) -> (N, D): the rows at the N true positions of mask (B, T), row-major.
// index_select (whose gradient is a cheap index_add) rather than boolean indexing,
// and no copy at all when nothing is masked.
inline torch::Tensor select_positions(const torch::Tensor& features, const torch::Tensor& mask) {
  const auto flat = features.reshape({-1, features.size(2)});
  if (mask.all().item<bool>()) return flat;
  return flat.index_select(0, mask.reshape({-1}).nonzero().squeeze(1));
}

}  // namespace heed
