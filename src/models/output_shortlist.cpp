#include "models/output_shortlist.h"

#include <torch/nn/functional/linear.h>

#include <limits>

namespace heed {

torch::Tensor scatter_shortlisted(const torch::Tensor& logits, const torch::Tensor& ids, int64_t vocab) {
  auto full = torch::full({logits.size(0), vocab}, -std::numeric_limits<float>::infinity(), logits.options());
  full.index_copy_(1, ids.to(logits.device()), logits);
  return full;
}

void OutputShortlist::restrict(const torch::Tensor& ids, const torch::Tensor& weight, const torch::Tensor& bias,
                               const PackedLinear& packed) {
  ids_ = ids;
  packed_ = PackedLinear();
  weight_ = bias_ = torch::Tensor();  // the previous restriction's rows
  if (!ids.defined()) return;
  torch::NoGradGuard no_grad;
  vocab_ = weight.size(0);
  if (packed) {
    packed_ = packed.gather_rows(ids);
    return;
  }
  const auto index = ids.to(weight.device());
  weight_ = weight.index_select(0, index);
  bias_ = bias.defined() ? bias.index_select(0, index) : torch::Tensor();
}

torch::Tensor OutputShortlist::logits(const torch::Tensor& x) const {
  const auto shortlisted = packed_ ? packed_(x) : torch::nn::functional::linear(x, weight_, bias_);
  return scatter_shortlisted(shortlisted, ids_, vocab_);
}

}  // namespace heed
