// The model registry: the single list of model names -> builders.
//
// Every command builds models only through `build_model`. Adding a model is one file
// (its class) plus one entry in registry.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/model_dims.h"
#include "models/seq2seq_model.h"

namespace heed {

struct ModelEntry {
  std::string name;
  std::string summary;  // one line for `heed models`
  // Training options that suit the model, in the keys of TrainOptions::to_json; `heed
  // train` uses them when not given (the Transformer wants a warm-up, label smoothing,
  // Adam beta2 0.98 and smaller batches; the GRU trains well without).
  nlohmann::json training_defaults;
  // Builds the model from (possibly partial) hyperparameters; missing keys take the
  // model's defaults; unknown keys or bad values throw heed::Error.
  std::function<ModelPtr(const nlohmann::json& hyperparameters, const ModelDims& dims)> build;
};

const std::vector<ModelEntry>& model_registry();

// heed::Error "unknown model 'x' (known: a, b)" when absent.
const ModelEntry& find_model(const std::string& name);

// Throws heed::Error for an unknown name or bad hyperparameters, before any data is read.
void check_hyperparameters(const std::string& name, const nlohmann::json& hyperparameters);

ModelPtr build_model(const std::string& name, const nlohmann::json& hyperparameters,
                     const ModelDims& dims);

}  // namespace heed
