// gru-bahdanau: a GRU encoder with a Bahdanau (additive) attention decoder.
//
//   source ids -> embedding -> dropout -> GRU encoder (bidirectional by default,
//   `layers` deep, packed so padding never enters a state) -> memory (B, S, E)
//   decoder, per target step i:
//     a_i = attention(query = s_{i-1} (top layer), keys = memory)        (B, S)
//     c_i = sum_s a_i[s] memory_s                                         (B, E)
//     s_i = GRU stack([embedding(y_{i-1}); c_i], s_{i-1})
//       (the first layer's input gates W_ih [emb; c] are split like the attention layer:
//        the embedding part is computed for all steps in one product)
//     logits_i = Linear(dropout([s_i; c_i; embedding(y_{i-1})]))          (B, V)
//   The decoder state starts as tanh(bridge(final encoder states)) per layer.
// E = hidden * (bidirectional ? 2 : 1).
#pragma once

#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/modules/container/modulelist.h>

#include "models/dropout.h"
#include "models/bahdanau_attention.h"
#include "models/model_dims.h"
#include "models/output_shortlist.h"
#include "models/packed_linear.h"
#include "models/seq2seq_model.h"
#include "util/options.h"

namespace heed {

struct GruBahdanauConfig {
  int64_t emb = 256;             // embedding size, both sides
  int64_t hidden = 256;          // GRU hidden size per direction
  int64_t layers = 1;            // encoder and decoder depth
  int64_t attention_size = 256;  // units of the additive attention layer
  double dropout = 0.1;
  bool bidirectional = true;     // encoder direction

  // The hyperparameters, each declared once (util/options.h): flags, config.json,
  // recipes and `heed models` all come from this list.
  template <class Visitor>
  void declare(Visitor& v) {
    v(emb, {"emb", "embedding size, both sides", at_least(1)});
    v(hidden, {"hidden", "GRU hidden size per direction", at_least(1)});
    v(layers, {"layers", "encoder and decoder layers", at_least(1)});
    v(attention_size, {"attention_size", "units of the additive attention layer", at_least(1)});
    v(dropout, {"dropout", "dropout probability", between(0.0, 0.99)});
    v(bidirectional, {"bidirectional", "bidirectional encoder (true/false)"});
  }
  void finish() {}  // no checks between options
};

class GruBahdanau : public Seq2SeqModel {
 public:
  using Config = GruBahdanauConfig;
  static constexpr const char* kName = "gru-bahdanau";
  static constexpr const char* kSummary =
      "GRU encoder (bidirectional) + GRU decoder with Bahdanau additive attention";
  // Training options (keys of train/train_options.h) that suit this model when `heed
  // train` is not given them: the GRU trains well with plain Adam and large batches.
  static nlohmann::json training_defaults() {
    return {{"lr", 1e-3}, {"lr_schedule", "constant"}, {"adam_beta2", 0.999},
            {"warmup_steps", 0}, {"label_smoothing", 0.0}, {"batch_tokens", 4096}};
  }

  GruBahdanau(const GruBahdanauConfig& config, const ModelDims& dims);

  ForwardOutput forward(const SourceBatch& source, const torch::Tensor& target_input,
                        bool return_attention, const torch::Tensor& output_mask = {}) override;
  std::unique_ptr<DecoderState> start(const SourceBatch& source, bool return_attention) override;
  StepOutput step(DecoderState& state, const torch::Tensor& tokens,
                  bool return_attention) override;
  void reorder(DecoderState& state, const torch::Tensor& index) override;
  void reorder_within_sources(DecoderState& state, const torch::Tensor& index) override;
  void append(DecoderState& state, DecoderState& rows) override;
  void set_precision(Precision precision) override;
  void restrict_output(const torch::Tensor& ids) override;

  AttentionLayout attention_layout() const override { return {{AttentionPart::Cross, {1, 1}}}; }
  std::string name() const override { return kName; }
  nlohmann::json hyperparameters() const override { return options_to_json(config_); }

