// Options every model-running subcommand accepts: --threads and --device.
#pragma once

#include <CLI/App.hpp>
#include <torch/types.h>

#include <string>

namespace heed {

struct RuntimeOptions {
  int threads = 0;             // 0: all cores
  std::string device = "cpu";  // cpu | cuda | cuda:N

  // Applies the thread settings and returns the device; heed::Error when CUDA is asked
  // for but not available.
  torch::Device apply() const;
};

void add_runtime_options(CLI::App* command, RuntimeOptions& options);

}  // namespace heed
