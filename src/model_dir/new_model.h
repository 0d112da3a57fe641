// A fresh, untrained model: the given tokenizers and vocabularies (built from the
// training corpus or loaded from `heed vocab`'s directory) and the model built through
// the registry.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "text/vocabularies.h"
#include "model_dir/model_directory.h"

namespace heed {

struct NewModelSpec {
  std::string model = "gru-bahdanau";
  nlohmann::json hyperparameters = nlohmann::json::object();  // partial; model defaults fill in
  uint64_t seed = 1;          // initial weights
};

LoadedModel create_model(const NewModelSpec& spec, Vocabularies vocabularies);

}  // namespace heed
