#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/dropout.h"

namespace heed {
namespace {

TEST(Dropout, MaskDropsTheRequestedShareAndScalesSurvivors) {
  const auto mask = dropout_mask({1000, 1001}, 0.1, 42);  // odd count: the last pair is half used
  const double dropped = (mask == 0).sum().item<double>() / static_cast<double>(mask.numel());
  EXPECT_NEAR(dropped, 0.1, 0.002);  // 1e6 draws: the standard deviation is 0.0003
  const auto kept = mask.masked_select(mask != 0);
  EXPECT_TRUE(torch::all(kept == static_cast<float>(1.0 / 0.9)).item<bool>());
  // Neighbouring elements are independent: no pair is dropped more often than p^2 allows.
  const auto flat = mask.flatten();
  const auto both = ((flat.slice(0, 0, -1) == 0) & (flat.slice(0, 1) == 0)).sum().item<double>();
  EXPECT_NEAR(both / static_cast<double>(flat.numel()), 0.01, 0.001);
}

TEST(Dropout, SameSeedSameMaskOtherSeedOtherMask) {
  EXPECT_TRUE(torch::equal(dropout_mask({257}, 0.3, 7), dropout_mask({257}, 0.3, 7)));
  EXPECT_FALSE(torch::equal(dropout_mask({257}, 0.3, 7), dropout_mask({257}, 0.3, 8)));
}

TEST(Dropout, FollowsTorchManualSeedAndIsIdentityInEval) {
  Dropout dropout(0.5);
  const auto x = torch::ones({64, 32});
  torch::manual_seed(3);
  const auto a = dropout->forward(x);
  torch::manual_seed(3);
  const auto b = dropout->forward(x);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, dropout->forward(x)));  // the generator moved on
  dropout->eval();
  EXPECT_TRUE(torch::equal(dropout->forward(x), x));
  EXPECT_TRUE(torch::equal(Dropout(0.0)->forward(x), x));
}

TEST(Dropout, GradientIsTheMask) {
  Dropout dropout(0.25);
  const auto x = torch::randn({10, 20}).requires_grad_(true);
  const auto y = dropout->forward(x);
  y.sum().backward();
  const auto mask = y.detach() / x.detach();
  EXPECT_TRUE(torch::allclose(x.grad(), mask, 1e-6, 1e-6));
  EXPECT_TRUE(torch::all((x.grad() == 0) | (x.grad() == static_cast<float>(1.0 / 0.75))).item<bool>());
}

}  // namespace
}  // namespace heed
