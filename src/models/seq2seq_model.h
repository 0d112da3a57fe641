// The common interface of every model in the registry.
//
// A model is trained teacher-forced through `forward` and decodes incrementally through
// `start` + `step` (+ `reorder` for beam search). Attention is opt-in on every call, in
// the shape convention of attention_maps.h, so training does not pay for it.
//
// Shapes: B = batch, S = source length, T = target length, V = target vocabulary.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/precision.h"
#include "models/attention_maps.h"

namespace heed {

// The longest sequence, source or target, in tokens incl. </s>, that a model takes: the
// Transformer's table of positions, and for every model a bound on the work one
// sentence can ask for (longer inputs are cropped or dropped with a warning).
inline constexpr int64_t kMaxSentenceTokens = 1024;

// A padded batch of source sentences. Every row ends with </s>.
struct SourceBatch {
  torch::Tensor ids;      // (B, S) int64, padded with Vocabulary::kPad
  torch::Tensor mask;     // (B, S) bool, true at real tokens
  torch::Tensor lengths;  // (B) int64, real tokens per row (CPU)
};

struct ForwardOutput {
  torch::Tensor logits;     // (B, T, V) unnormalised scores of the next token, or (N, V)
                            // at the N true positions of output_mask, row-major
  AttentionMaps attention;  // filled only when requested; queries = T
};

// Model-specific incremental decoding state (GRU hidden state, Transformer caches).
class DecoderState {
 public:
  virtual ~DecoderState() = default;
  // Attention computed once per sentence at `start` (Transformer enc_self); queries = S.
  AttentionMaps source_attention;
};

struct StepOutput {
  torch::Tensor log_probs;  // (B, V) log-softmax of the next token
  AttentionMaps attention;  // filled only when requested; queries = 1
};

class Seq2SeqModel : public torch::nn::Module {
 public:
  // Teacher-forced pass. target_input: (B, T) int64 = <s> y1 .. y_{T-1}, padded.
  // output_mask (B, T) bool, optional: compute logits only where it is true (training
  // skips the output layer on padding, its most expensive part).
  virtual ForwardOutput forward(const SourceBatch& source, const torch::Tensor& target_input,
                                bool return_attention, const torch::Tensor& output_mask = {}) = 0;

  // Encodes the source and returns the state before the first target token.
  virtual std::unique_ptr<DecoderState> start(const SourceBatch& source,
                                              bool return_attention) = 0;

  // Consumes one target token per row, tokens: (B) int64, and predicts the next.
  virtual StepOutput step(DecoderState& state, const torch::Tensor& tokens,
                          bool return_attention) = 0;

  // Keeps rows `index` (K) int64 of the state, in that order (beam search, finished rows).
  // Padding that no kept row needs (source positions, and after `append` the cached
  // target positions of rows that joined later) may be dropped.
  virtual void reorder(DecoderState& state, const torch::Tensor& index) = 0;

  // reorder for an index (B) that keeps the number of rows and sends every row to a row
  // of the same source sentence (beam search among one sentence's hypotheses): the
  // source-side state (encoder memory, cross-attention keys and values) is the same for
  // both rows and is left as it is; only the target-side state moves. Default: reorder.
  virtual void reorder_within_sources(DecoderState& state, const torch::Tensor& index) { reorder(state, index); }

  // Appends the rows of `rows` (another state of this model, from `start`, stepped or not)
  // after the rows of `state`; `rows` is left empty. In-flight batching
  // (decode/inflight_greedy.h): sentences join a batch between steps. Rows may differ in
  // source length and in the steps taken; each row goes on as it would alone (to float
  // rounding, as in any batch). States started with attention are not merged
  // (std::logic_error): their per-sentence attention would need padding of its own.
  virtual void append(DecoderState& state, DecoderState& rows) = 0;

  // Packs the weights of every linear layer for inference at `precision`
  // (packed_linear.h: bf16 or int8); Float32 drops the packed copies and runs the
  // float32 weights as trained, or packs float32 copies when float32_products_packed(). A model in bf16 or int8 computes without autograd and
  // is not to be trained; its weights must not change while it is packed.
  virtual void set_precision(Precision precision) = 0;
  Precision precision() const { return precision_; }

  // Restricts the output of the next `step` calls to the target ids `ids` (N) int64,
  // sorted and distinct (a vocabulary shortlist, decode/shortlist.h): the output layer
  // is computed for those rows only, and log_probs are normalised over them, -inf
  // elsewhere. An undefined tensor lifts the restriction. `forward` is never restricted.
  virtual void restrict_output(const torch::Tensor& ids) = 0;

  // The parts, layers and heads of the attention this model returns.
  virtual AttentionLayout attention_layout() const = 0;

  // Registry name and the complete, resolved hyperparameters (saved in config.json).
  virtual std::string name() const = 0;
  virtual nlohmann::json hyperparameters() const = 0;

 protected:
  Precision precision_ = Precision::Float32;
};

using ModelPtr = std::shared_ptr<Seq2SeqModel>;

}  // namespace heed
