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
  limits.max_batch_sentences = 6;
  limits.max_wait_ms = 50;  // long enough for the clients below to share batches
  BatchingTranslator batching(model_, TranslatorOptions{}, limits);
  DecodingChoice greedy, beam;
  beam.search.beam_size = 3;
  beam.search.nbest = 2;
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
  EXPECT_EQ(counters.sentences, kClients / 2 * 3);
  EXPECT_LT(counters.batches, kClients) << "no two requests shared a batch";
  EXPECT_GT(counters.largest_batch, 2);
  EXPECT_LE(counters.largest_batch, limits.max_batch_sentences);
}

TEST_P(BatchingTranslatorTest, AFullQueueRefusesAndStoppingFinishesWhatWasQueued) {
  BatchingLimits limits;
  limits.max_batch_sentences = 100;
  limits.max_queue_sentences = 3;
  limits.max_wait_ms = 2000;  // the first request waits in the queue for company
  std::future<RequestResult> queued;
  {
    BatchingTranslator batching(model_, TranslatorOptions{}, limits);
    queued = batching.submit({sentences_[0], sentences_[1]}, DecodingChoice{});
    EXPECT_THROW(batching.submit({sentences_[2], sentences_[3]}, DecodingChoice{}), QueueFull);
    DecodingChoice bad;
    bad.search.nbest = 3;  // more than the beam
    EXPECT_THROW(batching.submit({sentences_[2]}, bad), Error);
    EXPECT_TRUE(batching.submit({}, DecodingChoice{}).get().empty());
  }  // the destructor translates the queued request before it returns
  ASSERT_EQ(queued.wait_for(std::chrono::seconds(0)), std::future_status::ready);
  const auto result = queued.get();
  ASSERT_EQ(result.size(), 2u);
  EXPECT_EQ(result[1][0].text, alone(sentences_[1], DecodingChoice{})[0].text);
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, BatchingTranslatorTest, ::testing::ValuesIn(testing::registry_names()),
                         testing::model_test_name);

}  // namespace
}  // namespace heed
