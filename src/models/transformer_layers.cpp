#include "models/transformer_layers.h"

#include <torch/nn/functional/activation.h>

namespace heed {

namespace {
torch::nn::LayerNorm layer_norm(int64_t d_model) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d_model}));
}
}  // namespace

FeedForwardImpl::FeedForwardImpl(int64_t d_model, int64_t ff, double dropout) {
  in_ = register_module("linear1", torch::nn::Linear(d_model, ff));
  out_ = register_module("linear2", torch::nn::Linear(ff, d_model));
  dropout_ = register_module("dropout", Dropout(dropout));
}

torch::Tensor FeedForwardImpl::forward(const torch::Tensor& x) {
  if (packed_in_) return packed_out_(torch::relu(packed_in_(x)));  // inference: no dropout
  return out_->forward(dropout_->forward(torch::relu(in_->forward(x))));
}

void FeedForwardImpl::set_precision(Precision precision) {
  packed_in_ = PackedLinear(in_->weight, in_->bias, precision);
  packed_out_ = PackedLinear(out_->weight, out_->bias, precision);
}

void EncoderLayerImpl::set_precision(Precision precision) {
  self_attention_->set_precision(precision);
  feed_forward_->set_precision(precision);
}

void DecoderLayerImpl::set_precision(Precision precision) {
  self_attention_->set_precision(precision);
  cross_attention_->set_precision(precision);
  feed_forward_->set_precision(precision);
}

EncoderLayerImpl::EncoderLayerImpl(const TransformerLayerOptions& o) : norm_first_(o.norm_first) {
  self_attention_ = register_module("self_attention", MultiHeadAttention(o.d_model, o.heads, o.dropout));
  feed_forward_ = register_module("feed_forward", FeedForward(o.d_model, o.ff, o.dropout));
  norm1_ = register_module("norm1", layer_norm(o.d_model));
  norm2_ = register_module("norm2", layer_norm(o.d_model));
  dropout_ = register_module("dropout", Dropout(o.dropout));
}

EncoderLayerOutput EncoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  EncoderLayerOutput out;
  if (norm_first_) {
    const auto normed = norm1_->forward(x);
    auto attended = self_attention_->forward(normed, normed, normed, mask, /*causal=*/false);
    auto h = x + dropout_->forward(attended.output);
    out.states = h + dropout_->forward(feed_forward_->forward(norm2_->forward(h)));
    out.weights = attended.weights;
  } else {
    auto attended = self_attention_->forward(x, x, x, mask, /*causal=*/false);
    auto h = norm1_->forward(x + dropout_->forward(attended.output));
    out.states = norm2_->forward(h + dropout_->forward(feed_forward_->forward(h)));
    out.weights = attended.weights;
  }
  return out;
}

DecoderLayerImpl::DecoderLayerImpl(const TransformerLayerOptions& o) : norm_first_(o.norm_first) {
  self_attention_ = register_module("self_attention", MultiHeadAttention(o.d_model, o.heads, o.dropout));
  cross_attention_ = register_module("cross_attention", MultiHeadAttention(o.d_model, o.heads, o.dropout));
  feed_forward_ = register_module("feed_forward", FeedForward(o.d_model, o.ff, o.dropout));
  norm1_ = register_module("norm1", layer_norm(o.d_model));
  norm2_ = register_module("norm2", layer_norm(o.d_model));
  norm3_ = register_module("norm3", layer_norm(o.d_model));
  dropout_ = register_module("dropout", Dropout(o.dropout));
}

DecoderLayerOutput DecoderLayerImpl::finish(
    const torch::Tensor& x, const std::function<MultiHeadOutput(const torch::Tensor&)>& self,
    const std::function<MultiHeadOutput(const torch::Tensor&)>& cross) {
  DecoderLayerOutput out;
  if (norm_first_) {
    auto s = self(norm1_->forward(x));
    auto h = x + dropout_->forward(s.output);
    auto c = cross(norm2_->forward(h));
    h = h + dropout_->forward(c.output);
    out.states = h + dropout_->forward(feed_forward_->forward(norm3_->forward(h)));
    out.self_weights = s.weights;
    out.cross_weights = c.weights;
  } else {
    auto s = self(x);
    auto h = norm1_->forward(x + dropout_->forward(s.output));
    auto c = cross(h);
    h = norm2_->forward(h + dropout_->forward(c.output));
    out.states = norm3_->forward(h + dropout_->forward(feed_forward_->forward(h)));
    out.self_weights = s.weights;
    out.cross_weights = c.weights;
  }
  return out;
}

DecoderLayerOutput DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& memory,
                                             const torch::Tensor& memory_mask) {
  const auto memory_kv = cross_attention_->project_key_value(memory, memory);
  return finish(
      x, [&](const torch::Tensor& q) { return self_attention_->forward(q, q, q, {}, /*causal=*/true); },
      [&](const torch::Tensor& q) { return cross_attention_->attend(q, memory_kv, memory_mask, false); });
}

HeadsKeyValue DecoderLayerImpl::project_memory(const torch::Tensor& memory) {
  return cross_attention_->project_key_value(memory, memory);
}

DecoderLayerOutput DecoderLayerImpl::step(const torch::Tensor& x, DecoderLayerCache& cache,
                                          const torch::Tensor& memory_mask, const torch::Tensor& self_mask) {
  return finish(
      x,
      [&](const torch::Tensor& q) {
        auto fresh = self_attention_->project_self(q);  // (B, H, 1, dh) each
        if (cache.self.keys.defined()) {
          cache.self.keys = torch::cat({cache.self.keys, fresh.key_value.keys}, 2);
          cache.self.values = torch::cat({cache.self.values, fresh.key_value.values}, 2);
        } else {
          cache.self = fresh.key_value;
        }
        // Only the past is cached, so no causal mask is needed.
        return self_attention_->attend_heads(fresh.query, cache.self, self_mask, /*causal=*/false);
      },
      [&](const torch::Tensor& q) { return cross_attention_->attend(q, cache.cross, memory_mask, false); });
}

}  // namespace heed
