// Beam search, for every model in the registry: beam 1 is greedy, a wide enough beam is
// exhaustive search, n-best lists are ordered and scored as documented, the attention
// of each hypothesis is its own (traced through the backpointers), and a sentence's
// result does not depend on its batch or the thread count.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <set>

#include "decode/beam_search.h"
#include "decode/greedy_search.h"
#include "support/expect_attention.h"
#include "support/tiny_models.h"
#include "text/vocabulary.h"
#include "util/error.h"
#include "util/threads.h"

namespace heed {
namespace {

using testing::expect_same_attention;

class BeamSearch : public ::testing::TestWithParam<std::string> {};

constexpr int64_t kSourceVocab = 23;
constexpr int64_t kTargetVocab = 19;

SearchOptions beam_options(int64_t beam, int64_t nbest = 1, double alpha = 0.6) {
  SearchOptions options;
  options.beam_size = beam;
  options.nbest = nbest;
  options.length_penalty = alpha;
  options.return_attention = true;
  return options;
}

TEST_P(BeamSearch, BeamOneIsExactlyGreedy) {
  auto model = testing::tiny_model(GetParam());
  const auto sentences = testing::random_sentences(testing::random_lengths(60, 1), kSourceVocab, 2);
  const auto source = make_source_batch(sentences, torch::kCPU);
  for (double alpha : {0.0, 0.6, 2.0}) {  // the length penalty cannot matter for one beam
    const auto greedy = greedy_search(*model, source, beam_options(1));
    const auto beam = beam_search(*model, source, beam_options(1, 1, alpha));
    ASSERT_EQ(beam.size(), greedy.size());
    for (size_t i = 0; i < greedy.size(); ++i) {
      ASSERT_EQ(beam[i].size(), 1u);
      EXPECT_EQ(beam[i][0].tokens, greedy[i].tokens) << "sentence " << i;
      EXPECT_EQ(beam[i][0].token_log_probs, greedy[i].token_log_probs) << "sentence " << i;
      EXPECT_DOUBLE_EQ(beam[i][0].score, greedy[i].score) << "sentence " << i;
      expect_same_attention(beam[i][0], greedy[i], "sentence " + std::to_string(i), 1e-4, 0.0);
    }
  }
}

// Every target sequence the search may return: tokens from <unk>, </s> and the words
// [4, V) (never <pad> or <s>), ending at the first </s> or cut at `limit` tokens.
void enumerate(int64_t vocab, int64_t limit, std::vector<int64_t>& prefix,
               const std::function<void(const std::vector<int64_t>&)>& visit) {
  for (int64_t token = Vocabulary::kUnk; token < vocab; ++token) {
    if (token == Vocabulary::kBos) continue;
    prefix.push_back(token);
    if (token == Vocabulary::kEos || static_cast<int64_t>(prefix.size()) == limit) {
      visit(prefix);
    } else {
      enumerate(vocab, limit, prefix, visit);
    }
    prefix.pop_back();
  }
}

// With a beam as wide as the search space, beam search is exhaustive search: its
// n-best list is the true n-best by normalized score, checked against every sequence
// scored by teacher forcing.
TEST_P(BeamSearch, AWideBeamFindsTheExhaustiveNBest) {
  constexpr int64_t kVocab = 7;  // <unk>, </s> and 3 words may be output
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kVocab, 3);
  const auto sentences = testing::random_sentences({1, 3}, kSourceVocab, 4);
  for (double alpha : {0.0, 1.0}) {
    // K above the candidates of any step (at most 4^3 live prefixes x 5 tokens), so
    // nothing is ever pruned.
    SearchOptions options = beam_options(400, 5, alpha);
    options.max_length_ratio = 0.5;
    options.max_length_offset = 2;  // limit = ceil(0.5 * (n + 1)) + 2: 3 and 4 tokens
    for (const auto& sentence : sentences) {
      const auto source = make_source_batch({sentence}, torch::kCPU);
      const int64_t limit = max_target_length(static_cast<int64_t>(sentence.size()) + 1, options);
      std::vector<std::pair<double, std::vector<int64_t>>> all;  // (normalized score, tokens)
      std::vector<int64_t> prefix;
      enumerate(kVocab, limit, prefix, [&](const std::vector<int64_t>& tokens) {
        std::vector<int64_t> words(tokens.begin(), tokens.end() - (tokens.back() == Vocabulary::kEos ? 1 : 0));
        const auto forced = force_decode(*model, source, {words}, false)[0];
        double score = 0;
        for (size_t t = 0; t < tokens.size(); ++t) score += forced.token_log_probs[t];
        all.push_back({score / length_penalty(static_cast<int64_t>(tokens.size()), alpha), tokens});
      });
      std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
      const auto found = beam_search(*model, source, options)[0];
      ASSERT_EQ(found.size(), 5u);
      for (size_t k = 0; k < found.size(); ++k) {
        EXPECT_EQ(found[k].tokens, all[k].second) << "alpha " << alpha << " rank " << k;
        EXPECT_NEAR(found[k].normalized_score, all[k].first, 1e-5) << "alpha " << alpha << " rank " << k;
      }
    }
  }
}

TEST_P(BeamSearch, NBestIsDistinctOrderedAndScoredAsDocumented) {
  auto model = testing::tiny_model(GetParam());
  const auto sentences = testing::random_sentences(testing::random_lengths(12, 5), kSourceVocab, 6);
  const double alpha = 0.8;
  const auto results = beam_search(*model, make_source_batch(sentences, torch::kCPU), beam_options(5, 4, alpha));
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& nbest = results[i];
    ASSERT_EQ(nbest.size(), 4u) << "sentence " << i;
    std::set<std::vector<int64_t>> distinct;
    const int64_t limit = max_target_length(static_cast<int64_t>(sentences[i].size()) + 1, beam_options(5));
    for (size_t k = 0; k < nbest.size(); ++k) {
      const auto& h = nbest[k];
      distinct.insert(h.tokens);
      if (k > 0) {
        EXPECT_GE(nbest[k - 1].normalized_score, h.normalized_score);
      }
      double total = 0;
      for (float lp : h.token_log_probs) total += lp;
      EXPECT_NEAR(h.score, total, 1e-9);
      EXPECT_NEAR(h.normalized_score, h.score / length_penalty(static_cast<int64_t>(h.tokens.size()), alpha), 1e-9);
      // </s> only at the end; otherwise cut at the limit. Never <pad> or <s>.
      const bool finished = h.tokens.back() == Vocabulary::kEos;
      EXPECT_TRUE(finished || static_cast<int64_t>(h.tokens.size()) == limit);
      for (size_t t = 0; t < h.tokens.size(); ++t) {
        EXPECT_NE(h.tokens[t], Vocabulary::kPad);
        EXPECT_NE(h.tokens[t], Vocabulary::kBos);
        if (t + 1 < h.tokens.size()) {
          EXPECT_NE(h.tokens[t], Vocabulary::kEos);
        }
      }
    }
    EXPECT_EQ(distinct.size(), nbest.size()) << "sentence " << i;
  }
}

