#include "decode/recomputing_model.h"

#include "models/output_shortlist.h"

#include <torch/nn/functional/activation.h>

namespace heed {

namespace {
class PrefixState : public DecoderState {
 public:
  SourceBatch source;
  torch::Tensor prefix;  // (B, t) int64: <s> y1 .. y_{t-1}, the tokens consumed so far
};
}  // namespace

RecomputingModel::RecomputingModel(ModelPtr inner) : inner_(std::move(inner)) { precision_ = inner_->precision(); }

ForwardOutput RecomputingModel::forward(const SourceBatch& source, const torch::Tensor& target_input,
                                        bool return_attention, const torch::Tensor& output_mask) {
  return inner_->forward(source, target_input, return_attention, output_mask);
}

std::unique_ptr<DecoderState> RecomputingModel::start(const SourceBatch& source, bool return_attention) {
  auto state = std::make_unique<PrefixState>();
  // The source-side attention (enc_self) comes from the inner model's own start.
  state->source_attention = inner_->start(source, return_attention)->source_attention;
  state->source = source;
  state->prefix = torch::empty({source.ids.size(0), 0}, source.ids.options());
  return state;
}

StepOutput RecomputingModel::step(DecoderState& state, const torch::Tensor& tokens, bool return_attention) {
  auto& s = static_cast<PrefixState&>(state);
  s.prefix = torch::cat({s.prefix, tokens.unsqueeze(1)}, /*dim=*/1);  // (B, t)
  const int64_t t = s.prefix.size(1);
  ForwardOutput full = inner_->forward(s.source, s.prefix, return_attention);
  StepOutput out;
  auto logits = full.logits.select(1, t - 1);  // (B, V)
  if (output_ids_.defined()) logits = scatter_shortlisted(logits.index_select(1, output_ids_), output_ids_, logits.size(1));
  out.log_probs = torch::log_softmax(logits, /*dim=*/1);
  for (auto& [part, weights] : full.attention.parts) {
    if (part == AttentionPart::EncoderSelf) continue;  // given once, at start
    out.attention.parts[part] = weights.narrow(3, t - 1, 1);  // (B, L, H, 1, K): the last query
  }
  return out;
}

void RecomputingModel::reorder(DecoderState& state, const torch::Tensor& index) {
  auto& s = static_cast<PrefixState&>(state);
  s.source.ids = s.source.ids.index_select(0, index);
  s.source.mask = s.source.mask.index_select(0, index);
  s.source.lengths = s.source.lengths.index_select(0, index.to(s.source.lengths.device()));
  s.prefix = s.prefix.index_select(0, index);
}

void RecomputingModel::append(DecoderState& /*state*/, DecoderState& /*rows*/) {
  throw std::logic_error("RecomputingModel decodes fixed batches only");
}

}  // namespace heed
