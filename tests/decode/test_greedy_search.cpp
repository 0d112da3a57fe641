// Greedy search and force decoding, for every model in the registry.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "decode/greedy_search.h"
#include "decode/recomputing_model.h"
#include "support/expect_attention.h"
#include "support/tiny_models.h"
#include "text/vocabulary.h"

namespace heed {
namespace {

using testing::expect_same_attention;

const std::vector<int64_t> kLengths = {6, 1, 9, 3, 3, 12, 2};

class GreedySearch : public ::testing::TestWithParam<std::string> {};

TEST_P(GreedySearch, BatchedEqualsOneByOne) {
  auto model = testing::tiny_model(GetParam());
  const auto sentences = testing::random_sentences(kLengths, 23, 5);
  SearchOptions options;
  options.return_attention = true;
  const auto batched = greedy_search(*model, make_source_batch(sentences, torch::kCPU), options);
  ASSERT_EQ(batched.size(), sentences.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto alone = greedy_search(*model, make_source_batch({sentences[i]}, torch::kCPU), options);
    EXPECT_EQ(batched[i].tokens, alone[0].tokens) << "sentence " << i;
    EXPECT_NEAR(batched[i].score, alone[0].score, 1e-4) << "sentence " << i;
    expect_same_attention(batched[i], alone[0], "sentence " + std::to_string(i));
  }
}

// The incremental state (GRU state, Transformer key/value caches) changes nothing:
// decoding that re-runs the whole prefix every step gives the same tokens, scores and
// attention.
TEST_P(GreedySearch, CachedEqualsRecomputedPrefix) {
  auto model = testing::tiny_model(GetParam());
  RecomputingModel recomputing(model);
  const auto sentences = testing::random_sentences(kLengths, 23, 11);
  const auto source = make_source_batch(sentences, torch::kCPU);
  SearchOptions options;
  options.return_attention = true;
  const auto cached = greedy_search(*model, source, options);
  const auto recomputed = greedy_search(recomputing, source, options);
  for (size_t i = 0; i < sentences.size(); ++i) {
    EXPECT_EQ(cached[i].tokens, recomputed[i].tokens) << "sentence " << i;
    EXPECT_NEAR(cached[i].score, recomputed[i].score, 1e-4) << "sentence " << i;
    expect_same_attention(cached[i], recomputed[i], "sentence " + std::to_string(i));
  }
}

TEST_P(GreedySearch, RespectsLengthLimitAndTrimsAttention) {
  auto model = testing::tiny_model(GetParam());
  const auto sentences = testing::random_sentences(kLengths, 23, 6);
  SearchOptions options;
  options.return_attention = true;
  options.max_length_ratio = 1.0;
  options.max_length_offset = 2;
  const auto hypotheses = greedy_search(*model, make_source_batch(sentences, torch::kCPU), options);
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto source_length = static_cast<int64_t>(sentences[i].size()) + 1;  // + </s>
    const auto& h = hypotheses[i];
    const auto target_length = static_cast<int64_t>(h.tokens.size());
    EXPECT_LE(target_length, source_length + 2);
    EXPECT_TRUE(h.tokens.back() == Vocabulary::kEos || target_length == source_length + 2);
    for (const auto& [part, weights] : h.attention.parts) {
      const int64_t queries = part == AttentionPart::EncoderSelf ? source_length : target_length;
      const int64_t keys = part == AttentionPart::DecoderSelf ? target_length : source_length;
      ASSERT_EQ(weights.dim(), 4) << attention_part_name(part);  // (L, H, queries, keys)
      EXPECT_EQ(weights.size(2), queries) << attention_part_name(part);
      EXPECT_EQ(weights.size(3), keys) << attention_part_name(part);
      EXPECT_TRUE(torch::allclose(weights.sum(-1), torch::ones_like(weights.sum(-1)), 0, 1e-5)) << attention_part_name(part);
      if (part == AttentionPart::DecoderSelf) {
        EXPECT_EQ(weights.triu(1).abs().max().item<float>(), 0.0f) << "look-ahead mask";
      }
    }
    double total = 0;
    for (float lp : h.token_log_probs) total += lp;
    EXPECT_NEAR(h.score, total, 1e-4);
  }
}

TEST_P(GreedySearch, EachTokenIsTheArgmaxOfTheTeacherForcedPassOverItsPrefixBarPadAndBos) {
  auto model = testing::tiny_model(GetParam());
  const auto sentences = testing::random_sentences({4}, 23, 8);
  const auto source = make_source_batch(sentences, torch::kCPU);
  const auto h = greedy_search(*model, source, {})[0];
  std::vector<int64_t> input{Vocabulary::kBos};
  for (size_t t = 0; t + 1 < h.tokens.size(); ++t) input.push_back(h.tokens[t]);
  torch::NoGradGuard no_grad;
  auto logits = model->forward(source, torch::tensor(input).unsqueeze(0), false).logits;
  logits.index_fill_(2, torch::tensor({Vocabulary::kPad, Vocabulary::kBos}), -1e30);  // never outputs
  const auto argmax = logits.argmax(2)[0];
  for (size_t t = 0; t < h.tokens.size(); ++t) EXPECT_EQ(argmax[t].item<int64_t>(), h.tokens[t]);
}

TEST_P(GreedySearch, ForceDecodeScoresTheGivenTargetAndTrimsAttention) {
  auto model = testing::tiny_model(GetParam());
  const auto sources = testing::random_sentences({3, 5}, 23, 9);
  const auto targets = testing::random_sentences({2, 4}, 19, 10);
  const auto hypotheses = force_decode(*model, make_source_batch(sources, torch::kCPU), targets, true);
  ASSERT_EQ(hypotheses.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    auto expected = targets[i];
    expected.push_back(Vocabulary::kEos);
    EXPECT_EQ(hypotheses[i].tokens, expected);
    const auto& cross = hypotheses[i].attention.at(AttentionPart::Cross);
    EXPECT_EQ(cross.size(2), static_cast<int64_t>(expected.size()));
    EXPECT_EQ(cross.size(3), static_cast<int64_t>(sources[i].size()) + 1);
    EXPECT_LT(hypotheses[i].score, 0.0);
    // Padding (source and target) in a batch changes nothing.
    const auto alone = force_decode(*model, make_source_batch({sources[i]}, torch::kCPU), {targets[i]}, true);
    expect_same_attention(hypotheses[i], alone[0], "padded vs alone");
  }
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, GreedySearch, ::testing::ValuesIn(testing::registry_names()),
                         testing::model_test_name);

}  // namespace
}  // namespace heed
