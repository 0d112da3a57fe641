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

GruBahdanau::Memory GruBahdanau::encode(const SourceBatch& source) {
  namespace rnn = torch::nn::utils::rnn;
  const auto embedded = dropout_->forward(source_embedding_->forward(source.ids));  // (B, S, emb)
  const auto packed = rnn::pack_padded_sequence(embedded, source.lengths.to(torch::kCPU),
                                                /*batch_first=*/true, /*enforce_sorted=*/false);
  auto [packed_states, final_states] = encoder_->forward_with_packed_input(packed);
  auto states = std::get<0>(rnn::pad_packed_sequence(packed_states, /*batch_first=*/true,
                                                     /*padding_value=*/0.0,
                                                     /*total_length=*/source.ids.size(1)));
  // final_states: (layers * directions, B, H) -> (layers, B, E)
  const int64_t batch = source.ids.size(0);
  const int64_t directions = config_.bidirectional ? 2 : 1;
  auto finals = final_states.view({config_.layers, directions, batch, config_.hidden})
                    .permute({0, 2, 1, 3})
                    .reshape({config_.layers, batch, directions * config_.hidden});
  auto first_cell = decoder_cells_[0]->as<torch::nn::GRUCell>();
  return {attention_->prepare(states, source.mask), torch::tanh(bridge_->forward(finals)),
          first_cell->weight_ih.narrow(/*dim=*/1, /*start=*/config_.emb, /*length=*/encoder_size(config_))};
}

torch::Tensor GruBahdanau::embedding_gates(const torch::Tensor& embedded) {
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
  if (config_.layers == 1 && can_unroll_gru_attention(inputs)) {
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
  output.log_probs = torch::log_softmax(
      output_logits(output_features(decoded.hidden.back(), decoded.context, embedded)), /*dim=*/1);
  if (return_attention) {
    // (B, S) -> (B, 1, 1, 1, S)
    output.attention.parts[AttentionPart::Cross] = decoded.weights.view({decoded.weights.size(0), 1, 1, 1, -1});
  }
  return output;
}

void GruBahdanau::reorder(DecoderState& base_state, const torch::Tensor& index) {
  auto& state = dynamic_cast<GruDecoderState&>(base_state);
  state.attention = state.attention.select_rows(index);
  state.hidden = state.hidden.index_select(1, index);
}

void GruBahdanau::reorder_within_sources(DecoderState& base_state, const torch::Tensor& index) {
  auto& state = dynamic_cast<GruDecoderState&>(base_state);
  state.hidden = state.hidden.index_select(1, index);  // the attention memory is per source
}

}  // namespace heed
