// Attention diagnostics on hand-made matrices.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "attention/attention_stats.h"

namespace heed {
namespace {

AttentionMatrix matrix(torch::Tensor weights, std::vector<std::string> keys) {
  AttentionMatrix m;
  m.part = AttentionPart::Cross;
  m.key_tokens = std::move(keys);
  m.query_tokens.assign(static_cast<size_t>(weights.size(0)), "q");
  m.weights = weights;
  return m;
}

TEST(AttentionStats, EntropyCoverageEosMassAndUnattendedShare) {
  const auto stats = attention_stats(matrix(torch::tensor({{1.0f, 0.0f, 0.0f, 0.0f},
                                                           {0.25f, 0.25f, 0.25f, 0.25f},
                                                           {0.0f, 0.05f, 0.0f, 0.95f}}),
                                            {"a", "b", "c", "</s>"}),
                                     0.1);
  ASSERT_EQ(stats.row_entropy.size(), 3u);
  EXPECT_DOUBLE_EQ(stats.row_entropy[0], 0.0);
  EXPECT_NEAR(stats.row_entropy[1], std::log(4.0), 1e-7);
  EXPECT_NEAR(stats.row_entropy[2], -(0.05 * std::log(0.05) + 0.95 * std::log(0.95)), 1e-6);
  ASSERT_EQ(stats.coverage.size(), 4u);
  EXPECT_NEAR(stats.coverage[0], 1.25, 1e-7);
  EXPECT_NEAR(stats.coverage[1], 0.30, 1e-7);
  EXPECT_NEAR(stats.coverage[2], 0.25, 1e-7);
  EXPECT_NEAR(stats.coverage[3], 1.20, 1e-7);
  EXPECT_NEAR(stats.eos_mass, 1.20 / 3.0, 1e-7);
  // a: 1.0, b: 0.25, c: 0.25 -> all above 0.1; at 0.3, b and c are never attended.
  EXPECT_DOUBLE_EQ(stats.unattended_share, 0.0);
  EXPECT_NEAR(attention_stats(matrix(torch::tensor({{1.0f, 0.0f, 0.0f, 0.0f}, {0.25f, 0.25f, 0.25f, 0.25f}}),
                                     {"a", "b", "c", "</s>"}),
                              0.3)
                  .unattended_share,
              2.0 / 3.0, 1e-12);
}

TEST(AttentionStats, NoEosKeyMeansNoEosMass) {
  const auto stats = attention_stats(matrix(torch::tensor({{0.5f, 0.5f}}), {"<s>", "x"}), 0.6);
  EXPECT_DOUBLE_EQ(stats.eos_mass, 0.0);
  EXPECT_DOUBLE_EQ(stats.unattended_share, 1.0);  // both below 0.6
}

}  // namespace
}  // namespace heed
