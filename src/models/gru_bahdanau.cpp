#include "models/gru_bahdanau.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/utils/rnn.h>

#include "models/hyperparameters.h"
#include "text/vocabulary.h"

namespace heed {

GruBahdanauConfig GruBahdanauConfig::from_json(const nlohmann::json& json) {
  GruBahdanauConfig config;
  HyperparameterReader reader(json, "gru-bahdanau");
  reader.read("emb", config.emb, 1);
  reader.read("hidden", config.hidden, 1);
  reader.read("layers", config.layers, 1);
  reader.read("attention_size", config.attention_size, 1);
  reader.read("dropout", config.dropout, 0.0, 0.99);
  reader.read("bidirectional", config.bidirectional);
  reader.finish();
  return config;
}

nlohmann::json GruBahdanauConfig::to_json() const {
  return {{"emb", emb},         {"hidden", hidden},   {"layers", layers},
          {"attention_size", attention_size}, {"dropout", dropout},
          {"bidirectional", bidirectional}};
}

namespace {
int64_t encoder_size(const GruBahdanauConfig& config) {
  return config.hidden * (config.bidirectional ? 2 : 1);
}

// Keeps rows `index` of a per-sentence tensor along `dim`.
torch::Tensor keep_rows(const torch::Tensor& tensor, const torch::Tensor& index, int64_t dim) {
  return tensor.index_select(dim, index);
}
}  // namespace

class GruDecoderState : public DecoderState {
 public:
  torch::Tensor states;     // (B, S, E)
  torch::Tensor projected;  // (B, S, A)
  torch::Tensor mask;       // (B, S)
  torch::Tensor hidden;     // (layers, B, H)
};

GruBahdanau::GruBahdanau(const GruBahdanauConfig& config, const ModelDims& dims)
    : config_(config), dims_(dims) {
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
  dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout));
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
  Memory memory;
  memory.hidden = torch::tanh(bridge_->forward(finals));  // (layers, B, H)
  memory.states = dropout_->forward(states);               // (B, S, E)
  memory.projected = attention_->project_keys(memory.states);
  memory.mask = source.mask;
  return memory;
}

GruBahdanau::DecoderStep GruBahdanau::decode_step(const Memory& memory,
                                                  const torch::Tensor& hidden,
                                                  const torch::Tensor& embedded) {
  const auto attended =
      attention_->forward(hidden[config_.layers - 1], memory.states, memory.projected, memory.mask);
  auto input = torch::cat({embedded, attended.context}, /*dim=*/1);  // (B, emb + E)
  std::vector<torch::Tensor> next;
  next.reserve(config_.layers);
  for (int64_t layer = 0; layer < config_.layers; ++layer) {
    auto cell = decoder_cells_[layer]->as<torch::nn::GRUCell>();
    auto state = cell->forward(input, hidden[layer]);  // (B, H)
    next.push_back(state);
    input = layer + 1 < config_.layers ? dropout_->forward(state) : state;
  }
  return {torch::stack(next), attended.context, attended.weights};
}

torch::Tensor GruBahdanau::output_logits(const torch::Tensor& top_state,
                                         const torch::Tensor& context,
                                         const torch::Tensor& embedded) {
  const int64_t last = top_state.dim() - 1;
  return output_->forward(dropout_->forward(torch::cat({top_state, context, embedded}, last)));
}

ForwardOutput GruBahdanau::forward(const SourceBatch& source, const torch::Tensor& target_input,
                                   bool return_attention) {
  const Memory memory = encode(source);
  const auto embedded = dropout_->forward(target_embedding_->forward(target_input));  // (B, T, emb)
  const int64_t steps = target_input.size(1);
  std::vector<torch::Tensor> tops, contexts, weights;
  tops.reserve(steps);
  contexts.reserve(steps);
  auto hidden = memory.hidden;
  for (int64_t t = 0; t < steps; ++t) {
    auto decoded = decode_step(memory, hidden, embedded.select(1, t));
    hidden = decoded.hidden;
    tops.push_back(hidden[config_.layers - 1]);
    contexts.push_back(decoded.context);
    if (return_attention) weights.push_back(decoded.weights);
  }
  ForwardOutput output;
  // One projection for all steps: (B, T, H + E + emb) -> (B, T, V).
  output.logits = output_logits(torch::stack(tops, 1), torch::stack(contexts, 1), embedded);
  if (return_attention) {
    // (B, T, S) -> (B, layers=1, heads=1, T, S)
    output.attention.parts[AttentionPart::Cross] = torch::stack(weights, 1).unsqueeze(1).unsqueeze(1);
  }
  return output;
}

std::unique_ptr<DecoderState> GruBahdanau::start(const SourceBatch& source, bool /*return_attention*/) {
  const Memory memory = encode(source);
  auto state = std::make_unique<GruDecoderState>();
  state->states = memory.states;
  state->projected = memory.projected;
  state->mask = memory.mask;
  state->hidden = memory.hidden;
  return state;
}

StepOutput GruBahdanau::step(DecoderState& base_state, const torch::Tensor& tokens,
                             bool return_attention) {
  auto& state = dynamic_cast<GruDecoderState&>(base_state);
  const Memory memory{state.states, state.projected, state.mask, state.hidden};
  const auto embedded = dropout_->forward(target_embedding_->forward(tokens));  // (B, emb)
  auto decoded = decode_step(memory, state.hidden, embedded);
  state.hidden = decoded.hidden;
  StepOutput output;
  output.log_probs = torch::log_softmax(
      output_logits(decoded.hidden[config_.layers - 1], decoded.context, embedded), /*dim=*/1);
  if (return_attention) {
    // (B, S) -> (B, 1, 1, 1, S)
    output.attention.parts[AttentionPart::Cross] = decoded.weights.view({decoded.weights.size(0), 1, 1, 1, -1});
  }
  return output;
}

void GruBahdanau::reorder(DecoderState& base_state, const torch::Tensor& index) {
  auto& state = dynamic_cast<GruDecoderState&>(base_state);
  state.states = keep_rows(state.states, index, 0);
  state.projected = keep_rows(state.projected, index, 0);
  state.mask = keep_rows(state.mask, index, 0);
  state.hidden = keep_rows(state.hidden, index, 1);
}

}  // namespace heed
