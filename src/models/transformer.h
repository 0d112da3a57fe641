// transformer: the encoder-decoder Transformer (Vaswani et al. 2017), small.
//
//   x = Dropout(Embedding(ids) * sqrt(d_model) + positions)   sinusoidal, or learned
//   encoder: `encoder_layers` x (self-attention, feed-forward)
//   decoder: `decoder_layers` x (masked self-attention, cross-attention, feed-forward)
//   logits = Linear(decoder states)   (optionally tied to the target embedding)
// Post-norm by default (as the paper and the TensorFlow tutorial), pre-norm with
// norm_first (then a final LayerNorm closes each stack).
// Attention of every layer and head: enc_self (B, L, H, S, S), dec_self (B, L, H, T, T)
// with exact zeros above the diagonal, cross (B, L, H, T, S).
// Incremental decoding caches each decoder layer's self-attention keys/values and the
// cross-attention projections of the source, so a step costs one position.
#pragma once

#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>

#include "models/dropout.h"
#include "models/model_dims.h"
#include "models/output_shortlist.h"
#include "models/seq2seq_model.h"
#include "models/transformer_layers.h"
#include "util/options.h"

namespace heed {

struct TransformerConfig {
  int64_t d_model = 128;
  int64_t heads = 4;
  int64_t layers = 3;              // both stacks, unless given apart
  int64_t encoder_layers = 0;      // 0: `layers`
  int64_t decoder_layers = 0;      // 0: `layers`
  int64_t ff = 512;
  double dropout = 0.1;
  bool norm_first = false;         // pre-norm instead of post-norm
  bool learned_positions = false;  // learned position embeddings instead of sinusoids
  bool tie_embeddings = false;     // output projection shares the target embedding

  // The hyperparameters, each declared once (util/options.h).
  template <class Visitor>
  void declare(Visitor& v) {
    v(d_model, {"d_model", "model width", at_least(1)});
    v(heads, {"heads", "attention heads", at_least(1)});
    v(layers, {"layers", "encoder and decoder layers", at_least(1)});
    v(encoder_layers, {"encoder_layers", "encoder layers (0: --layers)", at_least(0)});
    v(decoder_layers, {"decoder_layers", "decoder layers (0: --layers)", at_least(0)});
    v(ff, {"ff", "feed-forward width", at_least(1)});
    v(dropout, {"dropout", "dropout probability", between(0.0, 0.99)});
    v(norm_first, {"norm_first", "pre-norm instead of post-norm"});
    v(learned_positions, {"learned_positions", "learned position embeddings instead of sinusoids"});
    v(tie_embeddings, {"tie_embeddings", "the output layer shares the target embedding"});
  }
  // Resolves the stack depths and checks what one option alone cannot: d_model is a
  // multiple of heads (and even for sinusoids). heed::Error naming the flags.
  void finish();
};

class Transformer : public Seq2SeqModel {
 public:
  using Config = TransformerConfig;
  static constexpr const char* kName = "transformer";
  static constexpr const char* kSummary =
      "Transformer encoder-decoder with multi-head attention (every layer and head exported)";
  // Training options (keys of train/train_options.h) that suit this model when `heed
  // train` is not given them: a warm-up with inverse-sqrt decay, label smoothing, Adam
  // beta2 0.98 and smaller batches (more updates in a CPU budget).
  static nlohmann::json training_defaults() {
    return {{"lr", 2e-3}, {"lr_schedule", "inverse-sqrt"}, {"adam_beta2", 0.98},
            {"warmup_steps", 100}, {"label_smoothing", 0.1}, {"batch_tokens", 2048}};
  }

  static constexpr int64_t kMaxPositions = kMaxSentenceTokens;

  Transformer(const TransformerConfig& config, const ModelDims& dims);

  ForwardOutput forward(const SourceBatch& source, const torch::Tensor& target_input,
                        bool return_attention, const torch::Tensor& output_mask = {}) override;
  std::unique_ptr<DecoderState> start(const SourceBatch& source, bool return_attention) override;
  StepOutput step(DecoderState& state, const torch::Tensor& tokens, bool return_attention) override;
  void reorder(DecoderState& state, const torch::Tensor& index) override;
  void reorder_within_sources(DecoderState& state, const torch::Tensor& index) override;
  void append(DecoderState& state, DecoderState& rows) override;
  void set_precision(Precision precision) override;
  void restrict_output(const torch::Tensor& ids) override;

  AttentionLayout attention_layout() const override {
    return {{AttentionPart::EncoderSelf, {config_.encoder_layers, config_.heads}},
            {AttentionPart::DecoderSelf, {config_.decoder_layers, config_.heads}},
            {AttentionPart::Cross, {config_.decoder_layers, config_.heads}}};
  }
  std::string name() const override { return kName; }
  nlohmann::json hyperparameters() const override { return options_to_json(config_); }

 private:
  struct Encoded {
    torch::Tensor states;   // (B, S, d)
    torch::Tensor weights;  // (B, L, H, S, S) when requested
  };
  // ids (B, T) at positions offset..offset+T-1 -> (B, T, d)
  torch::Tensor embed(torch::nn::Embedding embedding, const torch::Tensor& ids, int64_t offset);
  // ids (B) each at its own position, positions (B) int64 -> (B, 1, d)
  torch::Tensor embed_rows(torch::nn::Embedding embedding, const torch::Tensor& ids, const torch::Tensor& positions);
  Encoded encode(const SourceBatch& source, bool return_attention);
  torch::Tensor logits(const torch::Tensor& states);

  TransformerConfig config_;
  torch::nn::Embedding source_embedding_{nullptr}, target_embedding_{nullptr};
  torch::nn::Embedding position_embedding_{nullptr};  // learned positions only
  torch::Tensor sinusoids_;                            // (kMaxPositions, d) buffer
  torch::nn::ModuleList encoder_layers_{nullptr}, decoder_layers_{nullptr};
  torch::nn::LayerNorm encoder_norm_{nullptr}, decoder_norm_{nullptr};  // pre-norm only
  torch::nn::Linear output_{nullptr};                 // untied
  torch::Tensor output_bias_;                          // tied: the bias alone
  PackedLinear packed_output_;                         // bf16 / int8 inference only
  OutputShortlist shortlist_;                          // restrict_output: step's output layer
  Dropout dropout_{nullptr};
};

}  // namespace heed
