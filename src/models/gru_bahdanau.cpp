#include "models/gru_bahdanau.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/linear.h>
#include <torch/nn/utils/rnn.h>

#include "models/output_positions.h"
#include "models/unrolled_gru_attention.h"
#include "text/vocabulary.h"

namespace heed {

namespace {
int64_t encoder_size(const GruBahdanauConfig& config) {
  return config.hidden * (config.bidirectional ? 2 : 1);
}

// One GRU cell update from its two products, gi = W_ih x + b_ih and gh = W_hh h + b_hh
// (B, 3H), in ATen's order of operations (as torch::gru_cell computes it):
//   r = sigmoid(gh_r + gi_r), z = sigmoid(gh_z + gi_z), n = tanh(gi_n + gh_n r),
//   h' = (h - n) z + n
torch::Tensor gru_update(const torch::Tensor& gi, const torch::Tensor& gh, const torch::Tensor& h) {
  const auto i = gi.chunk(3, /*dim=*/1);
  const auto g = gh.chunk(3, /*dim=*/1);
  const auto r = torch::sigmoid(g[0] + i[0]);
  const auto z = torch::sigmoid(g[1] + i[1]);
  const auto n = torch::tanh(i[2] + g[2] * r);
  return (h - n) * z + n;
}
}  // namespace

class GruDecoderState : public DecoderState {
 public:
  AttentionMemory attention;
  torch::Tensor context_gate_weight;
  torch::Tensor hidden;  // (layers, B, H)
};

GruBahdanau::GruBahdanau(const GruBahdanauConfig& config, const ModelDims& dims)
    : config_(config) {
  const int64_t enc = encoder_size(config);
  source_embedding_ = register_module(
      "source_embedding",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(dims.source_vocab, config.emb)
                               .padding_idx(Vocabulary::kPad)));
  target_embedding_ = register_module(
      "target_embedding",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(dims.target_vocab, config.emb)
                               .padding_idx(Vocabulary::kPad)));
  encoder_ = register_module(
      "encoder", torch::nn::GRU(torch::nn::GRUOptions(config.emb, config.hidden)
                                    .num_layers(config.layers)
                                    .batch_first(true)
                                    .bidirectional(config.bidirectional)
                                    .dropout(config.layers > 1 ? config.dropout : 0.0)));
  bridge_ = register_module("bridge", torch::nn::Linear(enc, config.hidden));
  attention_ = register_module(
      "attention", BahdanauAttention(/*key_size=*/enc, /*query_size=*/config.hidden,
                                     config.attention_size));
  decoder_cells_ = register_module("decoder_cells", torch::nn::ModuleList());
  for (int64_t layer = 0; layer < config.layers; ++layer) {
    const int64_t input = layer == 0 ? config.emb + enc : config.hidden;
    decoder_cells_->push_back(torch::nn::GRUCell(torch::nn::GRUCellOptions(input, config.hidden)));
  }
  output_ = register_module(
      "output", torch::nn::Linear(config.hidden + enc + config.emb, dims.target_vocab));
  dropout_ = register_module("dropout", Dropout(config.dropout));
}

void GruBahdanau::set_precision(Precision precision) {
  precision_ = precision;
  attention_->set_precision(precision);
  if (precision == Precision::Float32 && !float32_products_packed()) {
    packed_.reset();
    return;
  }
  auto packed = std::make_unique<PackedLayers>();
  const auto parameters = encoder_->named_parameters(/*recurse=*/false);
  const int64_t directions = config_.bidirectional ? 2 : 1;
  for (int64_t layer = 0; layer < config_.layers; ++layer) {
    packed->encoder.emplace_back();
    for (int64_t direction = 0; direction < directions; ++direction) {
      const std::string suffix = "_l" + std::to_string(layer) + (direction == 1 ? "_reverse" : "");
      packed->encoder.back().push_back(
          {PackedLinear(parameters["weight_ih" + suffix], parameters["bias_ih" + suffix], precision),
           PackedLinear(parameters["weight_hh" + suffix], parameters["bias_hh" + suffix], precision)});
    }
  }
  packed->bridge = PackedLinear(bridge_->weight, bridge_->bias, precision);
  for (int64_t layer = 0; layer < config_.layers; ++layer) {
    auto cell = decoder_cells_[layer]->as<torch::nn::GRUCell>();
    if (layer == 0) {
      packed->embedding_gates = PackedLinear(cell->weight_ih.narrow(1, 0, config_.emb), cell->bias_ih, precision);
      packed->context_gates =
          PackedLinear(cell->weight_ih.narrow(1, config_.emb, encoder_size(config_)), torch::Tensor(), precision);
      packed->input_gates.emplace_back();
    } else {
      packed->input_gates.emplace_back(cell->weight_ih, cell->bias_ih, precision);
    }
    packed->hidden_gates.emplace_back(cell->weight_hh, cell->bias_hh, precision);
  }
  packed->output = PackedLinear(output_->weight, output_->bias, precision);
  packed_ = std::move(packed);
}

