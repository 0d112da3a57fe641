#include "models/packed_linear.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "util/thread_team.h"

namespace heed {
namespace {

TEST(PackedLinear, FollowsTheFloatProductInEachPrecision) {
  torch::manual_seed(3);
  const auto weight = torch::randn({37, 29});
  const auto bias = torch::randn({37});
  const auto x = torch::randn({2, 5, 29});  // any leading shape
  const auto expected = torch::nn::functional::linear(x, weight, bias);
  for (const auto& [precision, tolerance] : {std::pair{Precision::BFloat16, 0.1}, std::pair{Precision::Int8, 0.25}}) {
    SCOPED_TRACE(precision_name(precision));
    const PackedLinear packed(weight, bias, precision);
    ASSERT_TRUE(packed);
    const auto y = packed(x);
    EXPECT_EQ(y.sizes(), expected.sizes());
    EXPECT_LE((y - expected).abs().max().item<double>(), tolerance);
    // Without a bias; on a strided weight (a slice of columns, as the models pack them).
    const auto wide = torch::randn({37, 40});
    const auto slice = wide.narrow(1, 3, 29);
    const auto sliced = PackedLinear(slice, torch::Tensor(), precision)(x);
    EXPECT_LE((sliced - torch::nn::functional::linear(x, slice)).abs().max().item<double>(), tolerance);
    // A row's result is the same alone.
    const auto row = packed(x[1][3].unsqueeze(0));
    EXPECT_TRUE(torch::equal(row[0], y[1][3]));
  }
}

// A product large enough to split over a thread team (a server worker's) gives the same
// bits as on LibTorch's threads: each output column is one thread's, whichever.
TEST(PackedLinear, ATeamSplitsLargeProductsWithoutChangingThem) {
  struct Packing {
    Packing() { pack_float32_products(true); }
    ~Packing() { pack_float32_products(false); }
  } packing;
  torch::manual_seed(5);
  const auto weight = torch::randn({3000, 512});
  const auto bias = torch::randn({3000});
  const auto x = torch::randn({16, 512});
  ThreadTeam team(2);
  for (const Precision precision : {Precision::Float32, Precision::BFloat16, Precision::Int8}) {
    SCOPED_TRACE(precision_name(precision));
    const PackedLinear packed(weight, bias, precision);
    ASSERT_TRUE(packed);
    const auto expected = packed(x);
    const ThreadTeamScope scope(&team);
    for (int repeat = 0; repeat < 5; ++repeat) EXPECT_TRUE(torch::equal(packed(x), expected));
    // Two rows: split too (below four rows a panel counts as four).
    EXPECT_TRUE(torch::equal(packed(x.narrow(0, 3, 2)), expected.narrow(0, 3, 2)));
  }
  // A product too small to split runs on the caller alone, with the same result.
  const PackedLinear small(weight.narrow(0, 0, 40), bias.narrow(0, 0, 40), Precision::Float32);
  const auto alone = small(x);
  const ThreadTeamScope scope(&team);
  EXPECT_TRUE(torch::equal(small(x), alone));
}

TEST(PackedLinear, Float32PacksNothing) {
  const PackedLinear packed(torch::randn({4, 3}), torch::Tensor(), Precision::Float32);
  EXPECT_FALSE(packed);
  EXPECT_FALSE(PackedLinear());
}

}  // namespace
}  // namespace heed