// The attention and log-probabilities of every returned hypothesis are those of
// teacher-forcing its own tokens: the backpointers are followed correctly.
TEST_P(BeamSearch, EachHypothesisCarriesItsOwnAttention) {
  auto model = testing::tiny_model(GetParam());
  const auto sentences = testing::random_sentences(testing::random_lengths(8, 7), kSourceVocab, 8);
  const auto source = make_source_batch(sentences, torch::kCPU);
  const auto results = beam_search(*model, source, beam_options(4, 4));
  for (size_t i = 0; i < results.size(); ++i) {
    const auto alone = make_source_batch({sentences[i]}, torch::kCPU);
    for (size_t k = 0; k < results[i].size(); ++k) {
      const auto& h = results[i][k];
      const auto length = static_cast<int64_t>(h.tokens.size());
      std::vector<int64_t> words(h.tokens.begin(), h.tokens.end() - (h.tokens.back() == Vocabulary::kEos ? 1 : 0));
      const auto forced = force_decode(*model, alone, {words}, true)[0];
      const std::string what = "sentence " + std::to_string(i) + " rank " + std::to_string(k);
      for (int64_t t = 0; t < length; ++t) EXPECT_NEAR(h.token_log_probs[t], forced.token_log_probs[t], 1e-4) << what;
      for (const auto& [part, weights] : forced.attention.parts) {
        auto expected = weights;
        if (part != AttentionPart::EncoderSelf) expected = expected.narrow(2, 0, length);
        if (part == AttentionPart::DecoderSelf) expected = expected.narrow(3, 0, length);
        ASSERT_TRUE(h.attention.has(part)) << what;
        ASSERT_EQ(h.attention.at(part).sizes(), expected.sizes()) << what << " " << attention_part_name(part);
        EXPECT_TRUE(torch::allclose(h.attention.at(part), expected, 1e-4, 1e-5)) << what << " " << attention_part_name(part);
      }
    }
  }
}

