#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "data/batching.h"
#include "text/vocabulary.h"

namespace heed {
namespace {

std::vector<EncodedPair> examples() {
  // source lengths 1..9 and targets of length (10 - source length), ids from 4.
  std::vector<EncodedPair> out;
  for (int64_t n = 9; n >= 1; --n) {
    EncodedPair pair;
    for (int64_t i = 0; i < n; ++i) pair.source.push_back(4 + i);
    for (int64_t i = 0; i < 10 - n; ++i) pair.target.push_back(10 + i);
    out.push_back(pair);
  }
  return out;
}

TEST(Batching, EveryExampleOnceAndUnderTheTokenBudget) {
  const auto data = examples();
  const auto batches = make_batches(data, /*batch_tokens=*/24);
  std::multiset<size_t> seen;
  for (const auto& batch : batches) {
    size_t longest = 0;
    for (size_t index : batch) {
      seen.insert(index);
      longest = std::max({longest, data[index].source.size() + 1, data[index].target.size() + 1});
    }
    EXPECT_LE(longest * batch.size(), 24u);
  }
  EXPECT_EQ(seen.size(), data.size());
  EXPECT_EQ(std::set<size_t>(seen.begin(), seen.end()).size(), data.size());
}

TEST(Batching, SortedByLengthSoNeighboursShareABatch) {
  const auto data = examples();
  const auto batches = make_batches(data, 1000);
  ASSERT_EQ(batches.size(), 1u);
  // Sorted by the longer side, then the target length: example i has source 9 - i
  // and target i + 1 tokens.
  EXPECT_EQ(batches[0], (std::vector<size_t>{4, 3, 5, 2, 6, 1, 7, 0, 8}));
}

TEST(Batching, OversizedExampleGetsItsOwnBatch) {
  const auto data = examples();
  const auto batches = make_batches(data, 3);
  EXPECT_EQ(batches.size(), data.size());
}

TEST(Batching, PaddedTensorsShiftedTargetsAndMasks) {
  std::vector<EncodedPair> data = {{{5, 6, 7}, {8, 9}}, {{5}, {8, 9, 10, 11}}};
  const Batch batch = make_batch(data, {0, 1}, torch::kCPU);
  EXPECT_TRUE(torch::equal(batch.source.ids, torch::tensor({{5, 6, 7, 3}, {5, 3, 0, 0}})));
  EXPECT_TRUE(torch::equal(batch.source.lengths, torch::tensor({4, 2})));
  EXPECT_TRUE(torch::equal(batch.source.mask, batch.source.ids.ne(0)));
  EXPECT_TRUE(torch::equal(batch.target_input, torch::tensor({{2, 8, 9, 0, 0}, {2, 8, 9, 10, 11}})));
  EXPECT_TRUE(torch::equal(batch.target_output, torch::tensor({{8, 9, 3, 0, 0}, {8, 9, 10, 11, 3}})));
  EXPECT_TRUE(torch::equal(batch.target_mask, batch.target_output.ne(0)));
  EXPECT_EQ(batch.target_tokens, 3 + 5);
}

TEST(Batching, SourceBatchAppendsEndOfSentence) {
  const SourceBatch batch = make_source_batch({{4}, {4, 5, 6}}, torch::kCPU);
  EXPECT_TRUE(torch::equal(batch.ids, torch::tensor({{4, 3, 0, 0}, {4, 5, 6, 3}})));
  EXPECT_EQ(batch.mask.sum().item<int64_t>(), 6);
}

}  // namespace
}  // namespace heed
