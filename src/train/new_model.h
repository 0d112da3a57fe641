// A fresh, untrained model for a training corpus: tokenizers, vocabularies built from
// the corpus, and the model built through the registry.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/sentence_pair.h"
#include "train/model_directory.h"

namespace heed {

struct NewModelSpec {
  std::string model = "gru-bahdanau";
  nlohmann::json hyperparameters = nlohmann::json::object();  // partial; model defaults fill in
  TokenizerConfig tokenizer;  // both sides
  VocabOptions vocab;         // both sides
  uint64_t seed = 1;          // initial weights
};

LoadedModel create_model(const NewModelSpec& spec, const std::vector<SentencePair>& train_pairs);

}  // namespace heed
