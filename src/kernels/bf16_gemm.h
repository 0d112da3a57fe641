// Matrix products with bfloat16 weights and activations: `--precision bf16` inference.
//
// The weights W (N, K) are rounded to bfloat16 once, the activations X (M, K) at every
// call (round to nearest even: bfloat16 keeps float32's exponent and 8 bits of mantissa),
// and each product of two bfloat16 values, exact in float32, is summed in float32:
//   Y[m][n] = sum_k bf16(X[m][k]) bf16(W[n][k]) + b[n]
// in one fixed order per element (pairs of k, the odd one of each pair first, as
// AVX512-BF16's vdpbf16ps adds them), so a row's result does not depend on the other
// rows of the call. Paths: AVX512-BF16 where the CPU has it, portable C++ (the same
// sums with fused multiply-adds) otherwise; the two agree except for denormal numbers,
// which vdpbf16ps flushes to zero. Plain C++, no LibTorch; the panel layout is
// packed_panels.h's with groups of 2.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/packed_panels.h"

namespace heed {

inline constexpr int64_t kBf16Group = 2;  // bf16 values per 32-bit lane

// float32 -> bfloat16 bits, round to nearest even (NaN stays NaN).
uint16_t to_bf16(float value);
float from_bf16(uint16_t bits);

struct Bf16Weights {
  int64_t outputs = 0;           // N
  int64_t inputs = 0;            // K
  int64_t padded_inputs = 0;     // K rounded up to 2
  std::vector<uint16_t> panels;  // panel_count(N) * padded_inputs * 16
};

// Rounds and packs W (N, K), element (n, k) at w[n * row_stride + k].
Bf16Weights pack_bf16_weights(const float* w, int64_t outputs, int64_t inputs, int64_t row_stride);

// The packed weights of output rows `rows[0..count)` of `w`, in that order (exactly what
// pack_bf16_weights gives for those rows of W): a vocabulary shortlist's output layer.
Bf16Weights gather_bf16_rows(const Bf16Weights& w, const int64_t* rows, int64_t count);

// Activations rounded to bfloat16: values (M, padded_inputs) row-major, 0 past K.
struct Bf16Rows {
  int64_t rows = 0;
  int64_t padded_inputs = 0;
  std::vector<uint16_t> values;
};

void resize_bf16_rows(Bf16Rows& out, int64_t rows, int64_t inputs);
// Rounds rows [row_begin, row_end) of X (element (m, k) at x[m * row_stride + k]) into out.
void round_bf16_rows(const float* x, int64_t inputs, int64_t row_stride, int64_t row_begin, int64_t row_end,
                     Bf16Rows& out);

// Y[m][n] for every row m and the panels [panel_begin, panel_end); Y (M, N) row stride
// y_stride; bias (N) or null.
void bf16_gemm(const Bf16Rows& x, const Bf16Weights& w, const float* bias, float* y, int64_t y_stride,
               int64_t panel_begin, int64_t panel_end, KernelPath path = KernelPath::Best);

// True when bf16_gemm's best path is AVX512-BF16 on this CPU.
bool bf16_gemm_uses_avx512_bf16();

}  // namespace heed
