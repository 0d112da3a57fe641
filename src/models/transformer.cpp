#include "models/transformer.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/linear.h>

#include <cmath>

#include "models/output_positions.h"
#include "text/vocabulary.h"
#include "util/error.h"

namespace heed {

void TransformerConfig::finish() {
  if (encoder_layers == 0) encoder_layers = layers;
  if (decoder_layers == 0) decoder_layers = layers;
  if (d_model % heads != 0) {
    throw Error("--d-model (" + std::to_string(d_model) + ") must be a multiple of --heads (" +
                std::to_string(heads) + ")");
  }
  if (d_model % 2 != 0 && !learned_positions) {
    throw Error("--d-model must be even for sinusoidal positions (or use --learned-positions)");
  }
}

namespace {
// The sinusoids of the original paper: (positions, d), sin on even, cos on odd columns.
torch::Tensor make_sinusoids(int64_t positions, int64_t d) {
  const auto position = torch::arange(positions, torch::kFloat32).unsqueeze(1);        // (P, 1)
  const auto rates = torch::exp(torch::arange(0, d, 2, torch::kFloat32) * (-std::log(10000.0) / d));
  auto table = torch::zeros({positions, d});
  table.index_put_({torch::indexing::Slice(), torch::indexing::Slice(0, torch::indexing::None, 2)},
                   torch::sin(position * rates));
  table.index_put_({torch::indexing::Slice(), torch::indexing::Slice(1, torch::indexing::None, 2)},
                   torch::cos(position * rates));
  return table;
}

class TransformerDecoderState : public DecoderState {
 public:
  std::vector<DecoderLayerCache> caches;  // per decoder layer
  torch::Tensor memory_mask;              // (B, S)
  int64_t position = 0;                   // target positions consumed so far
};
}  // namespace

Transformer::Transformer(const TransformerConfig& options, const ModelDims& dims) : config_(options) {
  config_.finish();
  const TransformerConfig& config = config_;
  // Embeddings start at N(0, 1/d_model) (as fairseq does), so that after the sqrt(d_model)
  // scaling they are on the scale of the positions instead of drowning them.
  const auto embedding = [&](int64_t vocab) {
    torch::nn::Embedding table(torch::nn::EmbeddingOptions(vocab, config.d_model).padding_idx(Vocabulary::kPad));
    torch::NoGradGuard no_grad;
    table->weight.normal_(0.0, 1.0 / std::sqrt(static_cast<double>(config.d_model)));
    table->weight[Vocabulary::kPad].zero_();
    return table;
  };
  source_embedding_ = register_module("source_embedding", embedding(dims.source_vocab));
  target_embedding_ = register_module("target_embedding", embedding(dims.target_vocab));
  if (config.learned_positions) {
    position_embedding_ = register_module("position_embedding", torch::nn::Embedding(kMaxPositions, config.d_model));
  } else {
    sinusoids_ = register_buffer("sinusoids", make_sinusoids(kMaxPositions, config.d_model));
  }
  const TransformerLayerOptions layer{config.d_model, config.heads, config.ff, config.dropout, config.norm_first};
  encoder_layers_ = register_module("encoder_layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.encoder_layers; ++i) encoder_layers_->push_back(EncoderLayer(layer));
  decoder_layers_ = register_module("decoder_layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < config.decoder_layers; ++i) decoder_layers_->push_back(DecoderLayer(layer));
  if (config.norm_first) {
    encoder_norm_ = register_module("encoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.d_model})));
    decoder_norm_ = register_module("decoder_norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.d_model})));
  }
  if (config.tie_embeddings) {
    output_bias_ = register_parameter("output_bias", torch::zeros({dims.target_vocab}));
  } else {
    output_ = register_module("output", torch::nn::Linear(config.d_model, dims.target_vocab));
  }
  dropout_ = register_module("dropout", Dropout(config.dropout));
}

torch::Tensor Transformer::embed(torch::nn::Embedding embedding, const torch::Tensor& ids,
                                 int64_t offset) {
  const int64_t length = ids.size(1);
  if (offset + length > kMaxPositions) {
    throw Error("sentence longer than " + std::to_string(kMaxPositions) + " tokens");
  }
  auto x = embedding->forward(ids) * std::sqrt(static_cast<double>(config_.d_model));
  if (config_.learned_positions) {
    const auto positions = torch::arange(offset, offset + length, ids.options());
    x = x + position_embedding_->forward(positions).unsqueeze(0);
  } else {
    x = x + sinusoids_.narrow(0, offset, length).unsqueeze(0);
  }
  return dropout_->forward(x);
}

Transformer::Encoded Transformer::encode(const SourceBatch& source, bool return_attention) {
  auto x = embed(source_embedding_, source.ids, 0);
  std::vector<torch::Tensor> weights;
  for (const auto& module : *encoder_layers_) {
    auto out = module->as<EncoderLayer>()->forward(x, source.mask);
    x = out.states;
    if (return_attention) weights.push_back(out.weights);
  }
  if (config_.norm_first) x = encoder_norm_->forward(x);
  Encoded encoded{x, {}};
  if (return_attention) encoded.weights = torch::stack(weights, 1);  // (B, L, H, S, S)
  return encoded;
}

void Transformer::set_precision(Precision precision) {
  precision_ = precision;
  for (const auto& module : *encoder_layers_) module->as<EncoderLayer>()->set_precision(precision);
  for (const auto& module : *decoder_layers_) module->as<DecoderLayer>()->set_precision(precision);
  packed_output_ = config_.tie_embeddings ? PackedLinear(target_embedding_->weight, output_bias_, precision)
                                          : PackedLinear(output_->weight, output_->bias, precision);
}

torch::Tensor Transformer::logits(const torch::Tensor& states) {
  if (packed_output_) return packed_output_(states);
  if (config_.tie_embeddings) {
    return torch::nn::functional::linear(states, target_embedding_->weight, output_bias_);
  }
  return output_->forward(states);
}

ForwardOutput Transformer::forward(const SourceBatch& source, const torch::Tensor& target_input,
                                   bool return_attention, const torch::Tensor& output_mask) {
  const Encoded encoded = encode(source, return_attention);
  auto x = embed(target_embedding_, target_input, 0);
  std::vector<torch::Tensor> self_weights, cross_weights;
  for (const auto& module : *decoder_layers_) {
    auto out = module->as<DecoderLayer>()->forward(x, encoded.states, source.mask);
    x = out.states;
    if (return_attention) {
      self_weights.push_back(out.self_weights);
      cross_weights.push_back(out.cross_weights);
    }
  }
  if (config_.norm_first) x = decoder_norm_->forward(x);
  if (output_mask.defined()) {
    x = select_positions(x, output_mask);
  }
  ForwardOutput output;
  output.logits = logits(x);
  if (return_attention) {
    output.attention.parts[AttentionPart::EncoderSelf] = encoded.weights;
    output.attention.parts[AttentionPart::DecoderSelf] = torch::stack(self_weights, 1);
    output.attention.parts[AttentionPart::Cross] = torch::stack(cross_weights, 1);
  }
  return output;
}

std::unique_ptr<DecoderState> Transformer::start(const SourceBatch& source, bool return_attention) {
  const Encoded encoded = encode(source, return_attention);
  auto state = std::make_unique<TransformerDecoderState>();
  state->memory_mask = source.mask;
  for (const auto& module : *decoder_layers_) {
    DecoderLayerCache cache;
    cache.cross = module->as<DecoderLayer>()->project_memory(encoded.states);
    state->caches.push_back(std::move(cache));
  }
  if (return_attention) state->source_attention.parts[AttentionPart::EncoderSelf] = encoded.weights;
  return state;
}

StepOutput Transformer::step(DecoderState& base_state, const torch::Tensor& tokens, bool return_attention) {
  auto& state = dynamic_cast<TransformerDecoderState&>(base_state);
  auto x = embed(target_embedding_, tokens.unsqueeze(1), state.position);  // (B, 1, d)
  state.position += 1;
  std::vector<torch::Tensor> self_weights, cross_weights;
  int64_t layer = 0;
  for (const auto& module : *decoder_layers_) {
    auto out = module->as<DecoderLayer>()->step(x, state.caches[layer++], state.memory_mask);
    x = out.states;
    if (return_attention) {
      self_weights.push_back(out.self_weights);
      cross_weights.push_back(out.cross_weights);
    }
  }
  if (config_.norm_first) x = decoder_norm_->forward(x);
  StepOutput output;
  output.log_probs = torch::log_softmax(shortlist_ ? shortlist_.logits(x.squeeze(1)) : logits(x.squeeze(1)), /*dim=*/1);
  if (return_attention) {
    output.attention.parts[AttentionPart::DecoderSelf] = torch::stack(self_weights, 1);  // (B, L, H, 1, t)
    output.attention.parts[AttentionPart::Cross] = torch::stack(cross_weights, 1);       // (B, L, H, 1, S)
  }
  return output;
}

void Transformer::restrict_output(const torch::Tensor& ids) {
  if (config_.tie_embeddings) {
    shortlist_.restrict(ids, target_embedding_->weight, output_bias_, packed_output_);
  } else {
    shortlist_.restrict(ids, output_->weight, output_->bias, packed_output_);
  }
}

void Transformer::reorder(DecoderState& base_state, const torch::Tensor& index) {
  auto& state = dynamic_cast<TransformerDecoderState&>(base_state);
  state.memory_mask = state.memory_mask.index_select(0, index);
  for (auto& cache : state.caches) {
    cache.cross = {cache.cross.keys.index_select(0, index), cache.cross.values.index_select(0, index)};
    if (cache.self.keys.defined()) {
      cache.self = {cache.self.keys.index_select(0, index), cache.self.values.index_select(0, index)};
    }
  }
}

void Transformer::reorder_within_sources(DecoderState& base_state, const torch::Tensor& index) {
  auto& state = dynamic_cast<TransformerDecoderState&>(base_state);
  for (auto& cache : state.caches) {  // cross keys/values and the memory mask are per source
    if (cache.self.keys.defined()) {
      cache.self = {cache.self.keys.index_select(0, index), cache.self.values.index_select(0, index)};
    }
  }
}

}  // namespace heed