 private:
  struct Memory {
    AttentionMemory attention;  // encoder states (B, S, E) as keys, projected once
    torch::Tensor hidden;       // (layers, B, H): initial decoder state
    // The context columns of the first decoder layer's W_ih, (3H, E), sliced once per
    // batch so the backward pass gathers their gradient once, not once per step.
    torch::Tensor context_gate_weight;
  };
  struct DecoderStep {
    std::vector<torch::Tensor> hidden;  // per layer (B, H) after the step
    torch::Tensor context;              // (B, E)
    torch::Tensor weights;              // (B, S)
  };

  // The decoder over all T steps of a teacher-forced target.
  struct Decoded {
    torch::Tensor states;    // (B, T, H) top layer s_1 .. s_T
    torch::Tensor contexts;  // (B, T, E)
    torch::Tensor weights;   // (B, T, S), only when asked for
  };

  // bf16 / int8 inference only: every linear layer packed (packed_linear.h).
  struct PackedLayers {
    struct Direction {
      PackedLinear input;   // W_ih x + b_ih, for all positions at once
      PackedLinear hidden;  // W_hh h + b_hh, per position
    };
    std::vector<std::vector<Direction>> encoder;  // [layer][direction]
    PackedLinear bridge;
    PackedLinear embedding_gates;            // first decoder layer: W_ih[:, :emb] + b_ih
    PackedLinear context_gates;              // first decoder layer: W_ih[:, emb:]
    std::vector<PackedLinear> input_gates;   // decoder layers 1..: W_ih + b_ih (0 unused)
    std::vector<PackedLinear> hidden_gates;  // every decoder layer: W_hh + b_hh
    PackedLinear output;
  };
  struct Encoded {
    torch::Tensor states;  // (B, S, E), 0 at padding
    torch::Tensor finals;  // (layers * directions, B, H), PyTorch's order
  };

  Memory encode(const SourceBatch& source);
  // The encoder GRU with packed products, step by step; a row's state stops at its
  // length (as the packed-sequence GRU of float32 does). embedded (B, S, emb).
  Encoded encode_packed(const torch::Tensor& embedded, const torch::Tensor& mask);
  // gates: embedding_gates of the consumed tokens (B, T, 3H). One layer in float32 runs
  // as one autograd node (unrolled_gru_attention.h); otherwise step by step.
  Decoded decode_all(const Memory& memory, const torch::Tensor& gates, bool return_attention);
  // The embedding part of the first decoder layer's input gates, for any leading shape:
  // (..., emb) -> (..., 3H) = W_ih[:, :emb] emb + b_ih. Computed for all steps at once.
  torch::Tensor embedding_gates(const torch::Tensor& embedded);
  // One decoder step. gates: embedding_gates of the consumed token (B, 3H);
  // embedded: its embedding (B, emb); hidden: per layer (B, H) before the step.
  DecoderStep decode_step(const Memory& memory, const std::vector<torch::Tensor>& hidden,
                          const torch::Tensor& gates);
  // [s_i; c_i; emb_i] along the last dimension, then dropout and the output layer.
  torch::Tensor output_features(const torch::Tensor& top_state, const torch::Tensor& context,
                                const torch::Tensor& embedded);
  torch::Tensor output_logits(const torch::Tensor& features);

  GruBahdanauConfig config_;
  torch::nn::Embedding source_embedding_{nullptr};
  torch::nn::Embedding target_embedding_{nullptr};
  torch::nn::GRU encoder_{nullptr};
  torch::nn::Linear bridge_{nullptr};  // E -> H, shared across layers
  BahdanauAttention attention_{nullptr};
  torch::nn::ModuleList decoder_cells_{nullptr};  // GRUCell per layer
  torch::nn::Linear output_{nullptr};  // H + E + emb -> V
  Dropout dropout_{nullptr};
  std::unique_ptr<PackedLayers> packed_;
  OutputShortlist shortlist_;  // restrict_output: step's output layer on a shortlist
};

}  // namespace heed
