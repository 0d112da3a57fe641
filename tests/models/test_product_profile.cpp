#include "models/product_profile.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/packed_linear.h"

namespace heed {
namespace {

// A product counts once with its multiply-adds doubled, also when LibTorch's linear calls
// matmul or addmm inside; element-wise work and products outside the profile do not count.
TEST(ProductProfile, CountsEachOutermostProductOnce) {
  torch::NoGradGuard no_grad;
  const auto w = torch::randn({5, 4});
  const auto b = torch::randn({5});
  torch::nn::functional::linear(torch::randn({3, 4}), w, b);  // before the profile
  ProductProfile profile;
  EXPECT_TRUE(profiling_products());
  torch::nn::functional::linear(torch::randn({3, 4}), w, b);      // addmm inside
  torch::nn::functional::linear(torch::randn({2, 3, 4}), w, b);   // matmul inside
  torch::mm(torch::randn({7, 4}), w.t());
  (torch::randn({3, 4}) * 2.0).relu();
  PackedLinear(w, b, Precision::Int8)(torch::randn({6, 4}));
  const ProductTotals totals = profile.totals();
  EXPECT_EQ(totals.calls, 4);
  EXPECT_DOUBLE_EQ(totals.flops, 2.0 * (3 + 6 + 7 + 6) * 4 * 5);
  EXPECT_GT(totals.seconds, 0.0);
}

}  // namespace
}  // namespace heed
