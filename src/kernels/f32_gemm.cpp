#include "kernels/f32_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HEED_F32_AVX512 1
#endif

// The file is compiled without floating-point contraction (ISO C++ mode): the portable
// path's std::fma is the one rounding per multiply-add that vfmadd231ps makes.

namespace heed {

namespace {

void gemm_portable(const float* x, int64_t rows, int64_t x_stride, const F32Weights& w, const float* bias, float* y,
                   int64_t y_stride, int64_t panel_begin, int64_t panel_end) {
  for (int64_t panel = panel_begin; panel < panel_end; ++panel) {
    const float* b = w.panels.data() + panel * w.inputs * kPanelColumns;
    const int64_t column0 = panel * kPanelColumns;
    const int64_t columns = std::min(kPanelColumns, w.outputs - column0);
    for (int64_t m = 0; m < rows; ++m) {
      const float* a = x + m * x_stride;
      for (int64_t c = 0; c < columns; ++c) {
        float sum = 0.0f;
        for (int64_t k = 0; k < w.inputs; ++k) sum = std::fma(a[k], b[k * kPanelColumns + c], sum);
        y[m * y_stride + column0 + c] = sum + (bias ? bias[column0 + c] : 0.0f);
      }
    }
  }
}

#ifdef HEED_F32_AVX512
#define HEED_F32_TARGET __attribute__((target("avx512f")))

// Rows [m0, m0 + R) by panels [p0, p0 + P) in registers while k runs; per input, P
// vector loads of the weights, R broadcasts, R * P fused multiply-adds.
template <int R, int P>
HEED_F32_TARGET inline void block_avx512(const float* x, int64_t x_stride, const F32Weights& w, const float* bias,
                                         float* y, int64_t y_stride, int64_t m0, int64_t p0) {
  const int64_t inputs = w.inputs;
  const float* b = w.panels.data() + p0 * inputs * kPanelColumns;
  const float* a = x + m0 * x_stride;
  __m512 sums[R][P];
  for (int r = 0; r < R; ++r) {
    for (int p = 0; p < P; ++p) sums[r][p] = _mm512_setzero_ps();
  }
  for (int64_t k = 0; k < inputs; ++k) {
    __m512 weights[P];
    for (int p = 0; p < P; ++p) weights[p] = _mm512_loadu_ps(b + (p * inputs + k) * kPanelColumns);
    for (int r = 0; r < R; ++r) {
      const __m512 value = _mm512_set1_ps(a[r * x_stride + k]);
      for (int p = 0; p < P; ++p) sums[r][p] = _mm512_fmadd_ps(value, weights[p], sums[r][p]);
    }
  }
  for (int p = 0; p < P; ++p) {
    const int64_t column0 = (p0 + p) * kPanelColumns;
    const int64_t columns = std::min(kPanelColumns, w.outputs - column0);
    const __mmask16 mask = static_cast<__mmask16>((1u << columns) - 1u);
    const __m512 biases = bias ? _mm512_maskz_loadu_ps(mask, bias + column0) : _mm512_setzero_ps();
    for (int r = 0; r < R; ++r) {
      _mm512_mask_storeu_ps(y + (m0 + r) * y_stride + column0, mask, _mm512_add_ps(sums[r][p], biases));
    }
  }
}

template <int R>
HEED_F32_TARGET inline void row_block_avx512(const float* x, int64_t x_stride, const F32Weights& w, const float* bias,
                                             float* y, int64_t y_stride, int64_t m0, int64_t p0, int64_t panels) {
  switch (panels) {
    case 4: block_avx512<R, 4>(x, x_stride, w, bias, y, y_stride, m0, p0); break;
    case 3: block_avx512<R, 3>(x, x_stride, w, bias, y, y_stride, m0, p0); break;
    case 2: block_avx512<R, 2>(x, x_stride, w, bias, y, y_stride, m0, p0); break;
    default: block_avx512<R, 1>(x, x_stride, w, bias, y, y_stride, m0, p0); break;
  }
}

HEED_F32_TARGET
void gemm_avx512(const float* x, int64_t rows, int64_t x_stride, const F32Weights& w, const float* bias, float* y,
                 int64_t y_stride, int64_t panel_begin, int64_t panel_end) {
  for (int64_t p0 = panel_begin; p0 < panel_end; p0 += kBlockPanels) {
    const int64_t panels = std::min(kBlockPanels, panel_end - p0);
    for (int64_t m0 = 0; m0 < rows; m0 += kBlockRows) {
      switch (std::min(kBlockRows, rows - m0)) {
        case 4: row_block_avx512<4>(x, x_stride, w, bias, y, y_stride, m0, p0, panels); break;
        case 3: row_block_avx512<3>(x, x_stride, w, bias, y, y_stride, m0, p0, panels); break;
        case 2: row_block_avx512<2>(x, x_stride, w, bias, y, y_stride, m0, p0, panels); break;
        default: row_block_avx512<1>(x, x_stride, w, bias, y, y_stride, m0, p0, panels); break;
      }
    }
  }
}
#endif

}  // namespace

F32Weights pack_f32_weights(const float* w, int64_t outputs, int64_t inputs, int64_t row_stride) {
  F32Weights packed;
  packed.outputs = outputs;
  packed.inputs = inputs;
  packed.panels.assign(static_cast<size_t>(panel_count(outputs) * inputs * kPanelColumns), 0.0f);
  for (int64_t n = 0; n < outputs; ++n) {
    float* panel = packed.panels.data() + (n / kPanelColumns) * inputs * kPanelColumns + n % kPanelColumns;
    for (int64_t k = 0; k < inputs; ++k) panel[k * kPanelColumns] = w[n * row_stride + k];
  }
  return packed;
}

F32Weights gather_f32_rows(const F32Weights& w, const int64_t* rows, int64_t count) {
  F32Weights gathered;
  gathered.outputs = count;
  gathered.inputs = w.inputs;
  gathered.panels.assign(static_cast<size_t>(panel_count(count) * w.inputs * kPanelColumns), 0.0f);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t n = rows[i];
    const float* from = w.panels.data() + (n / kPanelColumns) * w.inputs * kPanelColumns + n % kPanelColumns;
    float* to = gathered.panels.data() + (i / kPanelColumns) * w.inputs * kPanelColumns + i % kPanelColumns;
    for (int64_t k = 0; k < w.inputs; ++k) to[k * kPanelColumns] = from[k * kPanelColumns];
  }
  return gathered;
}

void f32_gemm(const float* x, int64_t rows, int64_t x_stride, const F32Weights& w, const float* bias, float* y,
              int64_t y_stride, int64_t panel_begin, int64_t panel_end, KernelPath path) {
#ifdef HEED_F32_AVX512
  if (path == KernelPath::Best && f32_gemm_uses_avx512()) {
    gemm_avx512(x, rows, x_stride, w, bias, y, y_stride, panel_begin, panel_end);
    return;
  }
#endif
  (void)path;
  gemm_portable(x, rows, x_stride, w, bias, y, y_stride, panel_begin, panel_end);
}

bool f32_gemm_uses_avx512() {
#ifdef HEED_F32_AVX512
  static const bool native = __builtin_cpu_supports("avx512f");
  return native;
#else
  return false;
#endif
}

}  // namespace heed
