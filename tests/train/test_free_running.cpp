// Free-running loss: the reference scored after the model's own greedy prefix.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "decode/greedy_search.h"
#include "support/tiny_models.h"
#include "train/evaluation.h"

namespace heed {
namespace {

class FreeRunning : public ::testing::TestWithParam<std::string> {};

// Greedy outputs (without </s>) of `sources`.
std::vector<std::vector<int64_t>> greedy_outputs(Seq2SeqModel& model, const std::vector<std::vector<int64_t>>& sources) {
  torch::NoGradGuard no_grad;
  SearchOptions options;
  options.max_length_ratio = 1.0;
  options.max_length_offset = 3;
  std::vector<std::vector<int64_t>> outputs;
  for (const auto& hypothesis : greedy_search(model, make_source_batch(sources, torch::kCPU), options)) {
    auto tokens = hypothesis.tokens;
    if (!tokens.empty() && tokens.back() == Vocabulary::kEos) tokens.pop_back();
    outputs.push_back(tokens);
  }
  return outputs;
}

TEST_P(FreeRunning, EqualsTeacherForcingWhenTheReferenceIsTheGreedyOutput) {
  auto model = testing::tiny_model(GetParam());
  const auto sources = testing::random_sentences({3, 7, 1, 5, 9, 4}, 23, 11);
  const auto outputs = greedy_outputs(*model, sources);
  std::vector<EncodedPair> examples;
  for (size_t i = 0; i < sources.size(); ++i) examples.push_back({sources[i], outputs[i]});
  const auto free = free_running_loss(*model, examples, 64, torch::kCPU);
  const auto forced = teacher_forced_loss(*model, examples, 64, torch::kCPU);
  EXPECT_EQ(free.tokens, forced.tokens);
  EXPECT_GT(free.total_nll, 0.0);
  EXPECT_NEAR(free.total_nll, forced.total_nll, 1e-4 * static_cast<double>(forced.tokens));
}

TEST_P(FreeRunning, DiffersFromTeacherForcingOnAnotherReference) {
  auto model = testing::tiny_model(GetParam());
  const auto sources = testing::random_sentences({4, 6, 5}, 23, 12);
  const auto outputs = greedy_outputs(*model, sources);
  std::vector<EncodedPair> examples;
  for (size_t i = 0; i < sources.size(); ++i) {
    // A reference that departs from the greedy output at its first token.
    std::vector<int64_t> reference = {outputs[i].empty() || outputs[i][0] != 5 ? 5 : 6, 7, 8, 9};
    examples.push_back({sources[i], reference});
  }
  const auto free = free_running_loss(*model, examples, 64, torch::kCPU);
  const auto forced = teacher_forced_loss(*model, examples, 64, torch::kCPU);
  EXPECT_EQ(free.tokens, 3 * 5);
  EXPECT_GT(std::abs(free.total_nll - forced.total_nll), 1e-3);
  // The first token is scored after <s> alone in both.
  std::vector<EncodedPair> first_only;
  for (const auto& e : examples) first_only.push_back({e.source, {}});
  EXPECT_NEAR(free_running_loss(*model, first_only, 64, torch::kCPU).total_nll,
              teacher_forced_loss(*model, first_only, 64, torch::kCPU).total_nll, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, FreeRunning, ::testing::ValuesIn(testing::registry_names()),
                         testing::model_test_name);

}  // namespace
}  // namespace heed
