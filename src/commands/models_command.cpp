// heed models: the registry, with each model's default hyperparameters and the training
// options it gets unless told otherwise.
#include <fmt/format.h>

#include <iostream>

#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "models/registry.h"
#include "text/vocabulary.h"

namespace heed {

namespace {

// {"d_model": 256, "norm_first": false} -> "d_model=256 norm_first=false" (the keys of
// config.json; the flag of key `a_b` is `--a-b`).
std::string as_settings(const nlohmann::json& values) {
  std::string settings;
  for (const auto& [key, value] : values.items()) {
    settings += fmt::format("{}{}={}", settings.empty() ? "" : " ", key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  return settings;
}

}  // namespace

void add_models_command(CLI::App& app) {
  auto* models = app.add_subcommand("models", "List the models in the registry with their defaults");
  add_threads_option(models);
  models->callback([] {
    for (const auto& entry : model_registry()) {
      const ModelDims smallest{Vocabulary::kNumSpecials, Vocabulary::kNumSpecials};
      const nlohmann::json hyperparameters = entry.build(nlohmann::json::object(), smallest)->hyperparameters();
      std::cout << fmt::format("{:<16}{}\n{:<16}model:    {}\n{:<16}training: {}\n", entry.name, entry.summary,
                               "", as_settings(hyperparameters), "", as_settings(entry.training_defaults));
    }
  });
}

}  // namespace heed
