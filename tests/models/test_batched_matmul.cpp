#include "models/batched_matmul.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace heed {
namespace {

// Attention's operands: heads split from (B, T, H * d) by a view and a transpose, keys
// transposed once more: none of them contiguous.
struct Heads {
  torch::Tensor queries;  // (B, H, Tq, d)
  torch::Tensor keys;     // (B, H, Tk, d)
};

Heads random_heads(int64_t batch, int64_t heads, int64_t tq, int64_t tk, int64_t d) {
  auto q = torch::randn({batch, tq, heads * d}).view({batch, tq, heads, d}).transpose(1, 2);
  auto k = torch::randn({batch, tk, heads * d}).view({batch, tk, heads, d}).transpose(1, 2);
  return {q.detach().requires_grad_(true), k.detach().requires_grad_(true)};
}

TEST(BatchedMatmul, ForwardAndGradientsEqualTorchMatmulOnStridedHeads) {
  torch::manual_seed(11);
  const auto mine = random_heads(3, 4, 5, 19, 16);
  const auto theirs = Heads{mine.queries.detach().clone().requires_grad_(true),
                            mine.keys.detach().clone().requires_grad_(true)};
  const auto upstream = torch::randn({3, 4, 5, 19});
  const auto ours = batched_matmul(mine.queries, mine.keys.transpose(2, 3));  // (B, H, Tq, Tk)
  const auto reference = torch::matmul(theirs.queries, theirs.keys.transpose(2, 3));
  ASSERT_EQ(ours.sizes(), reference.sizes());
  EXPECT_TRUE(torch::allclose(ours, reference, 1e-5, 1e-5));
  (ours * upstream).sum().backward();
  (reference * upstream).sum().backward();
  EXPECT_TRUE(torch::allclose(mine.queries.grad(), theirs.queries.grad(), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(mine.keys.grad(), theirs.keys.grad(), 1e-5, 1e-5));
}

TEST(BatchedMatmul, WeightsTimesValuesAndOnlyTheNeededGradient) {
  torch::manual_seed(12);
  const auto weights = torch::softmax(torch::randn({2, 3, 7, 9}), -1);  // no gradient wanted
  auto values = torch::randn({2, 9, 3 * 8}).view({2, 9, 3, 8}).transpose(1, 2).detach().requires_grad_(true);
  const auto ours = batched_matmul(weights, values);  // (2, 3, 7, 8)
  EXPECT_TRUE(torch::allclose(ours, torch::matmul(weights, values), 1e-5, 1e-6));
  ours.sum().backward();
  // d sum / d values[k, :] = sum over queries of weights[q, k].
  const auto expected = weights.sum(2).unsqueeze(3).expand({2, 3, 9, 8});
  EXPECT_TRUE(torch::allclose(values.grad(), expected, 1e-5, 1e-6));
  EXPECT_FALSE(weights.grad().defined());
}

TEST(BatchedMatmul, OtherShapesAndTypesFallBackToTorchMatmul) {
  const auto a = torch::randn({2, 3, 4, 5}, torch::kFloat64);
  const auto b = torch::randn({2, 3, 5, 6}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(batched_matmul(a, b), torch::matmul(a, b)));
  const auto broadcast = torch::randn({1, 3, 5, 6});  // (1, H, ...) against (B, H, ...)
  const auto x = torch::randn({2, 3, 4, 5});
  EXPECT_TRUE(torch::equal(batched_matmul(x, broadcast), torch::matmul(x, broadcast)));
}

}  // namespace
}  // namespace heed
