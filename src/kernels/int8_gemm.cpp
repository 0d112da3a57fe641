#include "kernels/int8_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "kernels/cpu_clones.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HEED_INT8_VNNI 1
#endif

// GCC 12's _mm512_undefined_ps (inside _mm512_cvtepi32_ps) reads itself on purpose.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

// The file is compiled without floating-point contraction (ISO C++ mode), so the
// portable path rounds each multiplication as the vector path does.

namespace heed {

namespace {

constexpr int64_t kVectorBytes = kPanelColumns * kInt8Group;  // one panel group: 64 bytes

int8_t quantize(float value, float inverse_scale) {
  const float q = std::nearbyint(value * inverse_scale);
  return static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f));
}

// The float steps after the integer sum; the vector path does the same, in this order.
float dequantize(int32_t sum, int32_t offset, float w_scale, float x_scale, float bias) {
  float value = static_cast<float>(sum - offset) * w_scale;
  value = value * x_scale;
  return value + bias;
}

HEED_CPU_CLONES
void gemm_portable(const Int8Rows& x, const Int8Weights& w, const float* bias, float* y, int64_t y_stride,
                   int64_t panel_begin, int64_t panel_end) {
  const int64_t groups = w.padded_inputs / kInt8Group;
  for (int64_t panel = panel_begin; panel < panel_end; ++panel) {
    const int8_t* b = w.panels.data() + panel * groups * kVectorBytes;
    const int64_t column0 = panel * kPanelColumns;
    const int64_t columns = std::min(kPanelColumns, w.outputs - column0);
    for (int64_t m = 0; m < x.rows; ++m) {
      const uint8_t* a = x.values.data() + m * x.padded_inputs;
      int32_t sums[kPanelColumns] = {};
      for (int64_t g = 0; g < groups; ++g) {
        for (int64_t c = 0; c < kPanelColumns; ++c) {
          for (int64_t j = 0; j < kInt8Group; ++j) {
            sums[c] += static_cast<int32_t>(a[g * kInt8Group + j]) *
                       static_cast<int32_t>(b[g * kVectorBytes + c * kInt8Group + j]);
          }
        }
      }
      for (int64_t c = 0; c < columns; ++c) {
        const int64_t n = column0 + c;
        y[m * y_stride + n] = dequantize(sums[c], w.offsets[n], w.scales[n], x.scales[m], bias ? bias[n] : 0.0f);
      }
    }
  }
}

#ifdef HEED_INT8_VNNI
#define HEED_VNNI_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

// Rows [m0, m0 + R) by panels [p0, p0 + P): R * P accumulators stay in registers while k
// runs; per group of 4 inputs, P vector loads of the weights, R broadcasts of 4 bytes of
// each row, R * P vpdpbusd.
template <int R, int P>
HEED_VNNI_TARGET inline void block_vnni(const Int8Rows& x, const Int8Weights& w, const float* bias, float* y,
                                        int64_t y_stride, int64_t m0, int64_t p0) {
  const int64_t groups = w.padded_inputs / kInt8Group;
  const int8_t* b = w.panels.data() + p0 * groups * kVectorBytes;
  const uint8_t* a = x.values.data() + m0 * x.padded_inputs;
  __m512i sums[R][P];
  for (int r = 0; r < R; ++r) {
    for (int p = 0; p < P; ++p) sums[r][p] = _mm512_setzero_si512();
  }
  for (int64_t g = 0; g < groups; ++g) {
    __m512i weights[P];
    for (int p = 0; p < P; ++p) weights[p] = _mm512_loadu_si512(b + (p * groups + g) * kVectorBytes);
    for (int r = 0; r < R; ++r) {
      int32_t quad;
      std::memcpy(&quad, a + r * x.padded_inputs + g * kInt8Group, sizeof quad);
      const __m512i row = _mm512_set1_epi32(quad);
      for (int p = 0; p < P; ++p) sums[r][p] = _mm512_dpbusd_epi32(sums[r][p], row, weights[p]);
    }
  }
  for (int p = 0; p < P; ++p) {
    const int64_t column0 = (p0 + p) * kPanelColumns;
    const int64_t columns = std::min(kPanelColumns, w.outputs - column0);
    const __mmask16 mask = static_cast<__mmask16>((1u << columns) - 1u);
    const __m512i offsets = _mm512_loadu_si512(w.offsets.data() + column0);
    const __m512 w_scales = _mm512_loadu_ps(w.scales.data() + column0);
    const __m512 biases = bias ? _mm512_maskz_loadu_ps(mask, bias + column0) : _mm512_setzero_ps();
    for (int r = 0; r < R; ++r) {
      __m512 value = _mm512_cvtepi32_ps(_mm512_sub_epi32(sums[r][p], offsets));
      value = _mm512_mul_ps(value, w_scales);
      value = _mm512_mul_ps(value, _mm512_set1_ps(x.scales[m0 + r]));
      value = _mm512_add_ps(value, biases);
      _mm512_mask_storeu_ps(y + (m0 + r) * y_stride + column0, mask, value);
    }
  }
}

