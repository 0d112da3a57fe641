#include "commands/runtime_options.h"
#include "commands/validators.h"

#include <spdlog/spdlog.h>
#include <torch/cuda.h>

#include "kernels/bf16_gemm.h"
#include "kernels/f32_gemm.h"
#include "kernels/int8_gemm.h"
#include "models/packed_linear.h"

#include "util/error.h"
#include "util/threads.h"

#include <algorithm>
#include <chrono>

namespace heed {

void add_runtime_options(CLI::App* command, RuntimeOptions& options) {
  command->add_option("--threads", options.threads, "CPU threads (0 = all cores)")
      ->check(non_negative());
  command->add_option("--device", options.device, "cpu, cuda or cuda:N")->capture_default_str();
}

void add_threads_option(CLI::App* command) {
  command->add_option_function<int>("--threads", [](const int& n) { set_threads(n); },
                                    "CPU threads (0 = all cores)")
      ->check(non_negative());
}

void add_precision_option(CLI::App* command, InferencePrecision& precision) {
  add_choice_option(command, "--precision", precision.precision, kPrecisionNames, "precision",
                    "the linear layers' products: fp32, bf16 (bfloat16 weights and inputs, float32 sums) "
                    "or int8 (weights quantized per output channel, inputs per row); bf16 and int8 on the CPU");
  command->add_flag("--fp32-blas", precision.fp32_blas,
                    "fp32 products from the BLAS library instead of heed's packed AVX-512 kernel (the same "
                    "arithmetic in another order): to compare, or to reproduce training's numbers to the last bit");
}

void use_precision(const LoadedModel& model, const InferencePrecision& chosen, const torch::Device& device) {
  const Precision precision = chosen.precision;
  if (chosen.fp32_blas && precision != Precision::Float32) {
    throw Error("--fp32-blas applies to --precision fp32 (got " + precision_name(precision) + ")");
  }
  if (precision == Precision::Float32) {
    // Packed float32 products (kernels/f32_gemm.h) where the CPU has AVX-512: faster than
    // the BLAS library at a decoder's few rows.
    if (!device.is_cpu() || !f32_gemm_uses_avx512() || chosen.fp32_blas) return;
    pack_float32_products(true);
  }
  const std::string name = precision_name(precision);
  if (!device.is_cpu()) throw Error("--precision " + name + " runs on the CPU (use --device cpu)");
  if (precision == Precision::Int8 && !int8_gemm_uses_vnni()) {
    spdlog::warn("this CPU lacks AVX-512 VNNI: int8 products run portable code, slower than fp32");
  }
  if (precision == Precision::BFloat16 && !bf16_gemm_uses_avx512_bf16()) {
    spdlog::warn("this CPU lacks AVX512-BF16: bf16 products run portable code, slower than fp32");
  }
  const auto started = std::chrono::steady_clock::now();
  model.model->set_precision(precision);
  // Said when asked for (bf16, int8); fp32's packing is the default and stays quiet.
  spdlog::log(precision == Precision::Float32 ? spdlog::level::debug : spdlog::level::info,
              "linear layers packed for {} in {:.1f} ms", name,
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
  use_product_pool(ProductPool::Torch);
}

void add_search_options(CLI::App* command, SearchOptions& options) {
  command->add_option("--beam", options.beam_size, "beam size K (1 = greedy)")
      ->capture_default_str()->check(positive());
  command->add_option("--length-penalty", options.length_penalty,
                      "GNMT length penalty alpha: hypotheses ranked by score / ((5 + length) / 6)^alpha")
      ->capture_default_str()->check(non_negative());
  command->add_option("--max-length-ratio", options.max_length_ratio,
                      "output length limit: R x source tokens + 10")
      ->capture_default_str()->check(positive());
}

void add_translator_options(CLI::App* command, TranslatorOptions& options) {
  command->add_option("--batch-size", options.batch_size, "sentences per batch")
      ->capture_default_str()->check(positive());
  command->add_option("--max-source-tokens", options.max_source_tokens,
                      "a longer input is cropped to its first N tokens, with a warning")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, kMaxSentenceTokens - 1));
  add_search_options(command, options.search);
  command->add_option("--nbest", options.search.nbest, "hypotheses per sentence, N <= K")
      ->capture_default_str()->check(positive());
  command->add_flag("--no-cache", [&options](int64_t) { options.use_cache = false; },
                    "decode without the model's incremental state (re-run the prefix each step; "
                    "slow, for comparison)");
}

int RuntimeOptions::thread_count() const {
  return threads > 0 ? threads : core_count();
}

torch::Device RuntimeOptions::apply() const {
  set_threads(threads);
  if (device == "cpu") return torch::kCPU;
  if (device.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available()) {
      throw Error("--device " + device + ": CUDA is not available (this LibTorch build or machine has no GPU)");
    }
    try {
      return torch::Device(device);
    } catch (const c10::Error&) {
      throw Error("--device " + device + ": not a valid device");
    }
  }
  throw Error("--device must be cpu, cuda or cuda:N (got '" + device + "')");
}

}  // namespace heed
