// Matrix products with float32 weights packed once: float32 inference on AVX-512 CPUs.
//
// A decoder's products have few rows (the sentences of a batch, one position each), and
// a BLAS library packs the weights into its own layout at every call: at 16 rows that
// copy costs about as much as the arithmetic. Packed once at load time in the panels of
// packed_panels.h (groups of 1), the weights stream straight into the multiply-adds:
//   Y[m][n] = fma(X[m][K-1], W[n][K-1], ... fma(X[m][0], W[n][0], 0)) + b[n]
// in this one order per element (one rounding per multiply-add), so a row's result does
// not depend on the other rows of the call, and the AVX-512 and portable paths agree bit
// for bit. The order differs from a BLAS library's, so results differ from the unpacked
// float32 expression in the last bits. Plain C++, no LibTorch.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/packed_panels.h"

namespace heed {

struct F32Weights {
  int64_t outputs = 0;        // N
  int64_t inputs = 0;         // K
  std::vector<float> panels;  // panel_count(N) * K * 16
};

// Packs W (N, K), element (n, k) at w[n * row_stride + k].
F32Weights pack_f32_weights(const float* w, int64_t outputs, int64_t inputs, int64_t row_stride);

// The packed weights of output rows `rows[0..count)` of `w`, in that order (exactly what
// pack_f32_weights gives for those rows of W): a vocabulary shortlist's output layer.
F32Weights gather_f32_rows(const F32Weights& w, const int64_t* rows, int64_t count);

// Y[m][n] for rows m of X (M, K) (element (m, k) at x[m * x_stride + k]) and the panels
// [panel_begin, panel_end); Y (M, N) row stride y_stride; bias (N) or null.
void f32_gemm(const float* x, int64_t rows, int64_t x_stride, const F32Weights& w, const float* bias, float* y,
              int64_t y_stride, int64_t panel_begin, int64_t panel_end, KernelPath path = KernelPath::Best);

// True when f32_gemm's best path is AVX-512 on this CPU: only then is packing float32
// weights faster than the BLAS library (the portable path is for tests and other CPUs).
bool f32_gemm_uses_avx512();

}  // namespace heed
