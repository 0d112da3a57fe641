#include "train/cross_entropy.h"

#include <torch/autograd.h>

namespace heed {

namespace {

// Below this, a float probability has lost digits (and 0 would give -inf): the log of
// the target's probability is then taken from log_softmax of that row instead.
constexpr double kLogProbExactBelow = -69.0;  // exp(-69) ~ 1e-30

class SoftmaxCrossEntropyFunction : public torch::autograd::Function<SoftmaxCrossEntropyFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& logits,
                               const torch::Tensor& targets, double eps) {
    const auto target_column = targets.unsqueeze(1);                  // (N, 1)
    auto probs = torch::softmax(logits, /*dim=*/1);                   // (N, V)
    auto log_p = probs.gather(1, target_column).squeeze(1).log();     // (N)
    const auto far = (log_p < kLogProbExactBelow).nonzero().squeeze(1);
    if (far.numel() > 0) {
      log_p.index_put_({far}, torch::log_softmax(logits.index_select(0, far), /*dim=*/1)
                                  .gather(1, target_column.index_select(0, far))
                                  .squeeze(1));
    }
    auto per_token = log_p * -(1.0 - eps);  // (N)
    if (eps > 0.0) {
      // mean_v (-log p_v) = logsumexp(x) - mean_v x_v, and logsumexp(x) = x_t - log p_t.
      const auto log_sum_exp = logits.gather(1, target_column).squeeze(1) - log_p;
      per_token = per_token + eps * (log_sum_exp - logits.mean(/*dim=*/1));
    }
    ctx->save_for_backward({probs, targets});
    ctx->saved_data["eps"] = eps;
    return per_token.mean();
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    auto grad = saved[0];  // the probabilities (N, V), made into the gradient in place
    const auto& targets = saved[1];
    const double eps = ctx->saved_data["eps"].toDouble();
    const int64_t n = grad.size(0), v = grad.size(1);
    const auto scale = grad_outputs[0] / static_cast<double>(n);  // 0-dim
    grad.mul_(scale);
    if (eps > 0.0) grad.sub_(scale * (eps / static_cast<double>(v)));
    grad.scatter_add_(1, targets.unsqueeze(1), (scale * -(1.0 - eps)).expand({n, 1}));
    return {grad, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor softmax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets,
                                    double label_smoothing) {
  // Callers pass validated options; a violation here is a bug, not a user error.
  TORCH_CHECK(logits.dim() == 2 && targets.dim() == 1 && targets.size(0) == logits.size(0),
              "softmax_cross_entropy: logits (N, V) and targets (N)");
  TORCH_CHECK(label_smoothing >= 0.0 && label_smoothing < 1.0, "label smoothing must be in [0, 1)");
  return SoftmaxCrossEntropyFunction::apply(logits, targets, label_smoothing);
}

}  // namespace heed
