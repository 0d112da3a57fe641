// Requests of many clients translated together (serve/batching_translator.h): each gets
// what it would get alone, requests with other options are not mixed in, a full queue
// refuses, and the translator finishes what was queued when it stops.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <thread>

#include "serve/batching_translator.h"
#include "support/new_model.h"
#include "support/tiny_models.h"
#include "util/error.h"

namespace heed {
namespace {

const std::vector<SentencePair>& batching_corpus() {
  static const std::vector<SentencePair> pairs = {
      {"ein kleiner hund läuft", "a small dog runs"}, {"zwei frauen lachen", "two women laugh"},
      {"der mann liest ein buch", "the man reads a book"}, {"kinder spielen im park", "children play in the park"},
      {"eine katze schläft", "a cat sleeps"}, {"der hund bellt laut", "the dog barks loudly"}};
  return pairs;
}

class BatchingTranslatorTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    model_ = testing::untrained_model(GetParam(), TokenizerKind::Word, testing::tiny_hyperparameters(GetParam()), batching_corpus());
    model_.model->eval();
    for (const auto& pair : batching_corpus()) sentences_.push_back(pair.source);
    sentences_.push_back("ein mann schläft im park");
    sentences_.push_back("");  // an empty line gets an empty translation
  }
  // What one sentence gets translated alone.
  std::vector<Translation> alone(const std::string& sentence, const DecodingChoice& choice) const {
    TranslatorOptions options;
    options.search = choice.search;
    return Translator(model_, options).translate_nbest({sentence})[0];
  }
  LoadedModel model_;
  std::vector<std::string> sentences_;
};

