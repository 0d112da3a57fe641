// Matrix products with int8 weights and int8 activations: `--precision int8` inference.
//
// The scheme CTranslate2 and Marian use on CPUs:
//   - the weights W (N, K) are quantized once, symmetrically, per output channel:
//       w_scale[n] = max_k |W[n][k]| / 127,   Wq[n][k] = round(W[n][k] / w_scale[n]) in [-127, 127];
//   - the activations X (M, K) are quantized at every call, symmetrically, per row:
//       x_scale[m] = max_k |X[m][k]| / 127,   Xq[m][k] = round(X[m][k] / x_scale[m]),
//     stored as unsigned bytes Xq + 128, because AVX-512 VNNI's vpdpbusd multiplies
//     unsigned by signed bytes;
//   - the products are summed exactly in int32, and
//       Y[m][n] = float(sum_k (Xq[m][k] + 128) Wq[n][k] - 128 sum_k Wq[n][k]) * w_scale[n] * x_scale[m] + b[n]
//     (each multiplication rounded in that order, then the bias added).
// Per-row scales make a row's result independent of the rows it is multiplied with: a
// sentence translates the same in any batch. Both paths (VNNI, portable C++) give
// bit-identical results: the integer sums are exact and the float steps are the same.
// Plain C++, no LibTorch; the panel layout is packed_panels.h's with groups of 4.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/packed_panels.h"

namespace heed {

inline constexpr int64_t kInt8Group = 4;  // int8 values per 32-bit lane

struct Int8Weights {
  int64_t outputs = 0;                // N
  int64_t inputs = 0;                 // K
  int64_t padded_inputs = 0;          // K rounded up to 4
  std::vector<int8_t> panels;         // panel_count(N) * padded_inputs * 16
  std::vector<float> scales;          // (panel_count(N) * 16), w_scale, 0 past N
  std::vector<int32_t> offsets;       // (panel_count(N) * 16), 128 * sum_k Wq[n][k]
};

// Quantizes and packs W (N, K), element (n, k) at w[n * row_stride + k].
Int8Weights pack_int8_weights(const float* w, int64_t outputs, int64_t inputs, int64_t row_stride);

// The packed weights of output rows `rows[0..count)` of `w`, in that order: what
// pack_int8_weights gives for those rows of W (quantization is per row, so this is exact
// and costs a copy, not a quantization). A vocabulary shortlist's output layer.
Int8Weights gather_int8_rows(const Int8Weights& w, const int64_t* rows, int64_t count);

// Activations quantized per row: values (M, padded_inputs) row-major, Xq + 128 (128 past K).
struct Int8Rows {
  int64_t rows = 0;
  int64_t padded_inputs = 0;
  std::vector<uint8_t> values;
  std::vector<float> scales;  // (M) x_scale
};

// Quantizes rows [row_begin, row_end) of X (rows, K), element (m, k) at x[m * row_stride + k],
// into `out`, which must already be sized for `rows` rows (resize_int8_rows).
void resize_int8_rows(Int8Rows& out, int64_t rows, int64_t inputs);
void quantize_int8_rows(const float* x, int64_t inputs, int64_t row_stride, int64_t row_begin, int64_t row_end,
                        Int8Rows& out);

// Y[m][n] for every row m and the panels [panel_begin, panel_end) (columns 16 * panel_begin
// up to min(N, 16 * panel_end)); Y (M, N) row stride y_stride; bias (N) or null.
void int8_gemm(const Int8Rows& x, const Int8Weights& w, const float* bias, float* y, int64_t y_stride,
               int64_t panel_begin, int64_t panel_end, KernelPath path = KernelPath::Best);

// True when int8_gemm's best path is AVX-512 VNNI on this CPU.
bool int8_gemm_uses_vnni();

}  // namespace heed
