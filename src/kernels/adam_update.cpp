#include "kernels/adam_update.h"

#include <cmath>

#include "kernels/cpu_clones.h"

namespace heed {

HEED_CPU_CLONES
void adam_update(float* __restrict param, float* __restrict exp_avg, float* __restrict exp_avg_sq,
                 const float* __restrict grad, int64_t n, const AdamCoefficients& c) {
  // The operations of torch::optim::Adam in its order (mul_ then add_, mul_ then
  // addcmul_, sqrt then div then add_, addcdiv_ as self + (value * t1) / t2); they differ
  // from it only where LibTorch's vector code fuses a multiply-add.
  const float scale = c.grad_scale;
  const float beta1 = c.beta1, one_minus_beta1 = c.one_minus_beta1;
  const float beta2 = c.beta2, one_minus_beta2 = c.one_minus_beta2;
  const float sqrt_bc2 = c.sqrt_bias_correction2, eps = c.eps, minus_step_size = -c.step_size;
  for (int64_t i = 0; i < n; ++i) {
    const float g = grad[i] * scale;
    const float m = exp_avg[i] * beta1 + g * one_minus_beta1;
    const float v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    const float denom = std::sqrt(v) / sqrt_bc2 + eps;
    param[i] += (minus_step_size * m) / denom;
  }
}

}  // namespace heed