GruBahdanau::Encoded GruBahdanau::encode_packed(const torch::Tensor& embedded, const torch::Tensor& mask) {
  const int64_t batch = embedded.size(0), length = embedded.size(1);
  torch::Tensor x = embedded;
  const auto zeros = torch::zeros({batch, config_.hidden}, x.options());  // the output at padding
  std::vector<torch::Tensor> finals;
  for (const auto& layer : packed_->encoder) {
    std::vector<torch::Tensor> outputs;
    for (size_t direction = 0; direction < layer.size(); ++direction) {
      const auto input_gates = layer[direction].input(x);  // (B, S, 3H)
      torch::Tensor h = zeros;
      std::vector<torch::Tensor> states(static_cast<size_t>(length));
      for (int64_t i = 0; i < length; ++i) {
        const int64_t t = direction == 0 ? i : length - 1 - i;
        const auto next = gru_update(input_gates.select(1, t), layer[direction].hidden(h), h);
        const auto real = mask.select(1, t).unsqueeze(1);  // (B, 1): rows whose sentence has position t
        h = torch::where(real, next, h);
        states[static_cast<size_t>(t)] = torch::where(real, next, zeros);
      }
      outputs.push_back(torch::stack(states, 1));
      finals.push_back(h);
    }
    x = outputs.size() == 1 ? outputs[0] : torch::cat(outputs, /*dim=*/2);
  }
  return {x, torch::stack(finals)};
}

GruBahdanau::Memory GruBahdanau::encode(const SourceBatch& source) {
  namespace rnn = torch::nn::utils::rnn;
  const auto embedded = dropout_->forward(source_embedding_->forward(source.ids));  // (B, S, emb)
  torch::Tensor states, final_states;
  if (packed_) {
    Encoded encoded = encode_packed(embedded, source.mask);
    states = std::move(encoded.states);
    final_states = std::move(encoded.finals);
  } else {
    const auto packed = rnn::pack_padded_sequence(embedded, source.lengths.to(torch::kCPU),
                                                  /*batch_first=*/true, /*enforce_sorted=*/false);
    auto [packed_states, finals] = encoder_->forward_with_packed_input(packed);
    states = std::get<0>(rnn::pad_packed_sequence(packed_states, /*batch_first=*/true,
                                                  /*padding_value=*/0.0,
                                                  /*total_length=*/source.ids.size(1)));
    final_states = finals;
  }
  // final_states: (layers * directions, B, H) -> (layers, B, E)
  const int64_t batch = source.ids.size(0);
  const int64_t directions = config_.bidirectional ? 2 : 1;
  auto finals = final_states.view({config_.layers, directions, batch, config_.hidden})
                    .permute({0, 2, 1, 3})
                    .reshape({config_.layers, batch, directions * config_.hidden});
  auto first_cell = decoder_cells_[0]->as<torch::nn::GRUCell>();
  return {attention_->prepare(states, source.mask),
          torch::tanh(packed_ ? packed_->bridge(finals) : bridge_->forward(finals)),
          first_cell->weight_ih.narrow(/*dim=*/1, /*start=*/config_.emb, /*length=*/encoder_size(config_))};
}

