// In-flight batching: sentences that join and leave a running greedy search get what
// beam search with beam 1 gives each alone, for every model, precision and thread count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>
#include <random>

#include "decode/beam_search.h"
#include "decode/inflight_greedy.h"
#include "support/tiny_models.h"
#include "util/error.h"
#include "util/threads.h"

namespace heed {
namespace {

constexpr int64_t kJoiningSourceVocab = 23;

class InflightGreedy : public ::testing::TestWithParam<std::string> {};

// Sentences join in groups of 1 to 4 after a random number of steps (0 to 3), while
// earlier ones are still decoding or have left; every sentence's result is compared with
// its beam-1 search alone.
TEST_P(InflightGreedy, JoiningSentencesGetWhatTheyGetAlone) {
  auto model = testing::tiny_model(GetParam());
  const auto sentences = testing::random_sentences(testing::random_lengths(30, 4), kJoiningSourceVocab, 6);
  // Two length settings share the batch: each group of sentences joins with one.
  std::vector<SearchOptions> settings(2);  // beam 1; length penalty 0.6 and limit 2n+10
  settings[1].length_penalty = 1.0;
  settings[1].max_length_ratio = 1.0;
  settings[1].max_length_offset = 2;
  for (const Precision precision : {Precision::Float32, Precision::Int8}) {
    model->set_precision(precision);
    set_threads(1);
    std::vector<std::vector<Hypothesis>> alone(settings.size());  // per setting, per sentence
    for (size_t k = 0; k < settings.size(); ++k) {
      for (const auto& sentence : sentences) {
        alone[k].push_back(beam_search(*model, make_source_batch({sentence}, torch::kCPU), settings[k])[0][0]);
      }
    }
    for (int threads : {1, 2}) {
      SCOPED_TRACE(std::string(precision_name(precision)) + ", " + std::to_string(threads) + " threads");
      set_threads(threads);
      std::mt19937 rng(static_cast<unsigned>(7 + threads));
      InflightGreedySearch search(*model);
      std::map<int64_t, Hypothesis> results;
      std::vector<size_t> setting_of(sentences.size());
      size_t next = 0;
      int64_t largest = 0;
      while (next < sentences.size() || search.size() > 0) {
        if (next < sentences.size() && rng() % 2 == 0) {
          std::vector<std::vector<int64_t>> group;
          std::vector<int64_t> tags;
          const size_t setting = rng() % settings.size();
          for (size_t k = 1 + rng() % 4; k > 0 && next < sentences.size(); --k, ++next) {
            group.push_back(sentences[next]);
            tags.push_back(static_cast<int64_t>(next));
            setting_of[next] = setting;
          }
          search.add(make_source_batch(group, torch::kCPU), tags, settings[setting]);
        }
        largest = std::max(largest, search.size());
        for (auto& finished : search.step()) {
          EXPECT_TRUE(results.emplace(finished.tag, std::move(finished.hypothesis)).second) << finished.tag;
        }
      }
      EXPECT_GT(largest, 4);  // sentences did decode together
      ASSERT_EQ(results.size(), sentences.size());
      for (size_t i = 0; i < sentences.size(); ++i) {
        const Hypothesis& got = results.at(static_cast<int64_t>(i));
        const Hypothesis& expected = alone[setting_of[i]][i];
        EXPECT_EQ(got.tokens, expected.tokens) << "sentence " << i;
        EXPECT_NEAR(got.score, expected.score, 1e-5) << "sentence " << i;
        EXPECT_NEAR(got.normalized_score, expected.normalized_score, 1e-5) << "sentence " << i;
        ASSERT_EQ(got.token_log_probs.size(), got.tokens.size());
      }
    }
  }
  model->set_precision(Precision::Float32);
  set_threads(0);
}

TEST_P(InflightGreedy, DecodesGreedilyWithoutAttentionOnly) {
  auto model = testing::tiny_model(GetParam());
  InflightGreedySearch search(*model);
  const auto source = make_source_batch({{5, 6}}, torch::kCPU);
  SearchOptions beam;
  beam.beam_size = 2;
  EXPECT_THROW(search.add(source, {1}, beam), Error);
  SearchOptions attention;
  attention.return_attention = true;
  EXPECT_THROW(search.add(source, {1}, attention), Error);
  EXPECT_EQ(search.size(), 0);
  EXPECT_TRUE(search.step().empty());
  search.add(make_source_batch({}, torch::kCPU), {}, SearchOptions{});
  EXPECT_EQ(search.size(), 0);
  EXPECT_THROW(search.add(source, {1, 2}, SearchOptions{}), std::logic_error);
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, InflightGreedy, ::testing::ValuesIn(testing::registry_names()),
                         testing::model_test_name);

}  // namespace
}  // namespace heed
