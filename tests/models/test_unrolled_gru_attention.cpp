#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/autocast_mode.h>

#include <limits>

#include "models/unrolled_gru_attention.h"

namespace heed {
namespace {

// Sizes that exercise the kernels' 16-float blocks and their remainders.
struct Shape {
  int64_t batch, steps, keys, key_size, attention, hidden;
};

struct Problem {
  UnrolledGruAttentionInputs inputs;
  UnrolledGruAttentionWeights weights;
};

// Random inputs and weights (all leaves requiring gradients); the rows' source lengths
// are keys, keys - 2, 1, keys - 1, ... so every row but the first has masked keys.
Problem random_problem(const Shape& n, uint64_t seed) {
  torch::manual_seed(seed);
  const auto leaf = [](std::vector<int64_t> sizes, double scale) {
    return (torch::randn(sizes) * scale).requires_grad_();
  };
  std::vector<int64_t> lengths;
  for (int64_t b = 0; b < n.batch; ++b) {
    lengths.push_back(b == 0 ? n.keys : b == 2 ? 1 : std::max<int64_t>(1, n.keys - 2 + (b % 2)));
  }
  const auto mask = torch::arange(n.keys).unsqueeze(0).lt(torch::tensor(lengths).unsqueeze(1));
  Problem problem;
  problem.inputs = {leaf({n.batch, n.steps, 3 * n.hidden}, 0.5), leaf({n.batch, n.hidden}, 0.5),
                    leaf({n.batch, n.keys, n.key_size}, 1.0), leaf({n.batch, n.keys, n.attention}, 0.5), mask};
  problem.weights = {leaf({n.attention, n.hidden}, 0.3), leaf({1, n.attention}, 0.5),
                     leaf({3 * n.hidden, n.key_size}, 0.2), leaf({3 * n.hidden, n.hidden}, 0.3),
                     leaf({3 * n.hidden}, 0.1)};
  return problem;
}

// The same recurrence in LibTorch operators, as gru_bahdanau.cpp's step-by-step path
// computes it: BahdanauAttention::forward's formula and torch::gru_cell.
UnrolledGruAttentionOutput operator_path(const Problem& p) {
  const auto& in = p.inputs;
  const auto& w = p.weights;
  auto state = in.initial_state;
  std::vector<torch::Tensor> states, contexts, weights;
  for (int64_t t = 0; t < in.input_gates.size(1); ++t) {
    const auto query = torch::mm(state, w.query.t());                                    // (B, A)
    const auto energies = torch::tanh(in.projected_keys + query.unsqueeze(1));           // (B, S, A)
    auto scores = torch::matmul(energies, w.score.t()).squeeze(2);                       // (B, S)
    scores = scores.masked_fill(in.mask.logical_not(), -std::numeric_limits<float>::infinity());
    const auto weight = torch::softmax(scores, 1);
    const auto context = (weight.unsqueeze(2) * in.keys).sum(1);                         // (B, E)
    state = torch::gru_cell(context, state, w.context_gate, w.hidden_gate, in.input_gates.select(1, t),
                            w.hidden_bias);
    states.push_back(state);
    contexts.push_back(context);
    weights.push_back(weight);
  }
  return {torch::stack(states, 1), torch::stack(contexts, 1), torch::stack(weights, 1)};
}

std::vector<torch::Tensor> leaves(const Problem& p) {
  return {p.inputs.input_gates, p.inputs.initial_state, p.inputs.keys, p.inputs.projected_keys,
          p.weights.query, p.weights.score, p.weights.context_gate, p.weights.hidden_gate,
          p.weights.hidden_bias};
}

const char* const kLeafNames[] = {"input_gates", "initial_state", "keys", "projected_keys", "query",
                                  "score", "context_gate", "hidden_gate", "hidden_bias"};

// The gradients of a random linear function of the states (and of the contexts when
// use_contexts), for every leaf.
std::vector<torch::Tensor> gradients(const Problem& p, const UnrolledGruAttentionOutput& out, bool use_contexts,
                                     uint64_t seed) {
  torch::manual_seed(seed);
  auto loss = (out.states * torch::randn(out.states.sizes())).sum();
  const auto context_weights = torch::randn(out.contexts.sizes());
  if (use_contexts) loss = loss + (out.contexts * context_weights).sum();
  return torch::autograd::grad({loss}, leaves(p));
}

class UnrolledGruAttention : public ::testing::TestWithParam<Shape> {};

TEST_P(UnrolledGruAttention, OutputsEqualTheOperatorPath) {
  const Problem p = random_problem(GetParam(), 1);
  ASSERT_TRUE(can_unroll_gru_attention(p.inputs));
  const auto fused = unrolled_gru_attention(p.inputs, p.weights);
  const auto reference = operator_path(p);
  const Shape& n = GetParam();
  ASSERT_EQ(fused.states.sizes(), (std::vector<int64_t>{n.batch, n.steps, n.hidden}));
  ASSERT_EQ(fused.contexts.sizes(), (std::vector<int64_t>{n.batch, n.steps, n.key_size}));
  ASSERT_EQ(fused.weights.sizes(), (std::vector<int64_t>{n.batch, n.steps, n.keys}));
  EXPECT_TRUE(torch::allclose(fused.states, reference.states, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(fused.contexts, reference.contexts, 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(fused.weights, reference.weights, 1e-5, 1e-6));
  // Padding gets exactly zero; every row sums to one.
  const auto padded = p.inputs.mask.logical_not().unsqueeze(1).expand_as(fused.weights);
  EXPECT_EQ(fused.weights.masked_select(padded).abs().max().item<float>(), 0.0f);
  EXPECT_TRUE(torch::allclose(fused.weights.sum(2), torch::ones({n.batch, n.steps}), 0, 1e-6));
}

TEST_P(UnrolledGruAttention, GradientsEqualTheOperatorPath) {
  for (const bool use_contexts : {true, false}) {
    const Problem p = random_problem(GetParam(), 2);
    const auto fused = gradients(p, unrolled_gru_attention(p.inputs, p.weights), use_contexts, 3);
    const auto reference = gradients(p, operator_path(p), use_contexts, 3);
    for (size_t i = 0; i < fused.size(); ++i) {
      ASSERT_EQ(fused[i].sizes(), reference[i].sizes()) << kLeafNames[i];
      const double scale = reference[i].abs().max().item<double>();
      EXPECT_GT(scale, 0.0) << kLeafNames[i];
      EXPECT_LE((fused[i] - reference[i]).abs().max().item<double>(), 2e-5 * std::max(1.0, scale))
          << kLeafNames[i] << (use_contexts ? " (states and contexts)" : " (states only)");
    }
  }
}

TEST_P(UnrolledGruAttention, PaddedKeysGetNoGradient) {
  const Problem p = random_problem(GetParam(), 4);
  const auto grads = gradients(p, unrolled_gru_attention(p.inputs, p.weights), true, 5);
  const auto padded = p.inputs.mask.logical_not().unsqueeze(2);
  EXPECT_EQ(grads[2].masked_select(padded.expand_as(grads[2])).abs().sum().item<float>(), 0.0f);
  EXPECT_EQ(grads[3].masked_select(padded.expand_as(grads[3])).abs().sum().item<float>(), 0.0f);
}

INSTANTIATE_TEST_SUITE_P(Shapes, UnrolledGruAttention,
                         ::testing::Values(Shape{3, 5, 4, 6, 5, 4},      // smaller than one block
                                           Shape{4, 7, 9, 40, 37, 20},   // blocks and remainders
                                           Shape{5, 3, 6, 32, 16, 16}),  // whole blocks
                         [](const ::testing::TestParamInfo<Shape>& info) {
                           const Shape& n = info.param;
                           return "B" + std::to_string(n.batch) + "_T" + std::to_string(n.steps) + "_S" +
                                  std::to_string(n.keys) + "_E" + std::to_string(n.key_size) + "_A" +
                                  std::to_string(n.attention) + "_H" + std::to_string(n.hidden);
                         });

TEST(UnrolledGruAttentionScope, OnlyFloat32WithoutAutocast) {
  Problem p = random_problem({2, 3, 4, 6, 5, 4}, 6);
  EXPECT_TRUE(can_unroll_gru_attention(p.inputs));
  at::autocast::set_cpu_enabled(true);
  EXPECT_FALSE(can_unroll_gru_attention(p.inputs));
  at::autocast::set_cpu_enabled(false);
  p.inputs.keys = p.inputs.keys.to(torch::kDouble);
  EXPECT_FALSE(can_unroll_gru_attention(p.inputs));
}

// Without gradients (validation, --no-cache decoding) the forward alone runs.
TEST(UnrolledGruAttentionScope, RunsWithoutGradients) {
  const Problem p = random_problem({3, 4, 5, 6, 5, 4}, 7);
  const auto reference = operator_path(p);
  torch::NoGradGuard no_grad;
  const auto fused = unrolled_gru_attention(p.inputs, p.weights);
  EXPECT_FALSE(fused.states.requires_grad());
  EXPECT_TRUE(torch::allclose(fused.states, reference.states, 1e-5, 1e-6));
}

}  // namespace
}  // namespace heed
