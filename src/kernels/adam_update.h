// The per-element Adam update behind FusedAdam (src/train/fused_adam.h), as a plain
// loop over float arrays, compiled for AVX-512, AVX2 and baseline x86-64.
#pragma once

#include <cstdint>

namespace heed {

struct AdamCoefficients {
  float grad_scale = 1.0f;             // gradient clipping coefficient (1 = none)
  float beta1 = 0.9f;
  float one_minus_beta1 = 0.1f;        // 1 - beta1 in double, then rounded (as LibTorch)
  float beta2 = 0.999f;
  float one_minus_beta2 = 0.001f;
  float sqrt_bias_correction2 = 1.0f;  // sqrt(1 - beta2^t)
  float eps = 1e-8f;
  float step_size = 1e-3f;             // lr / (1 - beta1^t)
};

// For i in [0, n): g = grad[i] * grad_scale;
//   exp_avg[i]    = beta1 exp_avg[i] + (1 - beta1) g
//   exp_avg_sq[i] = beta2 exp_avg_sq[i] + (1 - beta2) g g
//   param[i]     += (-step_size exp_avg[i]) / (sqrt(exp_avg_sq[i]) / sqrt_bias_correction2 + eps)
void adam_update(float* param, float* exp_avg, float* exp_avg_sq, const float* grad, int64_t n,
                 const AdamCoefficients& c);

}  // namespace heed
