// heed gemm-rate: how fast this machine multiplies matrices in each precision (GFLOP/s),
// the peak that `translate --profile` and scripts/bench-decode.sh compare decoding with:
// fp32-blas (the BLAS library, as training multiplies), fp32 (heed's packed products, as
// inference does on AVX-512 CPUs), bf16 and int8.
#include <cstdio>

#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "commands/validators.h"
#include "kernels/f32_gemm.h"
#include "models/gemm_rate.h"
#include "models/packed_linear.h"
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
  const auto row = [&](const std::string& name, Precision precision) {
    std::printf("%-9s %5lld %7lld %8lld %8d %8.1f\n", name.c_str(), static_cast<long long>(o.shape.rows),
                static_cast<long long>(o.shape.inputs), static_cast<long long>(o.shape.outputs), thread_count(),
                gemm_rate(precision, o.shape, o.repetitions));
    std::fflush(stdout);
  };
  {
    // fp32 as training runs it: the BLAS library's products, on its pool.
    const ProductPoolScope pool(ProductPool::Blas);
    row("fp32-blas", Precision::Float32);
  }
  const ProductPoolScope pool(ProductPool::Torch);  // heed's packed products run on LibTorch's
  for (const auto& [name, precision] : kPrecisionNames) {
    if (precision == Precision::Float32) {
      // fp32 as inference runs it where the CPU has AVX-512 (kernels/f32_gemm.h).
      if (!f32_gemm_uses_avx512()) continue;
      pack_float32_products(true);
      row(name, precision);
      pack_float32_products(false);
    } else {
      row(name, precision);
    }
  }
}
}  // namespace

void add_gemm_rate_command(CLI::App& app) {
  auto o = std::make_shared<GemmRateOptions>();
  auto* cmd = app.add_subcommand("gemm-rate",
                                 "Measure this machine's matrix-product rate in fp32 (BLAS and packed), bf16 and int8 (GFLOP/s)");
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
