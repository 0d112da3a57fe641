#include "models/registry.h"

#include "models/gru_bahdanau.h"
#include "models/transformer.h"
#include "text/vocabulary.h"
#include "util/error.h"

namespace heed {

const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> entries = {
      {"gru-bahdanau",
       "GRU encoder (bidirectional) + GRU decoder with Bahdanau additive attention",
       {{"lr", 1e-3}, {"lr_schedule", "constant"}, {"adam_beta2", 0.999}, {"warmup_steps", 0}, {"label_smoothing", 0.0}, {"batch_tokens", 4096}},
       [](const nlohmann::json& hyperparameters, const ModelDims& dims) -> ModelPtr {
         return std::make_shared<GruBahdanau>(GruBahdanauConfig::from_json(hyperparameters), dims);
       }},
      {"transformer",
       "Transformer encoder-decoder with multi-head attention (every layer and head exported)",
       {{"lr", 2e-3}, {"lr_schedule", "inverse-sqrt"}, {"adam_beta2", 0.98}, {"warmup_steps", 100}, {"label_smoothing", 0.1}, {"batch_tokens", 2048}},
       [](const nlohmann::json& hyperparameters, const ModelDims& dims) -> ModelPtr {
         return std::make_shared<Transformer>(TransformerConfig::from_json(hyperparameters), dims);
       }},
  };
  return entries;
}

const ModelEntry& find_model(const std::string& name) {
  std::string known;
  for (const auto& entry : model_registry()) {
    if (entry.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw Error("unknown model '" + name + "' (known: " + known + ")");
}

void check_hyperparameters(const std::string& name, const nlohmann::json& hyperparameters) {
  // Building with the smallest vocabularies validates every option at little cost.
  find_model(name).build(hyperparameters, {Vocabulary::kNumSpecials, Vocabulary::kNumSpecials});
}

ModelPtr build_model(const std::string& name, const nlohmann::json& hyperparameters,
                     const ModelDims& dims) {
  return find_model(name).build(hyperparameters, dims);
}

}  // namespace heed
