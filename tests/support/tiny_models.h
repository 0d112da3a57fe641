// Small seeded models and batches shared by the model, decoding and training tests.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cctype>

#include <random>
#include <string>
#include <vector>

#include "data/batching.h"
#include "models/registry.h"

namespace heed::testing {

// Every registry name, and a test-name-safe spelling of one: tests parameterized over
// the registry use them as
//   INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, Suite, ValuesIn(registry_names()), model_test_name);
inline std::vector<std::string> registry_names() {
  std::vector<std::string> names;
  for (const auto& entry : model_registry()) names.push_back(entry.name);
  return names;
}

inline std::string model_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

// Hyperparameters small enough for fast tests, per registry name.
inline nlohmann::json tiny_hyperparameters(const std::string& model) {
  if (model == "gru-bahdanau") {
    return {{"emb", 12}, {"hidden", 16}, {"attention_size", 10}, {"layers", 2}, {"dropout", 0.1}};
  }
  if (model == "transformer") {
    return {{"d_model", 16}, {"heads", 4}, {"layers", 2}, {"ff", 24}, {"dropout", 0.1}};
  }
  return nlohmann::json::object();
}

inline ModelPtr tiny_model(const std::string& name, int64_t source_vocab = 23, int64_t target_vocab = 19,
                           uint64_t seed = 7) {
  torch::manual_seed(seed);
  auto model = build_model(name, tiny_hyperparameters(name), {source_vocab, target_vocab});
  model->eval();
  return model;
}

// Random sentences of the given lengths with ids in [4, vocab): no specials inside.
inline std::vector<std::vector<int64_t>> random_sentences(const std::vector<int64_t>& lengths,
                                                          int64_t vocab, uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<std::vector<int64_t>> sentences;
  for (int64_t length : lengths) {
    auto ids = torch::randint(4, vocab, {length}, torch::kInt64);
    sentences.emplace_back(ids.data_ptr<int64_t>(), ids.data_ptr<int64_t>() + length);
  }
  return sentences;
}

// `count` sentence lengths from 1 to max_length, the same for the same seed.
inline std::vector<int64_t> random_lengths(size_t count, uint64_t seed, int64_t max_length = 14) {
  std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
  std::vector<int64_t> lengths;
  for (size_t i = 0; i < count; ++i) lengths.push_back(1 + static_cast<int64_t>(rng() % max_length));
  return lengths;
}

}  // namespace heed::testing
