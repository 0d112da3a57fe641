#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/bahdanau_attention.h"

namespace heed {
namespace {

// The classic exercise: 5 source states of size 16, attention_size 10.
TEST(BahdanauAttention, EfficientSplitEqualsLiteralFormulaOnClassicShapes) {
  torch::manual_seed(1);
  BahdanauAttention attention(/*key_size=*/16, /*query_size=*/8, /*attention_size=*/10);
  const auto keys = torch::randn({1, 5, 16});
  const auto query = torch::randn({1, 8});
  const auto mask = torch::ones({1, 5}, torch::kBool);
  const auto fast = attention->forward(query, attention->prepare(keys, mask));
  const auto literal = attention->literal(query, keys, mask);
  ASSERT_EQ(fast.weights.sizes(), (std::vector<int64_t>{1, 5}));
  ASSERT_EQ(fast.context.sizes(), (std::vector<int64_t>{1, 16}));
  EXPECT_TRUE(torch::allclose(fast.weights, literal.weights, /*rtol=*/1e-5, /*atol=*/1e-6));
  EXPECT_TRUE(torch::allclose(fast.context, literal.context, 1e-5, 1e-6));
}

// The literal formula written out with nothing but matrices, independent of the module.
TEST(BahdanauAttention, MatchesHandWrittenConcatenateThenMultiply) {
  torch::manual_seed(2);
  BahdanauAttention attention(16, 16, 10);
  const auto keys = torch::randn({3, 5, 16});
  const auto query = torch::randn({3, 16});
  const auto mask = torch::ones({3, 5}, torch::kBool);
  const auto params = attention->named_parameters();
  const auto W = params["hidden.weight"];  // (10, 32)
  const auto b = params["hidden.bias"];    // (10)
  const auto v = params["score.weight"];   // (1, 10)
  for (int64_t n = 0; n < 3; ++n) {
    std::vector<torch::Tensor> scores;
    for (int64_t s = 0; s < 5; ++s) {
      const auto concat = torch::cat({keys[n][s], query[n]});  // (32)
      const auto hidden = torch::tanh(torch::mv(W, concat) + b);
      scores.push_back(torch::mv(v, hidden));
    }
    const auto expected_weights = torch::softmax(torch::cat(scores), 0);
    const auto expected_context = torch::mv(keys[n].t(), expected_weights);
    const auto got = attention->forward(query, attention->prepare(keys, mask));
    EXPECT_TRUE(torch::allclose(got.weights[n], expected_weights, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(got.context[n], expected_context, 1e-5, 1e-6));
  }
}

TEST(BahdanauAttention, RowsSumToOneAndPaddedKeysGetExactlyZero) {
  torch::manual_seed(3);
  BahdanauAttention attention(6, 4, 5);
  const auto keys = torch::randn({3, 7, 6});
  const auto query = torch::randn({3, 4});
  // Row lengths 7, 4, 1.
  const auto mask = torch::arange(7).unsqueeze(0).lt(torch::tensor({7, 4, 1}).unsqueeze(1));
  const auto out = attention->forward(query, attention->prepare(keys, mask));
  const auto sums = out.weights.sum(1);
  EXPECT_TRUE(torch::allclose(sums, torch::ones({3}), 0, 1e-6));
  EXPECT_EQ(out.weights.masked_select(mask.logical_not()).abs().max().item<float>(), 0.0f);
  EXPECT_FLOAT_EQ(out.weights[2][0].item<float>(), 1.0f);
  // Padding values must not change the context either.
  auto noisy = keys.clone();
  noisy.masked_fill_(mask.logical_not().unsqueeze(2), 1000.0);
  const auto out2 = attention->forward(query, attention->prepare(noisy, mask));
  EXPECT_TRUE(torch::allclose(out.context, out2.context, 1e-5, 1e-6));
}

}  // namespace
}  // namespace heed
