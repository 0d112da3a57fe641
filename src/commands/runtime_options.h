// Options shared by the model-running subcommands: --threads and --device for all,
// the translator options for those that translate.
#pragma once

#include <CLI/App.hpp>
#include <torch/types.h>

#include <string>

#include "decode/translator.h"

namespace heed {

struct RuntimeOptions {
  int threads = 0;             // 0: all cores
  std::string device = "cpu";  // cpu | cuda | cuda:N

  // Applies the thread settings and returns the device; heed::Error when CUDA is asked
  // for but not available.
  torch::Device apply() const;
  // The thread count asked for (all cores for 0).
  int thread_count() const;
};

void add_runtime_options(CLI::App* command, RuntimeOptions& options);

// --threads alone, for subcommands that run no model (data, score, models): every
// subcommand accepts it; it is applied as soon as it is parsed.
void add_threads_option(CLI::App* command);

// --beam, --length-penalty and --max-length-ratio.
void add_search_options(CLI::App* command, SearchOptions& options);

// How the subcommands that run a trained model compute its linear layers.
struct InferencePrecision {
  Precision precision = Precision::Float32;
  // Float32 products from the BLAS library instead of heed's packed kernel (which
  // float32 uses where the CPU has AVX-512): to compare, or to reproduce numbers
  // computed during training to the last bit.
  bool fp32_blas = false;
};

// --precision fp32|bf16|int8 and --fp32-blas.
void add_precision_option(CLI::App* command, InferencePrecision& precision);

// Packs the loaded model's linear layers for `precision` (models/packed_linear.h) and
// gives LibTorch's pool the threads set so far (the packed products run on it, unless a
// thread team takes them: `heed serve`). heed::Error for a reduced precision on a GPU,
// or --fp32-blas with another precision; a warning when the CPU lacks the instructions
// a precision needs.
void use_precision(const LoadedModel& model, const InferencePrecision& precision, const torch::Device& device);

// --batch-size, the search options, --nbest and --no-cache.
void add_translator_options(CLI::App* command, TranslatorOptions& options);

}  // namespace heed