template <int R>
HEED_VNNI_TARGET inline void row_block_vnni(const Int8Rows& x, const Int8Weights& w, const float* bias, float* y,
                                            int64_t y_stride, int64_t m0, int64_t p0, int64_t panels) {
  switch (panels) {
    case 4: block_vnni<R, 4>(x, w, bias, y, y_stride, m0, p0); break;
    case 3: block_vnni<R, 3>(x, w, bias, y, y_stride, m0, p0); break;
    case 2: block_vnni<R, 2>(x, w, bias, y, y_stride, m0, p0); break;
    default: block_vnni<R, 1>(x, w, bias, y, y_stride, m0, p0); break;
  }
}

HEED_VNNI_TARGET
void gemm_vnni(const Int8Rows& x, const Int8Weights& w, const float* bias, float* y, int64_t y_stride,
               int64_t panel_begin, int64_t panel_end) {
  // Columns outside, rows inside: a block of weights (K x 64 bytes) is read from memory
  // once and reused, from cache, by every block of rows.
  for (int64_t p0 = panel_begin; p0 < panel_end; p0 += kBlockPanels) {
    const int64_t panels = std::min(kBlockPanels, panel_end - p0);
    for (int64_t m0 = 0; m0 < x.rows; m0 += kBlockRows) {
      switch (std::min(kBlockRows, x.rows - m0)) {
        case 4: row_block_vnni<4>(x, w, bias, y, y_stride, m0, p0, panels); break;
        case 3: row_block_vnni<3>(x, w, bias, y, y_stride, m0, p0, panels); break;
        case 2: row_block_vnni<2>(x, w, bias, y, y_stride, m0, p0, panels); break;
        default: row_block_vnni<1>(x, w, bias, y, y_stride, m0, p0, panels); break;
      }
    }
  }
}
#endif

}  // namespace

Int8Weights pack_int8_weights(const float* w, int64_t outputs, int64_t inputs, int64_t row_stride) {
  Int8Weights packed;
  packed.outputs = outputs;
  packed.inputs = inputs;
  packed.padded_inputs = round_up(inputs, kInt8Group);
  const int64_t panels = panel_count(outputs);
  const int64_t groups = packed.padded_inputs / kInt8Group;
  packed.panels.assign(static_cast<size_t>(panels * groups * kVectorBytes), 0);
  packed.scales.assign(static_cast<size_t>(panels * kPanelColumns), 0.0f);
  packed.offsets.assign(static_cast<size_t>(panels * kPanelColumns), 0);
  for (int64_t n = 0; n < outputs; ++n) {
    const float* row = w + n * row_stride;
    float largest = 0.0f;
    for (int64_t k = 0; k < inputs; ++k) largest = std::max(largest, std::fabs(row[k]));
    const float scale = largest / 127.0f;
    const float inverse = largest > 0.0f ? 127.0f / largest : 0.0f;
    packed.scales[n] = scale;
    int32_t sum = 0;
    int8_t* panel = packed.panels.data() + (n / kPanelColumns) * groups * kVectorBytes;
    for (int64_t k = 0; k < inputs; ++k) {
      const int8_t q = quantize(row[k], inverse);
      panel[(k / kInt8Group) * kVectorBytes + (n % kPanelColumns) * kInt8Group + k % kInt8Group] = q;
      sum += q;
    }
    packed.offsets[n] = 128 * sum;
  }
  return packed;
}

