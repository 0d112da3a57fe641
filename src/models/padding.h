// Padding a tensor along one dimension: how rows of different lengths share a batch.
#pragma once

#include <torch/torch.h>

namespace heed {

// x padded along `dim` to `size` entries of `value`, placed before x's entries (front)
// or after them. x itself when it has `size` already.
inline torch::Tensor pad_dim(const torch::Tensor& x, int64_t dim, int64_t size, bool front, double value = 0.0) {
  const int64_t missing = size - x.size(dim);
  if (missing == 0) return x;
  auto shape = x.sizes().vec();
  shape[dim] = missing;
  const auto padding = torch::full(shape, value, x.options());
  return front ? torch::cat({padding, x}, dim) : torch::cat({x, padding}, dim);
}

// The number of leading columns of `mask` (B, S) bool, true at real entries followed by
// padding, that some row needs: its longest row (0 for no rows).
inline int64_t longest_row(const torch::Tensor& mask) {
  return mask.size(0) == 0 ? 0 : mask.sum(1).max().item<int64_t>();
}

}  // namespace heed
