// An untrained model for a corpus, as `heed train` makes one: vocabularies counted from
// the pairs with the given tokenizer (both sides), the model built through the registry.
#pragma once

#include <string>
#include <vector>

#include "text/vocabularies.h"
#include "model_dir/new_model.h"

namespace heed::testing {

inline LoadedModel untrained_model(const std::string& name, TokenizerKind tokenizer,
                                   const nlohmann::json& hyperparameters,
                                   const std::vector<SentencePair>& pairs, uint64_t seed = 1) {
  VocabSpec vocab;
  vocab.tokenizer.kind = tokenizer;
  NewModelSpec spec;
  spec.model = name;
  spec.hyperparameters = hyperparameters;
  spec.seed = seed;
  return create_model(spec, build_vocabularies(vocab, pairs));
}

}  // namespace heed::testing
