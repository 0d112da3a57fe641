#include <gtest/gtest.h>
#include <torch/torch.h>

#include "train/cross_entropy.h"

namespace heed {
namespace {

namespace F = torch::nn::functional;

struct LossAndGradient {
  double loss;
  torch::Tensor gradient;  // d loss / d logits, (N, V)
};

LossAndGradient fused(const torch::Tensor& logits, const torch::Tensor& targets, double eps) {
  auto x = logits.clone().requires_grad_(true);
  const auto loss = softmax_cross_entropy(x, targets, eps);
  (loss * 3.0).backward();  // an upstream gradient other than 1
  return {loss.item<double>(), x.grad() / 3.0};
}

LossAndGradient libtorch(const torch::Tensor& logits, const torch::Tensor& targets, double eps) {
  auto x = logits.clone().requires_grad_(true);
  const auto loss = F::cross_entropy(x, targets, F::CrossEntropyFuncOptions().label_smoothing(eps));
  loss.backward();
  return {loss.item<double>(), x.grad()};
}

TEST(SoftmaxCrossEntropy, EqualsLibTorchsCrossEntropyWithAndWithoutSmoothing) {
  torch::manual_seed(1);
  const auto logits = torch::randn({37, 501}) * 4.0;
  const auto targets = torch::randint(0, 501, {37}, torch::kLong);
  for (const double eps : {0.0, 0.1, 0.3}) {
    const auto ours = fused(logits, targets, eps);
    const auto theirs = libtorch(logits, targets, eps);
    EXPECT_NEAR(ours.loss, theirs.loss, 1e-5 * theirs.loss) << "eps " << eps;
    EXPECT_TRUE(torch::allclose(ours.gradient, theirs.gradient, /*rtol=*/1e-4, /*atol=*/1e-8)) << "eps " << eps;
  }
}

TEST(SoftmaxCrossEntropy, HandComputedTwoWordVocabulary) {
  // logits (0, ln 3): p = (1/4, 3/4). Target 0: -log(1/4) = ln 4; target 1: ln(4/3).
  const auto logits = torch::tensor({0.0, std::log(3.0), 0.0, std::log(3.0)}, torch::kFloat32).view({2, 2});
  const auto targets = torch::tensor({0, 1}, torch::kLong);
  const auto plain = fused(logits, targets, 0.0);
  EXPECT_NEAR(plain.loss, (std::log(4.0) + std::log(4.0 / 3.0)) / 2.0, 1e-6);
  // Gradient (p - onehot) / N.
  const auto expected = torch::tensor({0.25 - 1.0, 0.75, 0.25, 0.75 - 1.0}, torch::kFloat32).view({2, 2}) / 2.0;
  EXPECT_TRUE(torch::allclose(plain.gradient, expected, 1e-6, 1e-7));
  // eps 0.2: each row adds 0.2 * (mean of -log p over both words - -log p_t).
  const double mean_nll = (std::log(4.0) + std::log(4.0 / 3.0)) / 2.0;
  const auto smoothed = fused(logits, targets, 0.2);
  EXPECT_NEAR(smoothed.loss, 0.8 * mean_nll + 0.2 * mean_nll, 1e-6);
  const auto expected_smoothed =
      torch::tensor({0.25 - 0.9, 0.75 - 0.1, 0.25 - 0.1, 0.75 - 0.9}, torch::kFloat32).view({2, 2}) / 2.0;
  EXPECT_TRUE(torch::allclose(smoothed.gradient, expected_smoothed, 1e-6, 1e-7));
}

TEST(SoftmaxCrossEntropy, ExactWhenTheTargetsProbabilityUnderflows) {
  // The target's logit 200 below the others: p_t = e^-200 / 2 is 0 in float.
  const auto logits = torch::tensor({0.0, 0.0, -200.0, 1.0, 2.0, 3.0}, torch::kFloat32).view({2, 3});
  const auto targets = torch::tensor({2, 0}, torch::kLong);
  const auto ours = fused(logits, targets, 0.1);
  const auto theirs = libtorch(logits, targets, 0.1);
  EXPECT_TRUE(std::isfinite(ours.loss));
  EXPECT_NEAR(ours.loss, theirs.loss, 1e-4);
  EXPECT_TRUE(torch::allclose(ours.gradient, theirs.gradient, 1e-5, 1e-7));
}

TEST(SoftmaxCrossEntropy, ASecondBackwardThroughTheSameGraphFailsLoudly) {
  auto x = torch::randn({4, 6}).requires_grad_(true);
  const auto loss = softmax_cross_entropy(x, torch::tensor({0, 1, 2, 3}, torch::kLong), 0.0);
  loss.backward({}, /*retain_graph=*/true);
  EXPECT_THROW(loss.backward(), c10::Error);
}

}  // namespace
}  // namespace heed
