#include "kernels/int8_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/random_values.h"

namespace heed {
namespace {

using testing::uniform_floats;

struct Int8Product {
  std::vector<float> y;
  Int8Rows rows;
};

Int8Product int8_multiply(const std::vector<float>& x, int64_t m, int64_t k, const Int8Weights& w, const float* bias,
                 KernelPath path, int64_t split_panel = -1) {
  Int8Product p;
  resize_int8_rows(p.rows, m, k);
  quantize_int8_rows(x.data(), k, k, 0, m, p.rows);
  p.y.assign(static_cast<size_t>(m * w.outputs), -99.0f);
  const int64_t panels = panel_count(w.outputs);
  if (split_panel < 0) {
    int8_gemm(p.rows, w, bias, p.y.data(), w.outputs, 0, panels, path);
  } else {  // two calls, as two threads would make them
    int8_gemm(p.rows, w, bias, p.y.data(), w.outputs, 0, split_panel, path);
    int8_gemm(p.rows, w, bias, p.y.data(), w.outputs, split_panel, panels, path);
  }
  return p;
}

TEST(Int8Gemm, QuantizesWeightsPerOutputChannel) {
  // Row 0: largest magnitude 2 -> scale 2/127; row 1 all zero -> scale 0, values 0.
  const std::vector<float> w = {2.0f, -1.0f, 0.5f, 0.0f, -0.01f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
  const Int8Weights packed = pack_int8_weights(w.data(), 2, 5, 5);
  EXPECT_EQ(packed.padded_inputs, 8);
  EXPECT_FLOAT_EQ(packed.scales[0], 2.0f / 127.0f);
  EXPECT_EQ(packed.scales[1], 0.0f);
  // Wq row 0: 127, round(-63.5) = -64 (ties to even), round(31.75) = 32, 0, round(-0.635) = -1.
  const int8_t* panel = packed.panels.data();
  EXPECT_EQ(panel[0], 127);
  EXPECT_EQ(panel[1], -64);
  EXPECT_EQ(panel[2], 32);
  EXPECT_EQ(panel[3], 0);
  EXPECT_EQ(panel[64], -1);  // k = 4: the second group of 4
  EXPECT_EQ(packed.offsets[0], 128 * (127 - 64 + 32 + 0 - 1));
  EXPECT_EQ(packed.offsets[1], 0);
}

TEST(Int8Gemm, QuantizesActivationsPerRow) {
  const std::vector<float> x = {0.5f, -1.0f, 0.25f, 0.0f, 0.0f, 0.0f};
  Int8Rows rows;
  resize_int8_rows(rows, 2, 3);
  quantize_int8_rows(x.data(), 3, 3, 0, 2, rows);
  EXPECT_FLOAT_EQ(rows.scales[0], 1.0f / 127.0f);
  EXPECT_EQ(rows.scales[1], 0.0f);
  const std::vector<uint8_t> expected = {128 + 64, 128 - 127, 128 + 32, 128, 128, 128, 128, 128};
  EXPECT_EQ(rows.values, expected);
}

TEST(Int8Gemm, AgreesBitForBitOnEveryPathWithinTheQuantizationBound) {
  for (const int64_t m : {1, 2, 3, 4, 5, 9}) {
    for (const int64_t n : {1, 15, 16, 17, 70, 130}) {
      for (const int64_t k : {1, 3, 4, 7, 64, 131}) {
        SCOPED_TRACE("m " + std::to_string(m) + " n " + std::to_string(n) + " k " + std::to_string(k));
        const auto x = uniform_floats(m * k, static_cast<uint32_t>(m * 1000 + n * 10 + k), 3.0f);
        const auto wf = uniform_floats(n * k, static_cast<uint32_t>(k * 1000 + n), 0.5f);
        const auto bias = uniform_floats(n, 7);
        const Int8Weights w = pack_int8_weights(wf.data(), n, k, k);
        const Int8Product best = int8_multiply(x, m, k, w, bias.data(), KernelPath::Best);
        const Int8Product portable = int8_multiply(x, m, k, w, bias.data(), KernelPath::Portable);
        ASSERT_EQ(best.y, portable.y);  // bit for bit
        // Against the float product: within the quantization error bound,
        // sum_k (|x| dw + |w| dx + dx dw) with dx = x_scale / 2, dw = w_scale / 2.
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            double exact = bias[j], bound = 1e-5;
            const double dx = best.rows.scales[i] / 2, dw = w.scales[j] / 2;
            for (int64_t p = 0; p < k; ++p) {
              const double xv = x[i * k + p], wv = wf[j * k + p];
              exact += xv * wv;
              bound += std::fabs(xv) * dw + std::fabs(wv) * dx + dx * dw;
            }
            ASSERT_NEAR(best.y[i * n + j], exact, bound) << "at " << i << ", " << j;
          }
        }
      }
    }
  }
}

TEST(Int8Gemm, ARowsResultDependsOnThatRowAlone) {
  const int64_t m = 11, n = 83, k = 96;
  const auto x = uniform_floats(m * k, 3, 2.0f);
  const auto wf = uniform_floats(n * k, 4);
  const Int8Weights w = pack_int8_weights(wf.data(), n, k, k);
  const Int8Product all = int8_multiply(x, m, k, w, nullptr, KernelPath::Best);
  const Int8Product split = int8_multiply(x, m, k, w, nullptr, KernelPath::Best, /*split_panel=*/3);
  EXPECT_EQ(all.y, split.y);
  for (int64_t i = 0; i < m; ++i) {
    const std::vector<float> row(x.begin() + i * k, x.begin() + (i + 1) * k);
    const Int8Product alone = int8_multiply(row, 1, k, w, nullptr, KernelPath::Best);
    EXPECT_EQ(alone.y, std::vector<float>(all.y.begin() + i * n, all.y.begin() + (i + 1) * n)) << "row " << i;
  }
}

TEST(Int8Gemm, GatheredRowsAreThoseRowsPacked) {
  const int64_t n = 40, k = 13;
  const auto wf = uniform_floats(n * k, 8);
  const Int8Weights w = pack_int8_weights(wf.data(), n, k, k);
  const std::vector<int64_t> rows = {39, 0, 17, 16, 5, 5};
  std::vector<float> selected;
  for (int64_t r : rows) selected.insert(selected.end(), wf.begin() + r * k, wf.begin() + (r + 1) * k);
  const Int8Weights expected = pack_int8_weights(selected.data(), 6, k, k);
  const Int8Weights gathered = gather_int8_rows(w, rows.data(), 6);
  EXPECT_EQ(gathered.panels, expected.panels);
  EXPECT_EQ(gathered.scales, expected.scales);
  EXPECT_EQ(gathered.offsets, expected.offsets);
  EXPECT_EQ(gathered.outputs, 6);
}

TEST(Int8Gemm, AZeroRowGivesTheBias) {
  const int64_t n = 20, k = 8;
  const std::vector<float> x(static_cast<size_t>(k), 0.0f);
  const auto wf = uniform_floats(n * k, 5);
  const auto bias = uniform_floats(n, 6);
  const Int8Weights w = pack_int8_weights(wf.data(), n, k, k);
  EXPECT_EQ(int8_multiply(x, 1, k, w, bias.data(), KernelPath::Best).y, bias);
}

}  // namespace
}  // namespace heed
