#include "models/bahdanau_attention.h"

#include "models/padding.h"

#include <torch/nn/functional/activation.h>

#include <limits>

namespace heed {

BahdanauAttentionImpl::BahdanauAttentionImpl(int64_t key_size, int64_t query_size,
                                             int64_t attention_size)
    : key_size_(key_size), query_size_(query_size) {
  hidden_ = register_module(
      "hidden", torch::nn::Linear(torch::nn::LinearOptions(key_size + query_size, attention_size)));
  score_ = register_module(
      "score", torch::nn::Linear(torch::nn::LinearOptions(attention_size, 1).bias(false)));
}

AttentionMemory AttentionMemory::select_rows(const torch::Tensor& index) const {
  const auto kept_mask = mask.index_select(0, index);
  const int64_t sources = longest_row(kept_mask);
  return {keys.narrow(1, 0, sources).index_select(0, index), projected_keys.narrow(1, 0, sources).index_select(0, index),
          kept_mask.narrow(1, 0, sources), query_weight};
}

AttentionMemory AttentionMemory::append(const AttentionMemory& other) const {
  const int64_t sources = std::max(mask.size(1), other.mask.size(1));
  const auto join = [&](const torch::Tensor& a, const torch::Tensor& b) {
    return torch::cat({pad_dim(a, 1, sources, false), pad_dim(b, 1, sources, false)});
  };
  return {join(keys, other.keys), join(projected_keys, other.projected_keys), join(mask, other.mask), query_weight};
}

AttentionMemory BahdanauAttentionImpl::prepare(const torch::Tensor& keys,
                                               const torch::Tensor& mask) const {
  // W = [W_k | W_q] column-wise: (A, key_size + query_size).
  const auto w_key = hidden_->weight.narrow(/*dim=*/1, /*start=*/0, key_size_);
  if (packed_keys_) return {keys, packed_keys_(keys), mask, torch::Tensor()};
  const auto projected = torch::addmm(hidden_->bias, keys.reshape({-1, key_size_}), w_key.t())
                             .view({keys.size(0), keys.size(1), -1});  // (B, S, A)
  return {keys, projected, mask, query_weight().t().contiguous()};  // stored as (Dq, A)
}

void BahdanauAttentionImpl::set_precision(Precision precision) {
  packed_keys_ = PackedLinear(hidden_->weight.narrow(/*dim=*/1, /*start=*/0, key_size_), hidden_->bias, precision);
  packed_query_ = PackedLinear(query_weight(), torch::Tensor(), precision);
  packed_score_ = PackedLinear(score_->weight, torch::Tensor(), precision);
}

torch::Tensor BahdanauAttentionImpl::query_weight() const {
  return hidden_->weight.narrow(/*dim=*/1, /*start=*/key_size_, query_size_);
}

AdditiveAttentionOutput BahdanauAttentionImpl::forward(const torch::Tensor& query,
                                                       const AttentionMemory& memory) {
  const auto projected_query = packed_query_ ? packed_query_(query) : torch::mm(query, memory.query_weight);  // (B, A)
  const auto energies = torch::tanh(memory.projected_keys + projected_query.unsqueeze(1));  // (B, S, A)
  return attend(energies, memory.keys, memory.mask);
}

AdditiveAttentionOutput BahdanauAttentionImpl::literal(const torch::Tensor& query,
                                                       const torch::Tensor& keys,
                                                       const torch::Tensor& mask) {
  const auto repeated = query.unsqueeze(1).expand({-1, keys.size(1), -1});  // (B, S, Dq)
  const auto concatenated = torch::cat({keys, repeated}, /*dim=*/2);         // (B, S, Dk + Dq)
  const auto energies = torch::tanh(hidden_->forward(concatenated));         // (B, S, A)
  return attend(energies, keys, mask);
}

AdditiveAttentionOutput BahdanauAttentionImpl::attend(const torch::Tensor& energies,
                                                      const torch::Tensor& keys,
                                                      const torch::Tensor& mask) {
  // Float32 scores for the softmax, also when mixed precision made them bf16.
  auto scores = (packed_score_ ? packed_score_(energies) : score_->forward(energies)).squeeze(2).to(torch::kFloat);  // (B, S)
  scores = scores.masked_fill(mask.logical_not(), -std::numeric_limits<float>::infinity());
  const auto weights = torch::softmax(scores, /*dim=*/1);                     // (B, S)
  // sum_s weights_s k_s as a product and a sum: a batch of (1 x S)(S x Dk) products is
  // many tiny matrix products, several times slower on CPU (forward and backward).
  const auto context = (weights.unsqueeze(2) * keys).sum(/*dim=*/1);        // (B, Dk)
  return {context, weights};
}

}  // namespace heed