// Batch invariance, as a property: random subsets of sentences in random order, any
// beam, any thread count give every sentence the tokens it gets alone (scores 1e-5).
TEST_P(BeamSearch, ASentenceGetsTheSameResultInAnyBatchAndWithAnyThreads) {
  auto model = testing::tiny_model(GetParam());
  const auto sentences = testing::random_sentences(testing::random_lengths(40, 9), kSourceVocab, 10);
  std::mt19937 rng(11);
  for (int64_t beam : {1, 3, 5}) {
    const SearchOptions options = beam_options(beam, std::min<int64_t>(beam, 2));
    set_threads(1);
    std::vector<std::vector<Hypothesis>> alone;
    for (const auto& sentence : sentences) {
      alone.push_back(beam_search(*model, make_source_batch({sentence}, torch::kCPU), options)[0]);
    }
    for (int trial = 0; trial < 6; ++trial) {
      set_threads(1 + trial % 2);
      std::vector<size_t> chosen(sentences.size());
      std::iota(chosen.begin(), chosen.end(), 0);
      std::shuffle(chosen.begin(), chosen.end(), rng);
      chosen.resize(1 + rng() % sentences.size());
      std::vector<std::vector<int64_t>> batch;
      for (size_t i : chosen) batch.push_back(sentences[i]);
      const auto results = beam_search(*model, make_source_batch(batch, torch::kCPU), options);
      for (size_t j = 0; j < chosen.size(); ++j) {
        const auto& expected = alone[chosen[j]];
        const std::string what = "beam " + std::to_string(beam) + " trial " + std::to_string(trial) +
                                  " sentence " + std::to_string(chosen[j]);
        ASSERT_EQ(results[j].size(), expected.size()) << what;
        for (size_t k = 0; k < expected.size(); ++k) {
          EXPECT_EQ(results[j][k].tokens, expected[k].tokens) << what << " rank " << k;
          EXPECT_NEAR(results[j][k].score, expected[k].score, 1e-5) << what << " rank " << k;
        }
      }
    }
  }
  set_threads(0);
}

TEST_P(BeamSearch, RejectsOptionsOutOfRange) {
  auto model = testing::tiny_model(GetParam());
  const auto source = make_source_batch(testing::random_sentences({3}, kSourceVocab, 12), torch::kCPU);
  EXPECT_THROW(beam_search(*model, source, beam_options(0)), Error);
  EXPECT_THROW(beam_search(*model, source, beam_options(2, 3)), Error);
  EXPECT_THROW(beam_search(*model, source, beam_options(2, 1, -0.5)), Error);
  EXPECT_TRUE(beam_search(*model, make_source_batch({}, torch::kCPU), beam_options(2)).empty());
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, BeamSearch, ::testing::ValuesIn(testing::registry_names()),
                         testing::model_test_name);

}  // namespace
}  // namespace heed
