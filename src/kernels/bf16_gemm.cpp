#include "kernels/bf16_gemm.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu_clones.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HEED_BF16_AVX512 1
#endif

// The file is compiled without floating-point contraction (ISO C++ mode): the portable
// path adds each exact product to its sum as vdpbf16ps does, one rounding per addition.

namespace heed {

namespace {

constexpr int64_t kVectorValues = kPanelColumns * kBf16Group;  // one panel group: 32 values, 64 bytes

// Not vectorised: GCC 12 vectorises the two chained in-order float additions of the
// inner loop below as a fold-left reduction and gets it wrong (one product counted
// twice, seen at -O3 and at -O2 -ftree-loop-vectorize); the AVX512-BF16 path is the fast one.
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
void gemm_portable(const Bf16Rows& x, const Bf16Weights& w, const float* bias, float* y, int64_t y_stride,
                   int64_t panel_begin, int64_t panel_end) {
  const int64_t groups = w.padded_inputs / kBf16Group;
  std::vector<float> row(static_cast<size_t>(x.padded_inputs));
  for (int64_t panel = panel_begin; panel < panel_end; ++panel) {
    const uint16_t* b = w.panels.data() + panel * groups * kVectorValues;
    const int64_t column0 = panel * kPanelColumns;
    const int64_t columns = std::min(kPanelColumns, w.outputs - column0);
    for (int64_t m = 0; m < x.rows; ++m) {
      const uint16_t* a = x.values.data() + m * x.padded_inputs;
      for (int64_t k = 0; k < x.padded_inputs; ++k) row[static_cast<size_t>(k)] = from_bf16(a[k]);
      for (int64_t c = 0; c < columns; ++c) {
        float sum = 0.0f;
        for (int64_t g = 0; g < groups; ++g) {
          const uint16_t* pair = b + g * kVectorValues + c * kBf16Group;
          sum = sum + row[static_cast<size_t>(g * 2 + 1)] * from_bf16(pair[1]);
          sum = sum + row[static_cast<size_t>(g * 2)] * from_bf16(pair[0]);
        }
        y[m * y_stride + column0 + c] = sum + (bias ? bias[column0 + c] : 0.0f);
      }
    }
  }
}

#ifdef HEED_BF16_AVX512
#define HEED_BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))

// Rows [m0, m0 + R) by panels [p0, p0 + P) in registers while k runs; per pair of inputs,
// P vector loads of the weights, R broadcasts of one pair of each row, R * P vdpbf16ps.
template <int R, int P>
HEED_BF16_TARGET inline void block_avx512(const Bf16Rows& x, const Bf16Weights& w, const float* bias, float* y,
                                          int64_t y_stride, int64_t m0, int64_t p0) {
  const int64_t groups = w.padded_inputs / kBf16Group;
  const uint16_t* b = w.panels.data() + p0 * groups * kVectorValues;
  const uint16_t* a = x.values.data() + m0 * x.padded_inputs;
  __m512 sums[R][P];
  for (int r = 0; r < R; ++r) {
    for (int p = 0; p < P; ++p) sums[r][p] = _mm512_setzero_ps();
  }
  for (int64_t g = 0; g < groups; ++g) {
    __m512bh weights[P];
    for (int p = 0; p < P; ++p) {
      weights[p] = (__m512bh)_mm512_loadu_si512(b + (p * groups + g) * kVectorValues);
    }
    for (int r = 0; r < R; ++r) {
      int32_t pair;
      std::memcpy(&pair, a + r * x.padded_inputs + g * kBf16Group, sizeof pair);
      const __m512bh row = (__m512bh)_mm512_set1_epi32(pair);
      for (int p = 0; p < P; ++p) sums[r][p] = _mm512_dpbf16_ps(sums[r][p], row, weights[p]);
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
HEED_BF16_TARGET inline void row_block_avx512(const Bf16Rows& x, const Bf16Weights& w, const float* bias, float* y,
                                              int64_t y_stride, int64_t m0, int64_t p0, int64_t panels) {
  switch (panels) {
    case 4: block_avx512<R, 4>(x, w, bias, y, y_stride, m0, p0); break;
    case 3: block_avx512<R, 3>(x, w, bias, y, y_stride, m0, p0); break;
    case 2: block_avx512<R, 2>(x, w, bias, y, y_stride, m0, p0); break;
    default: block_avx512<R, 1>(x, w, bias, y, y_stride, m0, p0); break;
  }
}

HEED_BF16_TARGET
void gemm_avx512(const Bf16Rows& x, const Bf16Weights& w, const float* bias, float* y, int64_t y_stride,
                 int64_t panel_begin, int64_t panel_end) {
  for (int64_t p0 = panel_begin; p0 < panel_end; p0 += kBlockPanels) {
    const int64_t panels = std::min(kBlockPanels, panel_end - p0);
    for (int64_t m0 = 0; m0 < x.rows; m0 += kBlockRows) {
      switch (std::min(kBlockRows, x.rows - m0)) {
        case 4: row_block_avx512<4>(x, w, bias, y, y_stride, m0, p0, panels); break;
        case 3: row_block_avx512<3>(x, w, bias, y, y_stride, m0, p0, panels); break;
        case 2: row_block_avx512<2>(x, w, bias, y, y_stride, m0, p0, panels); break;
        default: row_block_avx512<1>(x, w, bias, y, y_stride, m0, p0, panels); break;
      }
    }
  }
}
#endif

}  // namespace

uint16_t to_bf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if ((bits & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);  // quiet NaN
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float from_bf16(uint16_t bits) {
  const uint32_t wide = static_cast<uint32_t>(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof value);
  return value;
}

Bf16Weights pack_bf16_weights(const float* w, int64_t outputs, int64_t inputs, int64_t row_stride) {
  Bf16Weights packed;
  packed.outputs = outputs;
  packed.inputs = inputs;
  packed.padded_inputs = round_up(inputs, kBf16Group);
  const int64_t groups = packed.padded_inputs / kBf16Group;
  packed.panels.assign(static_cast<size_t>(panel_count(outputs) * groups * kVectorValues), 0);
  for (int64_t n = 0; n < outputs; ++n) {
    uint16_t* panel = packed.panels.data() + (n / kPanelColumns) * groups * kVectorValues;
    for (int64_t k = 0; k < inputs; ++k) {
      panel[(k / kBf16Group) * kVectorValues + (n % kPanelColumns) * kBf16Group + k % kBf16Group] =
          to_bf16(w[n * row_stride + k]);
    }
  }
  return packed;
}

Bf16Weights gather_bf16_rows(const Bf16Weights& w, const int64_t* rows, int64_t count) {
  Bf16Weights gathered;
  gathered.outputs = count;
  gathered.inputs = w.inputs;
  gathered.padded_inputs = w.padded_inputs;
  const int64_t groups = w.padded_inputs / kBf16Group;
  gathered.panels.assign(static_cast<size_t>(panel_count(count) * groups * kVectorValues), 0);
  for (int64_t i = 0; i < count; ++i) {
    const int64_t n = rows[i];
    const uint16_t* from = w.panels.data() + (n / kPanelColumns) * groups * kVectorValues + (n % kPanelColumns) * kBf16Group;
    uint16_t* to = gathered.panels.data() + (i / kPanelColumns) * groups * kVectorValues + (i % kPanelColumns) * kBf16Group;
    for (int64_t g = 0; g < groups; ++g) {
      std::memcpy(to + g * kVectorValues, from + g * kVectorValues, kBf16Group * sizeof(uint16_t));
    }
  }
  return gathered;
}

void resize_bf16_rows(Bf16Rows& out, int64_t rows, int64_t inputs) {
  out.rows = rows;
  out.padded_inputs = round_up(inputs, kBf16Group);
  out.values.resize(static_cast<size_t>(rows * out.padded_inputs));
}

HEED_CPU_CLONES
void round_bf16_rows(const float* x, int64_t inputs, int64_t row_stride, int64_t row_begin, int64_t row_end,
                     Bf16Rows& out) {
  for (int64_t m = row_begin; m < row_end; ++m) {
    uint16_t* values = out.values.data() + m * out.padded_inputs;
    for (int64_t k = 0; k < inputs; ++k) values[k] = to_bf16(x[m * row_stride + k]);
    for (int64_t k = inputs; k < out.padded_inputs; ++k) values[k] = 0;
  }
}

void bf16_gemm(const Bf16Rows& x, const Bf16Weights& w, const float* bias, float* y, int64_t y_stride,
               int64_t panel_begin, int64_t panel_end, KernelPath path) {
#ifdef HEED_BF16_AVX512
  if (path == KernelPath::Best && bf16_gemm_uses_avx512_bf16()) {
    gemm_avx512(x, w, bias, y, y_stride, panel_begin, panel_end);
    return;
  }
#endif
  (void)path;
  gemm_portable(x, w, bias, y, y_stride, panel_begin, panel_end);
}

bool bf16_gemm_uses_avx512_bf16() {
#ifdef HEED_BF16_AVX512
  static const bool native = __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512bw") &&
                             __builtin_cpu_supports("avx512vl");
  return native;
#else
  return false;
#endif
}

}  // namespace heed
