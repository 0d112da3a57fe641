// Subword pieces merged into words: spans, labels, sums over keys, means over queries.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "attention/word_aggregation.h"

namespace heed {
namespace {

TEST(WordSpans, SpaceMarkerStartsAWordAndSpecialsStandAlone) {
  const auto spans = word_spans({"▁the", "▁hou", "se", "▁is", "▁", ",", "</s>"});
  ASSERT_EQ(spans.size(), 5u);
  EXPECT_EQ(spans[0].label, "the");
  EXPECT_EQ(spans[1].label, "house");
  EXPECT_EQ(spans[1].begin, 1u);
  EXPECT_EQ(spans[1].end, 3u);
  EXPECT_EQ(spans[2].label, "is");
  EXPECT_EQ(spans[3].label, ",");  // a lone "▁" piece starts the word of what follows
  EXPECT_EQ(spans[4].label, "</s>");
  EXPECT_EQ(spans[4].begin, 6u);
}

TEST(WordSpans, CharactersGroupBetweenSpaces) {
  const auto spans = word_spans({"<s>", "3", "▁", "m", "a", "y", "</s>"});
  ASSERT_EQ(spans.size(), 4u);
  EXPECT_EQ(spans[0].label, "<s>");
  EXPECT_EQ(spans[1].label, "3");  // the first token after <s> starts a word
  EXPECT_EQ(spans[2].label, "may");
  EXPECT_EQ(spans[3].label, "</s>");
}

TEST(AggregateWords, SumsKeyPiecesAndAveragesQueryPieces) {
  AttentionMatrix m;
  m.part = AttentionPart::Cross;
  m.query_tokens = {"▁a", "b", "</s>"};       // target words: "ab", "</s>"
  m.key_tokens = {"▁x", "y", "▁z", "</s>"};   // source words: "xy", "z", "</s>"
  m.weights = torch::tensor({{0.1f, 0.2f, 0.3f, 0.4f},
                             {0.5f, 0.1f, 0.2f, 0.2f},
                             {0.0f, 0.0f, 0.25f, 0.75f}});
  const auto words = aggregate_words(m);
  EXPECT_EQ(words.query_tokens, (std::vector<std::string>{"ab", "</s>"}));
  EXPECT_EQ(words.key_tokens, (std::vector<std::string>{"xy", "z", "</s>"}));
  ASSERT_EQ(words.weights.sizes(), (std::vector<int64_t>{2, 3}));
  const auto expected = torch::tensor({{0.45f, 0.25f, 0.3f},  // mean of (0.3, 0.3, 0.4) and (0.6, 0.2, 0.2)
                                       {0.0f, 0.25f, 0.75f}});
  EXPECT_TRUE(torch::allclose(words.weights, expected, 1e-6, 1e-6)) << words.weights;
  EXPECT_TRUE(torch::allclose(words.weights.sum(1), torch::ones({2}), 1e-6, 1e-6));
}

}  // namespace
}  // namespace heed
