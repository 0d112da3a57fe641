#include "models/transformer.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/linear.h>

#include <cmath>

#include "models/output_positions.h"
#include "models/padding.h"
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
  int64_t position = 0;                   // target positions cached: t of the self caches
  // Rows that joined at different steps (append): each row's own position (B) int64,
  // and which cached self-attention keys are its own, (B, t) bool: row r's are its last
  // row_positions[r], the ones before are padding. Undefined while every row is at
  // `position`, so a batch that nothing joined decodes as it always did.
  torch::Tensor row_positions;
  torch::Tensor self_mask;
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

torch::Tensor Transformer::embed_rows(torch::nn::Embedding embedding, const torch::Tensor& ids,
                                      const torch::Tensor& positions) {
  auto x = embedding->forward(ids) * std::sqrt(static_cast<double>(config_.d_model));  // (B, d)
  x = x + (config_.learned_positions ? position_embedding_->forward(positions) : sinusoids_.index_select(0, positions));
  return dropout_->forward(x.unsqueeze(1));
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
  torch::Tensor x;  // (B, 1, d)
  if (state.row_positions.defined()) {
    if (state.position >= kMaxPositions) {
      throw Error("sentence longer than " + std::to_string(kMaxPositions) + " tokens");
    }
    x = embed_rows(target_embedding_, tokens, state.row_positions);
    state.row_positions = state.row_positions + 1;
    state.self_mask = torch::cat({state.self_mask, torch::ones({tokens.size(0), 1}, state.self_mask.options())}, 1);
  } else {
    x = embed(target_embedding_, tokens.unsqueeze(1), state.position);
  }
  state.position += 1;
  std::vector<torch::Tensor> self_weights, cross_weights;
  int64_t layer = 0;
  for (const auto& module : *decoder_layers_) {
    auto out = module->as<DecoderLayer>()->step(x, state.caches[layer++], state.memory_mask, state.self_mask);
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
  // Source positions that no kept row has, and (rows that joined later) cached target
  // positions that are padding in every kept row, are dropped: a batch that sentences
  // keep joining would otherwise carry its longest-ever source and first-ever step.
  auto memory_mask = state.memory_mask.index_select(0, index);
  const int64_t sources = longest_row(memory_mask);
  state.memory_mask = memory_mask.narrow(1, 0, sources);
  int64_t keep = state.position;
  if (state.row_positions.defined()) {
    state.row_positions = state.row_positions.index_select(0, index);
    const auto range = index.numel() == 0 ? std::pair<int64_t, int64_t>{0, 0}
                                          : std::pair<int64_t, int64_t>{state.row_positions.min().item<int64_t>(),
                                                                        state.row_positions.max().item<int64_t>()};
    keep = range.second;
    if (range.first == range.second) {  // every row at the same position again
      state.row_positions = torch::Tensor();
      state.self_mask = torch::Tensor();
    } else {
      state.self_mask = state.self_mask.narrow(1, state.position - keep, keep).index_select(0, index);
    }
  }
  for (auto& cache : state.caches) {
    cache.cross = {cache.cross.keys.narrow(2, 0, sources).index_select(0, index),
                   cache.cross.values.narrow(2, 0, sources).index_select(0, index)};
    if (cache.self.keys.defined()) {
      cache.self = {cache.self.keys.narrow(2, state.position - keep, keep).index_select(0, index),
                    cache.self.values.narrow(2, state.position - keep, keep).index_select(0, index)};
    }
  }
  state.position = keep;
}

void Transformer::append(DecoderState& base_state, DecoderState& base_rows) {
  auto& state = dynamic_cast<TransformerDecoderState&>(base_state);
  auto& rows = dynamic_cast<TransformerDecoderState&>(base_rows);
  if (!state.source_attention.empty() || !rows.source_attention.empty()) {
    throw std::logic_error("Transformer::append: states with attention are not merged");
  }
  const int64_t before = state.memory_mask.size(0), added = rows.memory_mask.size(0);
  const int64_t sources = std::max(state.memory_mask.size(1), rows.memory_mask.size(1));
  const int64_t positions = std::max(state.position, rows.position);
  // Sources are padded after their tokens (as in any batch); cached target positions
  // before them, so that every row's newest key is the last column.
  state.memory_mask = torch::cat({pad_dim(state.memory_mask, 1, sources, false, 0),
                                  pad_dim(rows.memory_mask, 1, sources, false, 0)});
  const auto self_part = [&](const torch::Tensor& x, const torch::Tensor& like, int64_t batch) {
    if (x.defined()) return pad_dim(x, 2, positions, true);
    return torch::zeros({batch, like.size(1), positions, like.size(3)}, like.options());
  };
  for (size_t layer = 0; layer < state.caches.size(); ++layer) {
    auto& into = state.caches[layer];
    auto& from = rows.caches[layer];
    into.cross = {torch::cat({pad_dim(into.cross.keys, 2, sources, false), pad_dim(from.cross.keys, 2, sources, false)}),
                  torch::cat({pad_dim(into.cross.values, 2, sources, false),
                              pad_dim(from.cross.values, 2, sources, false)})};
    if (positions > 0) {
      const auto& like = into.self.keys.defined() ? into.self.keys : from.self.keys;
      into.self = {torch::cat({self_part(into.self.keys, like, before), self_part(from.self.keys, like, added)}),
                   torch::cat({self_part(into.self.values, like, before), self_part(from.self.values, like, added)})};
    }
  }
  const bool ragged = state.row_positions.defined() || rows.row_positions.defined() || state.position != rows.position;
  if (ragged) {
    const auto options = torch::TensorOptions().dtype(torch::kInt64).device(state.memory_mask.device());
    const auto row_positions = [&](const TransformerDecoderState& s, int64_t batch) {
      return s.row_positions.defined() ? s.row_positions : torch::full({batch}, s.position, options);
    };
    const auto self_mask = [&](const TransformerDecoderState& s, int64_t batch) {
      const auto own = s.self_mask.defined() ? s.self_mask : torch::ones({batch, s.position}, options.dtype(torch::kBool));
      return pad_dim(own, 1, positions, true, 0);
    };
    state.row_positions = torch::cat({row_positions(state, before), row_positions(rows, added)});
    state.self_mask = torch::cat({self_mask(state, before), self_mask(rows, added)});
  }
  state.position = positions;
  rows = TransformerDecoderState();
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
