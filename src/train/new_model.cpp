#include "train/new_model.h"

#include <torch/utils.h>

#include "models/registry.h"

namespace heed {

LoadedModel create_model(const NewModelSpec& spec, const std::vector<SentencePair>& train_pairs) {
  const ModelEntry& entry = find_model(spec.model);  // unknown names fail before any work
  LoadedModel model;
  model.config.model = entry.name;
  model.config.source_tokenizer = spec.tokenizer;
  model.config.target_tokenizer = spec.tokenizer;
  model.source_tokenizer = make_tokenizer(model.config.source_tokenizer);
  model.target_tokenizer = make_tokenizer(model.config.target_tokenizer);
  std::vector<std::vector<std::string>> sources, targets;
  sources.reserve(train_pairs.size());
  targets.reserve(train_pairs.size());
  for (const auto& pair : train_pairs) {
    sources.push_back(model.source_tokenizer->encode(pair.source));
    targets.push_back(model.target_tokenizer->encode(pair.target));
  }
  model.source_vocab = Vocabulary::build(sources, spec.vocab);
  model.target_vocab = Vocabulary::build(targets, spec.vocab);
  torch::manual_seed(spec.seed);  // initial weights depend on the seed only
  model.model = entry.build(spec.hyperparameters, {model.source_vocab.size(), model.target_vocab.size()});
  model.config.hyperparameters = model.model->hyperparameters();
  return model;
}

}  // namespace heed
