// heed gemm-rate: how fast this machine multiplies matrices in each precision (GFLOP/s),
// the peak that `translate --profile` and scripts/bench-decode.sh compare decoding with.
#include <cstdio>

#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "commands/validators.h"
#include "models/gemm_rate.h"
#include "util/threads.h"

namespace heed {

namespace {
struct GemmRateOptions {
  GemmShape shape;
  int repetitions = 10;
  int threads = 0;
};

void run_gemm_rate(const GemmRateOptions& o) {
  set_threads(o.threads);
  std::printf("precision  rows  inputs  outputs  threads  GFLOP/s\n");
  for (const auto& [name, precision] : kPrecisionNames) {
    // The pool decoding uses for each: OpenBLAS for fp32, LibTorch's for the packed products.
    const ProductPoolScope pool(precision == Precision::Float32 ? ProductPool::Blas : ProductPool::Torch);
    std::printf("%-9s %5lld %7lld %8lld %8d %8.1f\n", name.c_str(), static_cast<long long>(o.shape.rows),
                static_cast<long long>(o.shape.inputs), static_cast<long long>(o.shape.outputs), thread_count(),
                gemm_rate(precision, o.shape, o.repetitions));
    std::fflush(stdout);
  }
}
}  // namespace

void add_gemm_rate_command(CLI::App& app) {
  auto o = std::make_shared<GemmRateOptions>();
  auto* cmd = app.add_subcommand("gemm-rate",
                                 "Measure this machine's matrix-product rate in fp32, bf16 and int8 (GFLOP/s)");
  cmd->add_option("--rows", o->shape.rows, "rows of the input (sentences x positions)")
      ->capture_default_str()->check(positive());
  cmd->add_option("--inputs", o->shape.inputs, "input features")->capture_default_str()->check(positive());
  cmd->add_option("--outputs", o->shape.outputs, "output features")->capture_default_str()->check(positive());
  cmd->add_option("--repetitions", o->repetitions, "timed products; the best counts")
      ->capture_default_str()->check(positive());
  cmd->add_option("--threads", o->threads, "CPU threads (0 = all cores)")->check(non_negative());
  cmd->callback([o] { run_gemm_rate(*o); });
}

}  // namespace heed
