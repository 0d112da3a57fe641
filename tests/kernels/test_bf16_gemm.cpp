#include "kernels/bf16_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "support/random_values.h"

namespace heed {
namespace {

using testing::uniform_floats;

std::vector<float> bf16_multiply(const std::vector<float>& x, int64_t m, int64_t k, const Bf16Weights& w,
                            const float* bias, KernelPath path, int64_t split_panel = -1) {
  Bf16Rows rows;
  resize_bf16_rows(rows, m, k);
  round_bf16_rows(x.data(), k, k, 0, m, rows);
  std::vector<float> y(static_cast<size_t>(m * w.outputs), -99.0f);
  const int64_t panels = panel_count(w.outputs);
  if (split_panel < 0) {
    bf16_gemm(rows, w, bias, y.data(), w.outputs, 0, panels, path);
  } else {
    bf16_gemm(rows, w, bias, y.data(), w.outputs, 0, split_panel, path);
    bf16_gemm(rows, w, bias, y.data(), w.outputs, split_panel, panels, path);
  }
  return y;
}

TEST(Bf16Gemm, RoundsToNearestEven) {
  EXPECT_EQ(to_bf16(1.0f), 0x3f80);
  EXPECT_EQ(to_bf16(1.0f + 0x1p-8f), 0x3f80);        // a tie: to the even mantissa
  EXPECT_EQ(to_bf16(1.0f + 3 * 0x1p-8f), 0x3f82);    // a tie: to the even mantissa, up
  EXPECT_EQ(to_bf16(1.0f + 0x1p-8f + 0x1p-20f), 0x3f81);
  EXPECT_EQ(to_bf16(-2.0f), 0xc000);
  EXPECT_EQ(to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_TRUE(std::isnan(from_bf16(to_bf16(std::numeric_limits<float>::quiet_NaN()))));
  EXPECT_EQ(from_bf16(to_bf16(0.15625f)), 0.15625f);  // exact in 8 bits
}

TEST(Bf16Gemm, SumsTheRoundedProductsOnEveryPath) {
  for (const int64_t m : {1, 2, 3, 4, 5, 9}) {
    for (const int64_t n : {1, 15, 16, 17, 70}) {
      for (const int64_t k : {1, 2, 3, 64, 131}) {
        SCOPED_TRACE("m " + std::to_string(m) + " n " + std::to_string(n) + " k " + std::to_string(k));
        const auto x = uniform_floats(m * k, static_cast<uint32_t>(m * 1000 + n * 10 + k), 3.0f);
        const auto wf = uniform_floats(n * k, static_cast<uint32_t>(k * 1000 + n), 0.5f);
        const auto bias = uniform_floats(n, 7);
        const Bf16Weights w = pack_bf16_weights(wf.data(), n, k, k);
        const auto best = bf16_multiply(x, m, k, w, bias.data(), KernelPath::Best);
        ASSERT_EQ(best, bf16_multiply(x, m, k, w, bias.data(), KernelPath::Portable));  // no denormals here
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            // The products of the rounded values, exact in double; float32 sums add at
            // most k roundings of 2^-24 relative to the running sum.
            double rounded = bias[j], magnitude = std::fabs(bias[j]);
            for (int64_t p = 0; p < k; ++p) {
              const double product = static_cast<double>(from_bf16(to_bf16(x[i * k + p]))) *
                                     from_bf16(to_bf16(wf[j * k + p]));
              rounded += product;
              magnitude += std::fabs(product);
            }
            ASSERT_NEAR(best[i * n + j], rounded, (k + 1) * 0x1p-23 * magnitude) << "at " << i << ", " << j;
          }
        }
      }
    }
  }
}

TEST(Bf16Gemm, GatheredRowsAreThoseRowsPacked) {
  const int64_t n = 35, k = 11;
  const auto wf = uniform_floats(n * k, 8);
  const Bf16Weights w = pack_bf16_weights(wf.data(), n, k, k);
  const std::vector<int64_t> rows = {34, 0, 16, 15, 2};
  std::vector<float> selected;
  for (int64_t r : rows) selected.insert(selected.end(), wf.begin() + r * k, wf.begin() + (r + 1) * k);
  EXPECT_EQ(gather_bf16_rows(w, rows.data(), 5).panels, pack_bf16_weights(selected.data(), 5, k, k).panels);
}

TEST(Bf16Gemm, ARowsResultDependsOnThatRowAlone) {
  const int64_t m = 10, n = 77, k = 90;
  const auto x = uniform_floats(m * k, 3, 2.0f);
  const auto wf = uniform_floats(n * k, 4);
  const Bf16Weights w = pack_bf16_weights(wf.data(), n, k, k);
  const auto all = bf16_multiply(x, m, k, w, nullptr, KernelPath::Best);
  EXPECT_EQ(all, bf16_multiply(x, m, k, w, nullptr, KernelPath::Best, /*split_panel=*/2));
  for (int64_t i = 0; i < m; ++i) {
    const std::vector<float> row(x.begin() + i * k, x.begin() + (i + 1) * k);
    EXPECT_EQ(bf16_multiply(row, 1, k, w, nullptr, KernelPath::Best),
              std::vector<float>(all.begin() + i * n, all.begin() + (i + 1) * n)) << "row " << i;
  }
}

}  // namespace
}  // namespace heed
