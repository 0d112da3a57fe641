#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "decode/greedy_search.h"
#include "support/tiny_models.h"
#include "text/vocabulary.h"

namespace heed {
namespace {

const std::vector<int64_t> kLengths = {6, 1, 9, 3, 3, 12, 2};

TEST(GreedySearch, BatchedEqualsOneByOne) {
  auto model = testing::tiny_model("gru-bahdanau");
  const auto sentences = testing::random_sentences(kLengths, 23, 5);
  SearchOptions options;
  options.return_attention = true;
  const auto batched = greedy_search(*model, make_source_batch(sentences, torch::kCPU), options);
  ASSERT_EQ(batched.size(), sentences.size());
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto alone = greedy_search(*model, make_source_batch({sentences[i]}, torch::kCPU), options);
    EXPECT_EQ(batched[i].tokens, alone[0].tokens) << "sentence " << i;
    EXPECT_NEAR(batched[i].score, alone[0].score, 1e-4) << "sentence " << i;
    EXPECT_TRUE(torch::allclose(batched[i].attention.at(AttentionPart::Cross),
                                alone[0].attention.at(AttentionPart::Cross), 1e-5, 1e-6));
  }
}

TEST(GreedySearch, RespectsLengthLimitAndTrimsAttention) {
  auto model = testing::tiny_model("gru-bahdanau");
  const auto sentences = testing::random_sentences(kLengths, 23, 6);
  SearchOptions options;
  options.return_attention = true;
  options.max_length_ratio = 1.0;
  options.max_length_offset = 2;
  const auto hypotheses = greedy_search(*model, make_source_batch(sentences, torch::kCPU), options);
  for (size_t i = 0; i < sentences.size(); ++i) {
    const auto source_length = static_cast<int64_t>(sentences[i].size()) + 1;  // + </s>
    const auto& h = hypotheses[i];
    EXPECT_LE(static_cast<int64_t>(h.tokens.size()), source_length + 2);
    EXPECT_TRUE(h.tokens.back() == Vocabulary::kEos ||
                static_cast<int64_t>(h.tokens.size()) == source_length + 2);
    const auto& cross = h.attention.at(AttentionPart::Cross);
    EXPECT_EQ(cross.sizes(), (std::vector<int64_t>{1, 1, static_cast<int64_t>(h.tokens.size()), source_length}));
    EXPECT_TRUE(torch::allclose(cross.sum(-1), torch::ones({1, 1, cross.size(2)}), 0, 1e-5));
    double total = 0;
    for (float lp : h.token_log_probs) total += lp;
    EXPECT_NEAR(h.score, total, 1e-4);
  }
}

TEST(GreedySearch, EachTokenIsTheArgmaxOfTheTeacherForcedPassOverItsPrefix) {
  auto model = testing::tiny_model("gru-bahdanau");
  const auto sentences = testing::random_sentences({4}, 23, 8);
  const auto source = make_source_batch(sentences, torch::kCPU);
  const auto h = greedy_search(*model, source, {})[0];
  std::vector<int64_t> input{Vocabulary::kBos};
  for (size_t t = 0; t + 1 < h.tokens.size(); ++t) input.push_back(h.tokens[t]);
  torch::NoGradGuard no_grad;
  const auto logits = model->forward(source, torch::tensor(input).unsqueeze(0), false).logits;
  const auto argmax = logits.argmax(2)[0];
  for (size_t t = 0; t < h.tokens.size(); ++t) EXPECT_EQ(argmax[t].item<int64_t>(), h.tokens[t]);
}

TEST(ForceDecode, ScoresTheGivenTargetAndTrimsAttention) {
  auto model = testing::tiny_model("gru-bahdanau");
  const auto sources = testing::random_sentences({3, 5}, 23, 9);
  const auto targets = testing::random_sentences({2, 4}, 19, 10);
  const auto hypotheses = force_decode(*model, make_source_batch(sources, torch::kCPU), targets, true);
  ASSERT_EQ(hypotheses.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    auto expected = targets[i];
    expected.push_back(Vocabulary::kEos);
    EXPECT_EQ(hypotheses[i].tokens, expected);
    EXPECT_EQ(hypotheses[i].attention.at(AttentionPart::Cross).sizes(),
              (std::vector<int64_t>{1, 1, static_cast<int64_t>(expected.size()),
                                    static_cast<int64_t>(sources[i].size()) + 1}));
    EXPECT_LT(hypotheses[i].score, 0.0);
  }
}

}  // namespace
}  // namespace heed
