// heed models: the registry, one line per model.
#include <iomanip>
#include <iostream>

#include "commands/commands.h"
#include "models/registry.h"

namespace heed {

void add_models_command(CLI::App& app) {
  auto* models = app.add_subcommand("models", "List the models in the registry");
  models->callback([] {
    for (const auto& entry : model_registry()) {
      std::cout << std::left << std::setw(16) << entry.name << entry.summary << "\n";
    }
  });
}

}  // namespace heed
