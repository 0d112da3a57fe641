#include <gtest/gtest.h>
#include <torch/torch.h>

#include "models/multi_head_attention.h"

namespace heed {
namespace {

// heed's module against torch::nn::MultiheadAttention with the same weights: outputs
// equal, and the mean of heed's per-head weights equals LibTorch's averaged weights.
TEST(MultiHeadAttention, ParityWithLibTorchMultiheadAttention) {
  torch::manual_seed(4);
  MultiHeadAttention ours(/*d_model=*/16, /*heads=*/4, /*dropout=*/0.0);
  torch::nn::MultiheadAttention reference(torch::nn::MultiheadAttentionOptions(16, 4));
  ours->eval();
  reference->eval();
  {
    torch::NoGradGuard no_grad;
    reference->in_proj_weight.copy_(ours->in_proj_weight);
    reference->in_proj_bias.copy_(ours->in_proj_bias);
    reference->out_proj->weight.copy_(ours->out_proj->weight);
    reference->out_proj->bias.copy_(ours->out_proj->bias);
  }
  const auto query = torch::randn({3, 5, 16});  // (B, Tq, D)
  const auto memory = torch::randn({3, 7, 16});
  const auto key_mask = torch::arange(7).unsqueeze(0).lt(torch::tensor({7, 4, 2}).unsqueeze(1));  // (B, Tk)
  const auto ours_out = ours->forward(query, memory, memory, key_mask, /*causal=*/false);
  // LibTorch 1.13's C++ module is sequence-first; its padding mask is true where ignored.
  const auto [ref_out, ref_weights] =
      reference->forward(query.transpose(0, 1), memory.transpose(0, 1), memory.transpose(0, 1),
                         /*key_padding_mask=*/key_mask.logical_not(), /*need_weights=*/true);
  EXPECT_TRUE(torch::allclose(ours_out.output, ref_out.transpose(0, 1), 1e-5, 1e-5));
  ASSERT_EQ(ours_out.weights.sizes(), (std::vector<int64_t>{3, 4, 5, 7}));
  EXPECT_TRUE(torch::allclose(ours_out.weights.mean(1), ref_weights, 1e-5, 1e-6));
}

TEST(MultiHeadAttention, CausalMaskGivesExactZerosAboveTheDiagonal) {
  torch::manual_seed(5);
  MultiHeadAttention attention(8, 2, 0.0);
  const auto x = torch::randn({2, 6, 8});
  const auto out = attention->forward(x, x, x, {}, /*causal=*/true);
  const auto future = torch::ones({6, 6}, torch::kBool).triu(1).expand_as(out.weights);
  EXPECT_EQ(out.weights.masked_select(future).abs().sum().item<float>(), 0.0f);
  EXPECT_TRUE(torch::allclose(out.weights.sum(-1), torch::ones({2, 2, 6}), 0, 1e-6));
  EXPECT_FLOAT_EQ(out.weights[0][0][0][0].item<float>(), 1.0f);  // the first query sees only itself
}

// A single query (incremental decoding) takes a broadcast-and-sum path instead of the
// batched product; each query of a full pass must get the same weights and output from it.
TEST(MultiHeadAttention, OneQueryAtATimeEqualsTheFullPass) {
  torch::manual_seed(6);
  MultiHeadAttention attention(/*d_model=*/16, /*heads=*/4, /*dropout=*/0.0);
  attention->eval();
  const auto query = torch::randn({3, 5, 16});
  const auto memory = torch::randn({3, 7, 16});
  const auto key_mask = torch::arange(7).unsqueeze(0).lt(torch::tensor({7, 4, 2}).unsqueeze(1));
  const auto full = attention->forward(query, memory, memory, key_mask, /*causal=*/false);
  for (int64_t t = 0; t < 5; ++t) {
    const auto one = attention->forward(query.narrow(1, t, 1), memory, memory, key_mask, /*causal=*/false);
    ASSERT_EQ(one.weights.sizes(), (std::vector<int64_t>{3, 4, 1, 7}));
    EXPECT_TRUE(torch::allclose(one.weights, full.weights.narrow(2, t, 1), 1e-6, 1e-6)) << "query " << t;
    EXPECT_TRUE(torch::allclose(one.output, full.output.narrow(1, t, 1), 1e-5, 1e-6)) << "query " << t;
    // Masked keys get exactly zero weight on this path too.
    EXPECT_EQ(one.weights[2].narrow(2, 2, 5).abs().sum().item<float>(), 0.0f);
  }
}

}  // namespace
}  // namespace heed
