#include "models/dropout.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <cmath>
#include <mutex>

#include "util/error.h"

namespace heed {

namespace {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// mask[i] = 0 or 1 / (1 - p) for i < n, from `seed`; when `input` is given, also
// output[i] = input[i] * mask[i] in the same pass.
void fill_mask(float* mask, const float* input, float* output, int64_t n, double p, uint64_t seed) {
  // Element i is dropped when the 32-bit draw u_i < p * 2^32; two draws per hash.
  const auto threshold = static_cast<uint64_t>(std::ldexp(p, 32));
  const float keep = static_cast<float>(1.0 / (1.0 - p));
  at::parallel_for(0, (n + 1) / 2, 16384, [&](int64_t begin, int64_t end) {
    for (int64_t pair = begin; pair < end; ++pair) {
      const uint64_t bits = splitmix64(seed ^ (static_cast<uint64_t>(pair) * 0xD1B54A32D192ED03ull));
      const int64_t i = 2 * pair;
      mask[i] = (bits & 0xFFFFFFFFull) < threshold ? 0.0f : keep;
      if (i + 1 < n) mask[i + 1] = (bits >> 32) < threshold ? 0.0f : keep;
      if (input) {
        output[i] = input[i] * mask[i];
        if (i + 1 < n) output[i + 1] = input[i + 1] * mask[i + 1];
      }
    }
  });
}

uint64_t next_seed() {
  auto* generator = at::check_generator<at::CPUGeneratorImpl>(at::detail::getDefaultCPUGenerator());
  std::lock_guard<std::mutex> lock(generator->mutex_);
  return generator->random64();
}

class DropoutFunction : public torch::autograd::Function<DropoutFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input, double p) {
    const uint64_t seed = next_seed();
    if (input.scalar_type() != torch::kFloat32) {
      const auto mask = dropout_mask(input.sizes(), p, seed).to(input.dtype());
      ctx->save_for_backward({mask});
      return input * mask;
    }
    // Mask and product in one pass over the input.
    const auto contiguous = input.contiguous();
    auto mask = torch::empty(input.sizes(), contiguous.options());
    auto output = torch::empty_like(mask);
    fill_mask(mask.data_ptr<float>(), contiguous.data_ptr<float>(), output.data_ptr<float>(), mask.numel(), p,
              seed);
    ctx->save_for_backward({mask});
    return output;
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const auto mask = ctx->get_saved_variables()[0];
    return {grad_outputs[0] * mask, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor dropout_mask(at::IntArrayRef sizes, double p, uint64_t seed) {
  auto mask = torch::empty(sizes, torch::kFloat32);
  fill_mask(mask.data_ptr<float>(), nullptr, nullptr, mask.numel(), p, seed);
  return mask;
}

DropoutImpl::DropoutImpl(double p) : p_(p) {
  if (p < 0.0 || p >= 1.0) throw Error("dropout must be in [0, 1), got " + std::to_string(p));
}

torch::Tensor DropoutImpl::forward(const torch::Tensor& input) {
  if (!is_training() || p_ == 0.0) return input;
  if (!input.device().is_cpu()) return torch::dropout(input, p_, /*train=*/true);
  return DropoutFunction::apply(input, p_);
}

}  // namespace heed
