#include "train/fused_adam.h"

#include <c10/util/string_utils.h>
#include <torch/autograd.h>

#include <cmath>
#include <tuple>

#include "kernels/adam_update.h"

namespace heed {

namespace {
bool contiguous_float_like(const torch::Tensor& t, const torch::Tensor& p) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.layout() == torch::kStrided &&
         t.is_contiguous() && t.numel() == p.numel();
}

// Whether the loop can update p: the parameter, its gradient and any state it has are
// contiguous CPU floats of one size, and the options are plain Adam.
bool fusable(const torch::Tensor& p, const torch::optim::AdamOptions& options,
             const torch::optim::OptimizerParamState* state) {
  if (options.weight_decay() != 0.0 || options.amsgrad()) return false;
  if (!contiguous_float_like(p, p) || !contiguous_float_like(p.grad(), p)) return false;
  if (state == nullptr) return true;
  const auto& adam = static_cast<const torch::optim::AdamParamState&>(*state);
  return contiguous_float_like(adam.exp_avg(), p) && contiguous_float_like(adam.exp_avg_sq(), p);
}

std::string state_key(const torch::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }
}  // namespace

void FusedAdam::step_scaled(double grad_scale) {
  torch::NoGradGuard no_grad;
  bool all_fusable = true;
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (const auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto found = state_.find(state_key(p));
      if (!fusable(p, options, found == state_.end() ? nullptr : found->second.get())) all_fusable = false;
    }
  }
  last_step_fused_ = all_fusable;
  if (!all_fusable) {
    // The general path: scale in place, then LibTorch's Adam.
    if (grad_scale != 1.0) {
      for (auto& group : param_groups_) {
        for (auto& p : group.params()) {
          if (p.grad().defined()) p.mutable_grad().mul_(grad_scale);
        }
      }
    }
    torch::optim::Adam::step();
    return;
  }
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    const double beta1 = std::get<0>(options.betas());
    const double beta2 = std::get<1>(options.betas());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      // The state as torch::optim::Adam keeps it, under the key it uses.
      const std::string key = state_key(p);
      auto found = state_.find(key);
      if (found == state_.end()) {
        auto state = std::make_unique<torch::optim::AdamParamState>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        found = state_.emplace(key, std::move(state)).first;
      }
      auto& state = static_cast<torch::optim::AdamParamState&>(*found->second);
      state.step(state.step() + 1);
      AdamCoefficients c;
      c.grad_scale = static_cast<float>(grad_scale);
      c.beta1 = static_cast<float>(beta1);
      c.one_minus_beta1 = static_cast<float>(1.0 - beta1);
      c.beta2 = static_cast<float>(beta2);
      c.one_minus_beta2 = static_cast<float>(1.0 - beta2);
      c.sqrt_bias_correction2 = static_cast<float>(std::sqrt(1.0 - std::pow(beta2, state.step())));
      c.eps = static_cast<float>(options.eps());
      c.step_size = static_cast<float>(options.lr() / (1.0 - std::pow(beta1, state.step())));
      auto exp_avg = state.exp_avg();
      auto exp_avg_sq = state.exp_avg_sq();
      adam_update(p.data_ptr<float>(), exp_avg.data_ptr<float>(), exp_avg_sq.data_ptr<float>(),
                  p.grad().data_ptr<float>(), p.numel(), c);
    }
  }
}

torch::Tensor FusedAdam::step(LossClosure closure) {
  torch::Tensor loss;
  if (closure) {
    torch::AutoGradMode enable_grad(true);
    loss = closure();
  }
  step_scaled(1.0);
  return loss;
}

void FusedAdam::clear_gradients() {
  for (auto& group : param_groups_) {
    for (auto& p : group.params()) p.mutable_grad().reset();
  }
}

double clip_coefficient(const std::vector<torch::Tensor>& parameters, double max_norm,
                        double* total_norm) {
  torch::NoGradGuard no_grad;
  double squares = 0.0;
  for (const auto& p : parameters) {
    if (!p.grad().defined()) continue;
    const double norm = p.grad().norm().item<double>();
    squares += norm * norm;
  }
  const double norm = std::sqrt(squares);
  if (total_norm) *total_norm = norm;
  return std::min(1.0, max_norm / (norm + 1e-6));
}

}  // namespace heed
