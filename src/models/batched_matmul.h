// Attention's batched products of small matrices, with autograd:
//   (B, H, M, K) x (B, H, K, N) -> (B, H, M, N)
// Q K^T and weights V in every head of every sentence. LibTorch 1.13's CPU matmul of
// such tensors copies transposed operands to contiguous memory, then makes one BLAS
// call per (b, h) matrix pair behind select / as_strided / resolve_conj dispatches;
// with tens of rows per matrix that costs more than the arithmetic. Here each pair goes
// to heed::small_matmul (util/small_matmul.h) straight from the strided tensors, and the
// backward is two more such products (grad_a = grad b^T, grad_b = a^T grad).
// Float32 on the CPU with equal (B, H) on both sides; anything else is torch::matmul.
#pragma once

#include <torch/types.h>

namespace heed {

torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace heed
