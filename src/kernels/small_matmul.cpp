#include "kernels/small_matmul.h"

#include <algorithm>
#include <cstring>

#include "kernels/cpu_clones.h"

// This file is compiled with -ffp-contract=fast (CMakeLists.txt), so that a * b + c
// becomes one fused multiply-add where the CPU has one.

namespace heed {

namespace {

constexpr int64_t kLanes = 8;       // floats per vector
constexpr int64_t kBlockRows = 4;   // rows of c computed together

// Eight floats; GCC and Clang lower it to one AVX register, or to two SSE ones.
typedef float Vec8 __attribute__((vector_size(32), aligned(4)));

// Unaligned loads and stores as memcpy, which compiles to one move. Macros rather than
// functions: a function taking or returning Vec8 would have a different ABI in each clone.
#define HEED_LOAD(vec, ptr) std::memcpy(&(vec), (ptr), sizeof(Vec8))
#define HEED_STORE(ptr, vec) std::memcpy((ptr), &(vec), sizeof(Vec8))

// Shuffle masks over two Vec8 (indices 8-15 pick from the second).
typedef int32_t Lanes8 __attribute__((vector_size(32)));
constexpr Lanes8 kEven = {0, 8, 2, 10, 4, 12, 6, 14};
constexpr Lanes8 kOdd = {1, 9, 3, 11, 5, 13, 7, 15};
constexpr Lanes8 kEvenPairs = {0, 1, 8, 9, 4, 5, 12, 13};
constexpr Lanes8 kOddPairs = {2, 3, 10, 11, 6, 7, 14, 15};
constexpr Lanes8 kLowHalves = {0, 1, 2, 3, 8, 9, 10, 11};
constexpr Lanes8 kHighHalves = {4, 5, 6, 7, 12, 13, 14, 15};

// c (m, n), contiguous, = a b where b's rows are contiguous: b[p * ldb + j], readable up
// to column n rounded up to a multiple of 8. a may have any strides. Each block of 4 rows
// by 16 (or, last, 8) columns of c stays in registers while p runs over k: per p, four
// broadcasts of a, two loads of b, eight fused multiply-adds.
HEED_CPU_CLONES
void multiply_by_rows(const MatrixView& a, const float* b, int64_t ldb, float* c, int64_t n) {
  const int64_t m = a.rows, k = a.cols, rs = a.row_stride, cs = a.col_stride;
  float tile[kBlockRows][2 * kLanes];
  for (int64_t i0 = 0; i0 < m; i0 += kBlockRows) {
    const int64_t rows = std::min(kBlockRows, m - i0);
    // Rows past the end repeat the last one; their results are not stored.
    const float* a0 = a.data + i0 * rs;
    const float* a1 = a.data + std::min(i0 + 1, m - 1) * rs;
    const float* a2 = a.data + std::min(i0 + 2, m - 1) * rs;
    const float* a3 = a.data + std::min(i0 + 3, m - 1) * rs;
    for (int64_t j0 = 0; j0 < n; j0 += 2 * kLanes) {
      const int64_t cols = std::min(2 * kLanes, n - j0);
      const bool fits = rows == kBlockRows && cols == 2 * kLanes;
      float* c_block = c + i0 * n + j0;
      if (cols > kLanes) {
        Vec8 c00{}, c01{}, c10{}, c11{}, c20{}, c21{}, c30{}, c31{};
        for (int64_t p = 0; p < k; ++p) {
          Vec8 b0, b1;
          HEED_LOAD(b0, b + p * ldb + j0);
          HEED_LOAD(b1, b + p * ldb + j0 + kLanes);
          const float x0 = a0[p * cs], x1 = a1[p * cs], x2 = a2[p * cs], x3 = a3[p * cs];
          c00 += x0 * b0; c01 += x0 * b1;
          c10 += x1 * b0; c11 += x1 * b1;
          c20 += x2 * b0; c21 += x2 * b1;
          c30 += x3 * b0; c31 += x3 * b1;
        }
        if (fits) {
          HEED_STORE(c_block, c00); HEED_STORE(c_block + kLanes, c01);
          HEED_STORE(c_block + n, c10); HEED_STORE(c_block + n + kLanes, c11);
          HEED_STORE(c_block + 2 * n, c20); HEED_STORE(c_block + 2 * n + kLanes, c21);
          HEED_STORE(c_block + 3 * n, c30); HEED_STORE(c_block + 3 * n + kLanes, c31);
          continue;
        }
        HEED_STORE(tile[0], c00); HEED_STORE(tile[0] + kLanes, c01);
        HEED_STORE(tile[1], c10); HEED_STORE(tile[1] + kLanes, c11);
        HEED_STORE(tile[2], c20); HEED_STORE(tile[2] + kLanes, c21);
        HEED_STORE(tile[3], c30); HEED_STORE(tile[3] + kLanes, c31);
      } else {
        Vec8 c0{}, c1{}, c2{}, c3{};
        for (int64_t p = 0; p < k; ++p) {
          Vec8 b0;
          HEED_LOAD(b0, b + p * ldb + j0);
          c0 += a0[p * cs] * b0; c1 += a1[p * cs] * b0; c2 += a2[p * cs] * b0; c3 += a3[p * cs] * b0;
        }
        HEED_STORE(tile[0], c0); HEED_STORE(tile[1], c1); HEED_STORE(tile[2], c2); HEED_STORE(tile[3], c3);
      }
      for (int64_t r = 0; r < rows; ++r) std::memcpy(c_block + r * n, tile[r], sizeof(float) * cols);
    }
  }
}

// c (m, n), contiguous, = a b where a's rows and b's columns are both contiguous along k
// (a[i * lda + p], b[j * ldb + p]; Q K^T): every element is a dot product, computed 8
// lanes at a time for a block of 4 rows by 2 columns.
HEED_CPU_CLONES
void multiply_by_dots(const float* a, int64_t lda, const float* b, int64_t ldb, float* c, int64_t m, int64_t k,
                      int64_t n) {
  const int64_t k_vec = k / kLanes * kLanes;
  for (int64_t i0 = 0; i0 < m; i0 += kBlockRows) {
    const int64_t rows = std::min(kBlockRows, m - i0);
    const float* a_row[kBlockRows];
    for (int64_t r = 0; r < kBlockRows; ++r) a_row[r] = a + std::min(i0 + r, m - 1) * lda;
    for (int64_t j0 = 0; j0 < n; j0 += 2) {
      const int64_t cols = std::min<int64_t>(2, n - j0);
      const float* b0_row = b + j0 * ldb;
      const float* b1_row = b + std::min(j0 + 1, n - 1) * ldb;
      Vec8 s00{}, s01{}, s10{}, s11{}, s20{}, s21{}, s30{}, s31{};
      for (int64_t p = 0; p < k_vec; p += kLanes) {
        Vec8 x0, x1, x2, x3, y0, y1;
        HEED_LOAD(y0, b0_row + p);
        HEED_LOAD(y1, b1_row + p);
        HEED_LOAD(x0, a_row[0] + p);
        HEED_LOAD(x1, a_row[1] + p);
        HEED_LOAD(x2, a_row[2] + p);
        HEED_LOAD(x3, a_row[3] + p);
        s00 += x0 * y0; s01 += x0 * y1;
        s10 += x1 * y0; s11 += x1 * y1;
        s20 += x2 * y0; s21 += x2 * y1;
        s30 += x3 * y0; s31 += x3 * y1;
      }
      // Eight lane sums at once: three rounds of pairwise shuffles and adds leave
      // out = (s00, s01, s10, s11, s20, s21, s30, s31) summed over their lanes.
      const Vec8 u0 = __builtin_shuffle(s00, s01, kEven) + __builtin_shuffle(s00, s01, kOdd);
      const Vec8 u1 = __builtin_shuffle(s10, s11, kEven) + __builtin_shuffle(s10, s11, kOdd);
      const Vec8 u2 = __builtin_shuffle(s20, s21, kEven) + __builtin_shuffle(s20, s21, kOdd);
      const Vec8 u3 = __builtin_shuffle(s30, s31, kEven) + __builtin_shuffle(s30, s31, kOdd);
      const Vec8 v0 = __builtin_shuffle(u0, u1, kEvenPairs) + __builtin_shuffle(u0, u1, kOddPairs);
      const Vec8 v1 = __builtin_shuffle(u2, u3, kEvenPairs) + __builtin_shuffle(u2, u3, kOddPairs);
      const Vec8 sums = __builtin_shuffle(v0, v1, kLowHalves) + __builtin_shuffle(v0, v1, kHighHalves);
      float out[kBlockRows][2];
      HEED_STORE(&out[0][0], sums);
      for (int64_t p = k_vec; p < k; ++p) {
        for (int64_t r = 0; r < kBlockRows; ++r) {
          out[r][0] += a_row[r][p] * b0_row[p];
          out[r][1] += a_row[r][p] * b1_row[p];
        }
      }
      for (int64_t r = 0; r < rows; ++r) {
        for (int64_t s = 0; s < cols; ++s) c[(i0 + r) * n + j0 + s] = out[r][s];
      }
    }
  }
}

}  // namespace

void small_matmul(const MatrixView& a, const MatrixView& b, float* c, std::vector<float>& scratch) {
  const int64_t m = a.rows, k = a.cols, n = b.cols;
  if (m == 0 || n == 0) return;
  if (k == 0) {
    std::fill(c, c + m * n, 0.0f);
    return;
  }
  if (a.col_stride == 1 && b.row_stride == 1 && k >= kLanes) {  // rows of a against columns of b
    multiply_by_dots(a.data, a.row_stride, b.data, b.col_stride, c, m, k, n);
    return;
  }
  if (b.col_stride == 1 && n % kLanes == 0) {  // b's rows are read in place
    multiply_by_rows(a, b.data, b.row_stride, c, n);
    return;
  }
  // Otherwise b is first copied to contiguous rows padded to a multiple of 8 columns.
  const int64_t ldb = (n + kLanes - 1) / kLanes * kLanes;
  if (static_cast<int64_t>(scratch.size()) < k * ldb) scratch.resize(k * ldb);
  float* packed = scratch.data();
  for (int64_t p = 0; p < k; ++p) {
    float* out = packed + p * ldb;
    const float* row = b.data + p * b.row_stride;
    if (b.col_stride == 1) {
      std::memcpy(out, row, sizeof(float) * n);
    } else {
      for (int64_t j = 0; j < n; ++j) out[j] = row[j * b.col_stride];
    }
    std::fill(out + n, out + ldb, 0.0f);
  }
  multiply_by_rows(a, packed, ldb, c, n);
}

}  // namespace heed
