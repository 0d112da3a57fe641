// Corpus split by source sentence: sizes, disjointness, determinism.
#include <gtest/gtest.h>

#include <set>

#include "data/split.h"
#include "util/error.h"

namespace heed {
namespace {

std::vector<SentencePair> corpus_with_repeated_sources() {
  std::vector<SentencePair> pairs;
  for (int i = 0; i < 300; ++i) {
    const std::string source = "source " + std::to_string(i / 3);  // three translations each
    pairs.push_back({source, "target " + std::to_string(i)});
  }
  return pairs;
}

std::set<std::string> sources(const std::vector<SentencePair>& pairs) {
  std::set<std::string> set;
  for (const auto& pair : pairs) set.insert(pair.source);
  return set;
}

TEST(Split, WholeSourceGroupsGoToOneSplit) {
  const auto pairs = corpus_with_repeated_sources();
  const CorpusSplit split = split_by_source(pairs, 20, 10, 7);
  EXPECT_EQ(split.test.size(), 12u);   // groups of 3 until >= 10
  EXPECT_EQ(split.valid.size(), 21u);  // groups of 3 until >= 20
  EXPECT_EQ(split.train.size() + split.valid.size() + split.test.size(), pairs.size());
  const auto train = sources(split.train), valid = sources(split.valid), test = sources(split.test);
  for (const auto& s : valid) EXPECT_EQ(train.count(s) + test.count(s), 0u) << s;
  for (const auto& s : test) EXPECT_EQ(train.count(s), 0u) << s;
}

TEST(Split, SameSeedSameSplitAndInputOrderIsKept) {
  const auto pairs = corpus_with_repeated_sources();
  const CorpusSplit a = split_by_source(pairs, 20, 10, 7), b = split_by_source(pairs, 20, 10, 7);
  ASSERT_EQ(a.valid.size(), b.valid.size());
  for (size_t i = 0; i < a.valid.size(); ++i) EXPECT_EQ(a.valid[i].target, b.valid[i].target);
  const CorpusSplit c = split_by_source(pairs, 20, 10, 8);
  EXPECT_NE(sources(a.test), sources(c.test));
  for (size_t i = 1; i < a.train.size(); ++i) {
    EXPECT_LT(std::stoi(a.train[i - 1].target.substr(7)), std::stoi(a.train[i].target.substr(7)));
  }
}

TEST(Split, TakingEverythingIsAnError) {
  EXPECT_THROW(split_by_source(corpus_with_repeated_sources(), 200, 100, 1), Error);
}

}  // namespace
}  // namespace heed
