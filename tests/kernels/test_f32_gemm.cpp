#include "kernels/f32_gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "support/random_values.h"

namespace heed {
namespace {

using testing::uniform_floats;

std::vector<float> f32_multiply(const std::vector<float>& x, int64_t m, int64_t k, const F32Weights& w,
                                const float* bias, KernelPath path, int64_t split_panel = -1) {
  std::vector<float> y(static_cast<size_t>(m * w.outputs), -99.0f);
  const int64_t panels = panel_count(w.outputs);
  if (split_panel < 0) {
    f32_gemm(x.data(), m, k, w, bias, y.data(), w.outputs, 0, panels, path);
  } else {
    f32_gemm(x.data(), m, k, w, bias, y.data(), w.outputs, 0, split_panel, path);
    f32_gemm(x.data(), m, k, w, bias, y.data(), w.outputs, split_panel, panels, path);
  }
  return y;
}

// Every path computes each element as the fused multiply-adds in input order, then the
// bias: exactly the float32 chain below, bit for bit.
TEST(F32Gemm, IsTheChainOfFusedMultiplyAddsOnEveryPath) {
  for (const int64_t m : {1, 2, 3, 4, 5, 9}) {
    for (const int64_t n : {1, 15, 16, 17, 70}) {
      for (const int64_t k : {1, 2, 3, 64, 131}) {
        SCOPED_TRACE("m " + std::to_string(m) + " n " + std::to_string(n) + " k " + std::to_string(k));
        const auto x = uniform_floats(m * k, static_cast<uint32_t>(m * 1000 + n * 10 + k), 3.0f);
        const auto wf = uniform_floats(n * k, static_cast<uint32_t>(k * 1000 + n), 0.5f);
        const auto bias = uniform_floats(n, 7);
        const F32Weights w = pack_f32_weights(wf.data(), n, k, k);
        const auto best = f32_multiply(x, m, k, w, bias.data(), KernelPath::Best);
        ASSERT_EQ(best, f32_multiply(x, m, k, w, bias.data(), KernelPath::Portable));
        const auto unbiased = f32_multiply(x, m, k, w, nullptr, KernelPath::Best);
        for (int64_t i = 0; i < m; ++i) {
          for (int64_t j = 0; j < n; ++j) {
            float sum = 0.0f;
            for (int64_t p = 0; p < k; ++p) sum = std::fma(x[i * k + p], wf[j * k + p], sum);
            ASSERT_EQ(best[i * n + j], sum + bias[j]) << "at " << i << ", " << j;
            ASSERT_EQ(unbiased[i * n + j], sum + 0.0f) << "at " << i << ", " << j;
          }
        }
      }
    }
  }
}

TEST(F32Gemm, GatheredRowsAreThoseRowsPacked) {
  const int64_t n = 35, k = 11;
  const auto wf = uniform_floats(n * k, 8);
  const F32Weights w = pack_f32_weights(wf.data(), n, k, k);
  const std::vector<int64_t> rows = {34, 0, 16, 15, 2};
  std::vector<float> selected;
  for (int64_t r : rows) selected.insert(selected.end(), wf.begin() + r * k, wf.begin() + (r + 1) * k);
  EXPECT_EQ(gather_f32_rows(w, rows.data(), 5).panels, pack_f32_weights(selected.data(), 5, k, k).panels);
}

TEST(F32Gemm, ARowsResultDependsOnThatRowAlone) {
  const int64_t m = 10, n = 77, k = 90;
  const auto x = uniform_floats(m * k, 3, 2.0f);
  const auto wf = uniform_floats(n * k, 4);
  const F32Weights w = pack_f32_weights(wf.data(), n, k, k);
  const auto all = f32_multiply(x, m, k, w, nullptr, KernelPath::Best);
  EXPECT_EQ(all, f32_multiply(x, m, k, w, nullptr, KernelPath::Best, /*split_panel=*/2));
  for (int64_t i = 0; i < m; ++i) {
    const std::vector<float> row(x.begin() + i * k, x.begin() + (i + 1) * k);
    EXPECT_EQ(f32_multiply(row, 1, k, w, nullptr, KernelPath::Best),
              std::vector<float>(all.begin() + i * n, all.begin() + (i + 1) * n)) << "row " << i;
  }
}

}  // namespace
}  // namespace heed