TEST_P(BatchingTranslatorTest, ConcurrentClientsGetWhatEachSentenceGetsAlone) {
  BatchingLimits limits;
  limits.workers = 2;
  limits.threads = 2;  // each worker's team (its products here are too small to split)
  limits.max_batch_sentences = 6;
  limits.max_wait_ms = 50;  // long enough for the clients below to queue up
  BatchingTranslator batching(model_, TranslatorOptions{}, limits);
  DecodingChoice greedy, beam;
  beam.search.beam_size = 3;
  beam.search.nbest = 2;
  // A beam request first: its fixed batch waits for company, so the clients' requests
  // are queued before the model starts and share batches (greedy ones: the search in
  // flight, up to 6 sentences at once; beam ones: fixed batches).
  auto first = batching.submit({sentences_[0]}, beam);
  constexpr int kClients = 16;
  std::vector<std::thread> clients;
  std::vector<RequestResult> results(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      // Even clients ask greedily for one sentence, odd ones for a beam over two.
      std::vector<std::string> mine = {sentences_[c % sentences_.size()]};
      if (c % 2 == 1) mine.push_back(sentences_[(c + 3) % sentences_.size()]);
      results[c] = batching.submit(mine, c % 2 == 0 ? greedy : beam).get();
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(first.get()[0][0].text, alone(sentences_[0], beam)[0].text);
  for (int c = 0; c < kClients; ++c) {
    const DecodingChoice& choice = c % 2 == 0 ? greedy : beam;
    std::vector<std::string> mine = {sentences_[c % sentences_.size()]};
    if (c % 2 == 1) mine.push_back(sentences_[(c + 3) % sentences_.size()]);
    ASSERT_EQ(results[c].size(), mine.size()) << "client " << c;
    for (size_t s = 0; s < mine.size(); ++s) {
      const auto expected = alone(mine[s], choice);
      ASSERT_EQ(results[c][s].size(), expected.size()) << "client " << c << " sentence " << s;
      for (size_t k = 0; k < expected.size(); ++k) {
        EXPECT_EQ(results[c][s][k].text, expected[k].text) << "client " << c << " sentence " << s;
        EXPECT_EQ(results[c][s][k].hypothesis.tokens, expected[k].hypothesis.tokens);
        EXPECT_NEAR(results[c][s][k].hypothesis.score, expected[k].hypothesis.score, 1e-5);
      }
    }
  }
  const auto counters = batching.counters();
  EXPECT_EQ(counters.sentences, kClients / 2 * 3 + 1);
  EXPECT_LT(counters.batches, kClients) << "no two requests shared a batch";
  EXPECT_GT(counters.largest_batch, 2);
  EXPECT_LE(counters.largest_batch, limits.max_batch_sentences);
}

// A greedy request larger than the batch joins one worker's search in pieces, never
// more than max_batch_sentences at once; requests with other length options share it.
TEST_P(BatchingTranslatorTest, ALargeRequestJoinsInPiecesAndLengthOptionsMix) {
  BatchingLimits limits;
  limits.workers = 2;
  limits.max_batch_sentences = 4;
  BatchingTranslator batching(model_, TranslatorOptions{}, limits);
  std::vector<std::string> many;
  for (int k = 0; k < 3; ++k) many.insert(many.end(), sentences_.begin(), sentences_.end());  // 24, 3 empty
  DecodingChoice short_outputs;
  short_outputs.search.max_length_ratio = 1.0;
  short_outputs.search.max_length_offset = 1;
  short_outputs.search.length_penalty = 0.0;
  auto large = batching.submit(many, DecodingChoice{});
  auto small = batching.submit({sentences_[2], sentences_[3]}, short_outputs);
  const auto large_result = large.get();
  const auto small_result = small.get();
  ASSERT_EQ(large_result.size(), many.size());
  for (size_t i = 0; i < many.size(); ++i) {
    const auto expected = alone(many[i], DecodingChoice{});
    EXPECT_EQ(large_result[i][0].text, expected[0].text) << i;
    EXPECT_EQ(large_result[i][0].hypothesis.tokens, expected[0].hypothesis.tokens) << i;
    EXPECT_NEAR(large_result[i][0].hypothesis.normalized_score, expected[0].hypothesis.normalized_score, 1e-5) << i;
  }
  for (size_t i = 0; i < 2; ++i) {
    const auto expected = alone(sentences_[2 + i], short_outputs);
    EXPECT_EQ(small_result[i][0].hypothesis.tokens, expected[0].hypothesis.tokens) << i;
    EXPECT_NEAR(small_result[i][0].hypothesis.normalized_score, expected[0].hypothesis.normalized_score, 1e-5) << i;
  }
  EXPECT_EQ(batching.counters().sentences, 26);
  EXPECT_EQ(batching.counters().largest_batch, 4);
}

TEST_P(BatchingTranslatorTest, AFullQueueRefusesAndStoppingFinishesWhatWasQueued) {
  BatchingLimits limits;
  limits.max_batch_sentences = 100;
  limits.max_queue_sentences = 3;
  limits.max_wait_ms = 2000;  // the first request (a fixed batch: beam) waits in the queue for company
  DecodingChoice beam;
  beam.search.beam_size = 2;
  std::future<RequestResult> queued;
  {
    BatchingTranslator batching(model_, TranslatorOptions{}, limits);
    queued = batching.submit({sentences_[0], sentences_[1]}, beam);
    EXPECT_THROW(batching.submit({sentences_[2], sentences_[3]}, DecodingChoice{}), QueueFull);
    DecodingChoice bad;
    bad.search.nbest = 3;  // more than the beam
    EXPECT_THROW(batching.submit({sentences_[2]}, bad), Error);
    EXPECT_TRUE(batching.submit({}, DecodingChoice{}).get().empty());
  }  // the destructor translates the queued request before it returns
  ASSERT_EQ(queued.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  const auto result = queued.get();
  ASSERT_EQ(result.size(), 2u);
  EXPECT_EQ(result[1][0].text, alone(sentences_[1], beam)[0].text);
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, BatchingTranslatorTest, ::testing::ValuesIn(testing::registry_names()),
                         testing::model_test_name);

}  // namespace
}  // namespace heed
