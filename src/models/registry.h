// The model registry: the single list of model names -> builders.
//
// Every command builds models only through `build_model`. Adding a model is one file (its
// class, which declares its name, summary, hyperparameters and training defaults) plus
// one line in registry.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/model_dims.h"
#include "models/seq2seq_model.h"
#include "util/options.h"

namespace heed {

struct ModelEntry {
  std::string name;
  std::string summary;  // one line for `heed models`
  // The model's hyperparameters as declared by its Config (flags, recipes, listings).
  std::vector<OptionSpec> hyperparameters;
  // Training options that suit the model, in the keys of TrainOptions
  // (train/train_options.h); `heed train` uses them when not given.
  nlohmann::json training_defaults;
  // Builds the model from (possibly partial) hyperparameters; missing keys take the
  // model's defaults; unknown keys or bad values throw heed::Error.
  std::function<ModelPtr(const nlohmann::json& hyperparameters, const ModelDims& dims)> build;
};

// "option --KEY does not apply to model NAME": the error for a key no declaration read.
std::string hyperparameter_not_applicable(const std::string& key, const std::string& model);

// The entry of a model class that provides Config (with declare() and finish()), kName,
// kSummary and training_defaults().
template <class Model>
ModelEntry model_entry() {
  return {Model::kName, Model::kSummary, option_specs<typename Model::Config>(), Model::training_defaults(),
          [](const nlohmann::json& hyperparameters, const ModelDims& dims) -> ModelPtr {
            typename Model::Config config;
            set_options(config, hyperparameters, hyperparameter_not_applicable, Model::kName);
            config.finish();
            return std::make_shared<Model>(config, dims);
          }};
}

const std::vector<ModelEntry>& model_registry();

// heed::Error "unknown model 'x' (known: a, b)" when absent.
const ModelEntry& find_model(const std::string& name);

// The hyperparameters of every model, one spec per key (a key several models declare,
// like --layers, is one option; used_by names those models).
std::vector<OptionSpec> all_hyperparameters();

// Throws heed::Error for an unknown name or bad hyperparameters, before any data is read.
void check_hyperparameters(const std::string& name, const nlohmann::json& hyperparameters);

ModelPtr build_model(const std::string& name, const nlohmann::json& hyperparameters,
                     const ModelDims& dims);

}  // namespace heed
