// The product of two small float matrices, as attention makes them by the thousand.
//
// A Transformer's attention multiplies one (Tq, d_head) by one (d_head, Tk) matrix per
// sentence and head: tens of rows and columns each, thousands of pairs per training
// step. A BLAS call per pair spends as much time packing and dispatching as computing;
// this kernel reads the operands where they lie. When both run contiguously along the
// inner dimension (Q K^T) every element is a vectorised dot product; otherwise a block
// of 4 rows by 16 columns of the result stays in registers while the inner dimension
// runs (the right operand is copied to padded rows first only when its rows are not
// contiguous or not a multiple of 8 long). Compiled for AVX-512, AVX2+FMA and baseline
// x86-64, picked at load time for the CPU it runs on. Plain C++: no LibTorch here.
#pragma once

#include <cstdint>
#include <vector>

namespace heed {

// A strided view of a row-major-or-not float matrix: element (i, j) is
// data[i * row_stride + j * col_stride].
struct MatrixView {
  const float* data;
  int64_t rows;
  int64_t cols;
  int64_t row_stride;
  int64_t col_stride;
};

// c = a b, c contiguous row-major (a.rows, b.cols); a.cols == b.rows. `scratch` holds a
// padded copy of b when one is needed and grows as needed (reuse one per thread).
void small_matmul(const MatrixView& a, const MatrixView& b, float* c, std::vector<float>& scratch);

}  // namespace heed