torch::Tensor GruBahdanau::embedding_gates(const torch::Tensor& embedded) {
  if (packed_) return packed_->embedding_gates(embedded);
  auto cell = decoder_cells_[0]->as<torch::nn::GRUCell>();
  const auto w_embedding = cell->weight_ih.narrow(/*dim=*/1, /*start=*/0, config_.emb);  // (3H, emb)
  return torch::nn::functional::linear(embedded, w_embedding, cell->bias_ih);
}

GruBahdanau::DecoderStep GruBahdanau::decode_step(const Memory& memory,
                                                  const std::vector<torch::Tensor>& hidden,
                                                  const torch::Tensor& gates) {
  const auto attended = attention_->forward(hidden.back(), memory.attention);
  DecoderStep step{{}, attended.context, attended.weights};
  step.hidden.reserve(config_.layers);
  if (packed_) {
    const auto& p = *packed_;
    step.hidden.push_back(gru_update(p.context_gates(attended.context) + gates, p.hidden_gates[0](hidden[0]), hidden[0]));
    for (int64_t layer = 1; layer < config_.layers; ++layer) {
      const auto& below = step.hidden.back();
      step.hidden.push_back(gru_update(p.input_gates[static_cast<size_t>(layer)](below),
                                       p.hidden_gates[static_cast<size_t>(layer)](hidden[layer]), hidden[layer]));
    }
    return step;
  }
  // First layer: GRU cell over [emb; context] with the embedding part of its input
  // gates precomputed: passing the context as input, its W_ih columns as weight and
  // (embedding gates + b_ih) as a per-row bias computes exactly W_ih [emb; c] + b_ih.
  {
    auto cell = decoder_cells_[0]->as<torch::nn::GRUCell>();
    step.hidden.push_back(torch::gru_cell(attended.context, hidden[0], memory.context_gate_weight,
                                          cell->weight_hh, /*b_ih=*/gates, cell->bias_hh));
  }
  for (int64_t layer = 1; layer < config_.layers; ++layer) {
    auto cell = decoder_cells_[layer]->as<torch::nn::GRUCell>();
    step.hidden.push_back(cell->forward(dropout_->forward(step.hidden.back()), hidden[layer]));
  }
  return step;
}

torch::Tensor GruBahdanau::output_features(const torch::Tensor& top_state,
                                           const torch::Tensor& context,
                                           const torch::Tensor& embedded) {
  return torch::cat({top_state, context, embedded}, /*dim=*/top_state.dim() - 1);
}

torch::Tensor GruBahdanau::output_logits(const torch::Tensor& features) {
  if (packed_) return packed_->output(features);
  return output_->forward(dropout_->forward(features));
}

ForwardOutput GruBahdanau::forward(const SourceBatch& source, const torch::Tensor& target_input,
                                   bool return_attention, const torch::Tensor& output_mask) {
  const Memory memory = encode(source);
  const auto embedded = dropout_->forward(target_embedding_->forward(target_input));  // (B, T, emb)
  const Decoded decoded = decode_all(memory, embedding_gates(embedded), return_attention);
  ForwardOutput output;
  // One projection for all steps: (B, T, H + E + emb) -> (B, T, V), or (N, V) at the mask.
  auto features = output_features(decoded.states, decoded.contexts, embedded);
  if (output_mask.defined()) features = select_positions(features, output_mask);
  output.logits = output_logits(features);
  if (return_attention) {
    // (B, T, S) -> (B, layers=1, heads=1, T, S)
    output.attention.parts[AttentionPart::Cross] = decoded.weights.unsqueeze(1).unsqueeze(1);
  }
  return output;
}

