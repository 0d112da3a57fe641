// Adam with gradient clipping in one pass over each parameter.
//
// torch::optim::Adam (LibTorch 1.13) updates a parameter with eight tensor operations
// (mul_, add_, mul_, addcmul_, sqrt, div, add_, addcdiv_), each a pass over memory the
// size of the parameter, two of them allocating; clip_grad_norm_ adds a norm and a mul_
// per gradient, and zero_grad a fill. For a model of 10M parameters that is about a
// gigabyte of memory traffic per step, all of it outside the matrix products.
//
// FusedAdam keeps torch::optim::Adam's options and state (AdamParamState: step,
// exp_avg, exp_avg_sq), so optimizer.pt files are the same, and computes, per element,
//   g  = grad * scale                    (scale: the clipping coefficient, or 1)
//   m  = beta1 m + (1 - beta1) g
//   v  = beta2 v + (1 - beta2) g^2
//   p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// in one loop that reads g, p, m, v and writes p, m, v. That is Adam's formula as
// LibTorch writes it, so the two agree to float rounding (tested). Parameters the loop
// does not cover (not float, not contiguous, not on the CPU, with weight decay or
// AMSGrad) go through torch::optim::Adam's own step.
#pragma once

#include <torch/optim/adam.h>

#include <vector>

namespace heed {

class FusedAdam : public torch::optim::Adam {
 public:
  FusedAdam(std::vector<torch::Tensor> params, torch::optim::AdamOptions options)
      : torch::optim::Adam(std::move(params), options) {}

  // One Adam update with every gradient multiplied by grad_scale first.
  void step_scaled(double grad_scale);

  torch::Tensor step(LossClosure closure = nullptr) override;

  // Whether the last step went through the fused loop (false: LibTorch's Adam).
  bool last_step_fused() const { return last_step_fused_; }

  // Gradients become undefined (not zero-filled): the next backward then writes them
  // instead of adding to zeros, one pass fewer per gradient.
  void clear_gradients();

 private:
  bool last_step_fused_ = false;
};

// The coefficient clip_grad_norm_(max_norm) multiplies gradients by:
// min(1, max_norm / (total L2 norm + 1e-6)). Returns the total norm in `total_norm`.
// A non-finite gradient gives a non-finite norm and coefficient 1 or 0; the update then
// makes the weights non-finite and the trainer's loss check stops the run.
double clip_coefficient(const std::vector<torch::Tensor>& parameters, double max_norm,
                        double* total_norm = nullptr);

}  // namespace heed
