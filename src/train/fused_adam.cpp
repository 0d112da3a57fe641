#include "train/fused_adam.h"

#include <c10/util/string_utils.h>
#include <torch/autograd.h>

#include <cmath>
#include <tuple>

#include "train/adam_update.h"

namespace heed {

namespace {
bool fusable(const torch::Tensor& p, const torch::optim::AdamOptions& options) {
  const auto& grad = p.grad();
  return p.device().is_cpu() && p.scalar_type() == torch::kFloat32 && p.is_contiguous() &&
         grad.scalar_type() == torch::kFloat32 && grad.is_contiguous() && grad.layout() == torch::kStrided &&
         options.weight_decay() == 0.0 && !options.amsgrad();
}
}  // namespace

void FusedAdam::step_scaled(double grad_scale) {
  torch::NoGradGuard no_grad;
  bool all_fusable = true;
  for (auto& group : param_groups_) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (const auto& p : group.params()) {
      if (p.grad().defined() && !fusable(p, options)) all_fusable = false;
    }
  }
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
      const std::string key = c10::guts::to_string(p.unsafeGetTensorImpl());
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
      c.beta2 = static_cast<float>(beta2);
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
