#include "kernels/small_matmul.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace heed {
namespace {

// A (rows x cols) matrix stored with the given strides inside a larger buffer.
struct StoredMatrix {
  std::vector<float> buffer;
  MatrixView view;
  float at(int64_t i, int64_t j) const { return view.data[i * view.row_stride + j * view.col_stride]; }
};

StoredMatrix random_matrix(int64_t rows, int64_t cols, bool transposed, int64_t padding, std::mt19937& rng) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  StoredMatrix m;
  // Stored row-major with `padding` extra floats per stored row; transposed: column-major.
  const int64_t stored_rows = transposed ? cols : rows, stored_cols = transposed ? rows : cols;
  const int64_t ld = stored_cols + padding;
  m.buffer.resize(static_cast<size_t>(std::max<int64_t>(1, stored_rows * ld)));
  for (auto& x : m.buffer) x = uniform(rng);
  m.view = {m.buffer.data(), rows, cols, transposed ? 1 : ld, transposed ? ld : 1};
  return m;
}

void expect_product(int64_t m, int64_t k, int64_t n, bool a_transposed, bool b_transposed, int64_t padding) {
  std::mt19937 rng(static_cast<uint32_t>(m * 10007 + k * 101 + n));
  const auto a = random_matrix(m, k, a_transposed, padding, rng);
  const auto b = random_matrix(k, n, b_transposed, padding, rng);
  std::vector<float> c(static_cast<size_t>(m * n), -7.0f), scratch;
  small_matmul(a.view, b.view, c.data(), scratch);
  for (int64_t i = 0; i < m; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double expected = 0.0;
      for (int64_t p = 0; p < k; ++p) expected += static_cast<double>(a.at(i, p)) * b.at(p, j);
      ASSERT_NEAR(c[i * n + j], expected, 1e-5 * (1.0 + std::sqrt(static_cast<double>(k))))
          << m << "x" << k << "x" << n << " at (" << i << ", " << j << ")";
    }
  }
}

TEST(SmallMatmul, EqualsTheTextbookProductForEveryShapeAndLayout) {
  // Rows around the 4-row block, columns around the 8- and 16-wide tiles, d_head-sized k.
  for (const int64_t m : {1, 3, 4, 5, 17}) {
    for (const int64_t k : {1, 7, 64}) {
      for (const int64_t n : {1, 8, 9, 16, 23, 33}) {
        for (const bool a_t : {false, true}) {
          for (const bool b_t : {false, true}) expect_product(m, k, n, a_t, b_t, /*padding=*/3);
        }
      }
    }
  }
}

TEST(SmallMatmul, EmptyInnerDimensionGivesZerosAndEmptyOutputsAreFine) {
  std::mt19937 rng(1);
  const auto a = random_matrix(3, 0, false, 0, rng);
  const auto b = random_matrix(0, 5, false, 0, rng);
  std::vector<float> c(15, 1.0f), scratch;
  small_matmul(a.view, b.view, c.data(), scratch);
  for (float x : c) EXPECT_EQ(x, 0.0f);
  const auto empty_rows = random_matrix(0, 4, false, 0, rng);
  const auto b2 = random_matrix(4, 2, false, 0, rng);
  small_matmul(empty_rows.view, b2.view, c.data(), scratch);  // writes nothing
  EXPECT_EQ(c[0], 0.0f);
}

TEST(SmallMatmul, ScratchIsReusedAcrossShapes) {
  std::vector<float> scratch;
  expect_product(17, 64, 33, false, true, 0);
  std::mt19937 rng(2);
  const auto a = random_matrix(2, 2, false, 0, rng);
  const auto b = random_matrix(2, 2, false, 0, rng);
  std::vector<float> c(4);
  small_matmul(a.view, b.view, c.data(), scratch);
  const size_t grown = scratch.size();
  small_matmul(a.view, b.view, c.data(), scratch);
  EXPECT_EQ(scratch.size(), grown);
  EXPECT_NEAR(c[1], a.at(0, 0) * b.at(0, 1) + a.at(0, 1) * b.at(1, 1), 1e-6);
}

}  // namespace
}  // namespace heed
