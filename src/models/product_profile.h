// How much of a run's time its matrix products take, and how fast they run.
//
// While a ProductProfile is alive, every product of a linear layer is counted: LibTorch's
// (linear, addmm, mm, matmul, bmm, observed through its RecordFunction callbacks, the
// outermost one only when one calls another) and heed's packed bf16 / int8 products
// (packed_linear.h). The attention's own products (scores and weighted sums) and
// everything element-wise count as "the rest". Observing costs a few microseconds per
// LibTorch operation, so a profiled run is a little slower than a plain one.
#pragma once

#include <cstdint>

namespace heed {

struct ProductTotals {
  int64_t calls = 0;
  double flops = 0.0;    // floating-point (or integer) operations: 2 per multiply-add
  double seconds = 0.0;  // wall time inside the products
};

class ProductProfile {
 public:
  ProductProfile();   // starts counting (one profile at a time)
  ~ProductProfile();  // stops
  ProductProfile(const ProductProfile&) = delete;
  ProductProfile& operator=(const ProductProfile&) = delete;

  ProductTotals totals() const;
};

// For heed's own products: true while a profile counts.
bool profiling_products();
// Adds one product of `flops` operations that took `seconds`.
void record_product(double flops, double seconds);

}  // namespace heed
