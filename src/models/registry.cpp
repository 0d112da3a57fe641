#include "models/registry.h"

#include "models/gru_bahdanau.h"
#include "models/transformer.h"
#include "text/vocabulary.h"
#include <algorithm>

#include "util/error.h"

namespace heed {

const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> entries = {
      model_entry<GruBahdanau>(),
      model_entry<Transformer>(),
  };
  return entries;
}

std::string hyperparameter_not_applicable(const std::string& key, const std::string& model) {
  return "option " + flag_name(key) + " does not apply to model " + model;
}

const ModelEntry& find_model(const std::string& name) {
  std::string known;
  for (const auto& entry : model_registry()) {
    if (entry.name == name) return entry;
    known += (known.empty() ? "" : ", ") + entry.name;
  }
  throw Error("unknown model '" + name + "' (known: " + known + ")");
}

std::vector<OptionSpec> all_hyperparameters() {
  std::vector<OptionSpec> merged;
  for (const auto& entry : model_registry()) {
    for (const auto& spec : entry.hyperparameters) {
      auto same = std::find_if(merged.begin(), merged.end(), [&](const OptionSpec& s) { return s.key == spec.key; });
      if (same == merged.end()) {
        merged.push_back(spec);
        merged.back().used_by = {entry.name};
        continue;
      }
      // One flag serves every model that declares the key, so they must agree on its type.
      if (same->type != spec.type) {
        throw Error("models " + same->used_by.front() + " and " + entry.name + " declare " + spec.flag() +
                    " with different types");
      }
      same->used_by.push_back(entry.name);
    }
  }
  return merged;
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