GruBahdanau::Decoded GruBahdanau::decode_all(const Memory& memory, const torch::Tensor& gates,
                                             bool return_attention) {
  auto first_cell = decoder_cells_[0]->as<torch::nn::GRUCell>();
  const UnrolledGruAttentionInputs inputs{gates, memory.hidden[0], memory.attention.keys,
                                          memory.attention.projected_keys, memory.attention.mask};
  if (config_.layers == 1 && !packed_ && can_unroll_gru_attention(inputs)) {
    auto unrolled = unrolled_gru_attention(
        inputs, {attention_->query_weight(), attention_->score_weight(), memory.context_gate_weight,
                 first_cell->weight_hh, first_cell->bias_hh});
    return {unrolled.states, unrolled.contexts, return_attention ? unrolled.weights : torch::Tensor()};
  }
  // One view per step from a single unbind: selecting step t inside the loop would give
  // each step's gradient its own zero-filled (B, T, 3H) tensor, summed T times in backward.
  const auto step_gates = gates.unbind(1);  // T x (B, 3H)
  std::vector<torch::Tensor> tops, contexts, weights;
  tops.reserve(step_gates.size());
  contexts.reserve(step_gates.size());
  std::vector<torch::Tensor> hidden = memory.hidden.unbind(0);
  for (const auto& step_gate : step_gates) {
    auto decoded = decode_step(memory, hidden, step_gate);
    hidden = std::move(decoded.hidden);
    tops.push_back(hidden.back());
    contexts.push_back(decoded.context);
    if (return_attention) weights.push_back(decoded.weights);
  }
  return {torch::stack(tops, 1), torch::stack(contexts, 1),
          return_attention ? torch::stack(weights, 1) : torch::Tensor()};
}

std::unique_ptr<DecoderState> GruBahdanau::start(const SourceBatch& source, bool /*return_attention*/) {
  Memory memory = encode(source);
  auto state = std::make_unique<GruDecoderState>();
  state->attention = std::move(memory.attention);
  state->context_gate_weight = memory.context_gate_weight;
  state->hidden = memory.hidden;
  return state;
}

StepOutput GruBahdanau::step(DecoderState& base_state, const torch::Tensor& tokens,
                             bool return_attention) {
  auto& state = dynamic_cast<GruDecoderState&>(base_state);
  const auto embedded = dropout_->forward(target_embedding_->forward(tokens));  // (B, emb)
  const Memory memory{state.attention, state.hidden, state.context_gate_weight};
  auto decoded = decode_step(memory, state.hidden.unbind(0), embedding_gates(embedded));
  state.hidden = torch::stack(decoded.hidden);
  StepOutput output;
  const auto features = output_features(decoded.hidden.back(), decoded.context, embedded);
  output.log_probs = torch::log_softmax(shortlist_ ? shortlist_.logits(features) : output_logits(features), /*dim=*/1);
  if (return_attention) {
    // (B, S) -> (B, 1, 1, 1, S)
    output.attention.parts[AttentionPart::Cross] = decoded.weights.view({decoded.weights.size(0), 1, 1, 1, -1});
  }
  return output;
}

void GruBahdanau::restrict_output(const torch::Tensor& ids) {
  shortlist_.restrict(ids, output_->weight, output_->bias, packed_ ? packed_->output : PackedLinear());
}

void GruBahdanau::reorder(DecoderState& base_state, const torch::Tensor& index) {
  auto& state = dynamic_cast<GruDecoderState&>(base_state);
  state.attention = state.attention.select_rows(index);
  state.hidden = state.hidden.index_select(1, index);
}

void GruBahdanau::append(DecoderState& base_state, DecoderState& base_rows) {
  auto& state = dynamic_cast<GruDecoderState&>(base_state);
  auto& rows = dynamic_cast<GruDecoderState&>(base_rows);
  if (!state.source_attention.empty() || !rows.source_attention.empty()) {
    throw std::logic_error("GruBahdanau::append: states with attention are not merged");
  }
  state.attention = state.attention.append(rows.attention);
  state.hidden = torch::cat({state.hidden, rows.hidden}, /*dim=*/1);
  rows = GruDecoderState();
}

void GruBahdanau::reorder_within_sources(DecoderState& base_state, const torch::Tensor& index) {
  auto& state = dynamic_cast<GruDecoderState&>(base_state);
  state.hidden = state.hidden.index_select(1, index);  // the attention memory is per source
}

}  // namespace heed
