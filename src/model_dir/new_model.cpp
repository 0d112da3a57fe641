#include "model_dir/new_model.h"

#include <torch/utils.h>

#include "models/registry.h"

namespace heed {

LoadedModel create_model(const NewModelSpec& spec, Vocabularies vocabularies) {
  const ModelEntry& entry = find_model(spec.model);  // unknown names fail before any work
  LoadedModel model;
  model.config.model = entry.name;
  model.config.source_tokenizer = vocabularies.source_config;
  model.config.target_tokenizer = vocabularies.target_config;
  model.source_tokenizer = std::move(vocabularies.source_tokenizer);
  model.target_tokenizer = std::move(vocabularies.target_tokenizer);
  model.source_vocab = std::move(vocabularies.source);
  model.target_vocab = std::move(vocabularies.target);
  torch::manual_seed(spec.seed);  // initial weights depend on the seed only
  model.model = entry.build(spec.hyperparameters, {model.source_vocab.size(), model.target_vocab.size()});
  model.config.hyperparameters = model.model->hyperparameters();
  return model;
}

}  // namespace heed