Int8Weights gather_int8_rows(const Int8Weights& w, const int64_t* rows, int64_t count) {
  Int8Weights gathered;
  gathered.outputs = count;
  gathered.inputs = w.inputs;
  gathered.padded_inputs = w.padded_inputs;
  const int64_t groups = w.padded_inputs / kInt8Group;
  const int64_t panels = panel_count(count);
  gathered.panels.assign(static_cast<size_t>(panels * groups * kVectorBytes), 0);
  gathered.scales.assign(static_cast<size_t>(panels * kPanelColumns), 0.0f);
  gathered.offsets.assign(static_cast<size_t>(panels * kPanelColumns), 0);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t n = rows[i];
    const int8_t* from = w.panels.data() + (n / kPanelColumns) * groups * kVectorBytes + (n % kPanelColumns) * kInt8Group;
    int8_t* to = gathered.panels.data() + (i / kPanelColumns) * groups * kVectorBytes + (i % kPanelColumns) * kInt8Group;
    for (int64_t g = 0; g < groups; ++g) std::memcpy(to + g * kVectorBytes, from + g * kVectorBytes, kInt8Group);
    gathered.scales[static_cast<size_t>(i)] = w.scales[static_cast<size_t>(n)];
    gathered.offsets[static_cast<size_t>(i)] = w.offsets[static_cast<size_t>(n)];
  }
  return gathered;
}

void resize_int8_rows(Int8Rows& out, int64_t rows, int64_t inputs) {
  out.rows = rows;
  out.padded_inputs = round_up(inputs, kInt8Group);
  out.values.resize(static_cast<size_t>(rows * out.padded_inputs));
  out.scales.resize(static_cast<size_t>(rows));
}

HEED_CPU_CLONES
void quantize_int8_rows(const float* x, int64_t inputs, int64_t row_stride, int64_t row_begin, int64_t row_end,
                        Int8Rows& out) {
  for (int64_t m = row_begin; m < row_end; ++m) {
    const float* row = x + m * row_stride;
    float largest = 0.0f;
    for (int64_t k = 0; k < inputs; ++k) largest = std::max(largest, std::fabs(row[k]));
    const float inverse = largest > 0.0f ? 127.0f / largest : 0.0f;
    out.scales[m] = largest / 127.0f;
    uint8_t* values = out.values.data() + m * out.padded_inputs;
    for (int64_t k = 0; k < inputs; ++k) {
      values[k] = static_cast<uint8_t>(quantize(row[k], inverse) + 128);
    }
    for (int64_t k = inputs; k < out.padded_inputs; ++k) values[k] = 128;
  }
}

void int8_gemm(const Int8Rows& x, const Int8Weights& w, const float* bias, float* y, int64_t y_stride,
               int64_t panel_begin, int64_t panel_end, KernelPath path) {
#ifdef HEED_INT8_VNNI
  if (path == KernelPath::Best && int8_gemm_uses_vnni()) {
    gemm_vnni(x, w, bias, y, y_stride, panel_begin, panel_end);
    return;
  }
#endif
  (void)path;
  gemm_portable(x, w, bias, y, y_stride, panel_begin, panel_end);
}

bool int8_gemm_uses_vnni() {
#ifdef HEED_INT8_VNNI
  static const bool vnni = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512vl");
  return vnni;
#else
  return false;
#endif
}

}  // namespace heed
