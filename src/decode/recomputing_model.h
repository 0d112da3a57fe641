// A decorator that decodes any registry model *without* its incremental state: every
// step re-runs the teacher-forced `forward` over the whole prefix and keeps the last
// position. Slow by design (step t costs t positions): it is the reference that cached
// decoding is tested against and measured against (`heed translate --no-cache`).
#pragma once

#include "models/seq2seq_model.h"

namespace heed {

class RecomputingModel : public Seq2SeqModel {
 public:
  explicit RecomputingModel(ModelPtr inner);

  ForwardOutput forward(const SourceBatch& source, const torch::Tensor& target_input,
                        bool return_attention, const torch::Tensor& output_mask = {}) override;
  std::unique_ptr<DecoderState> start(const SourceBatch& source, bool return_attention) override;
  StepOutput step(DecoderState& state, const torch::Tensor& tokens, bool return_attention) override;
  void reorder(DecoderState& state, const torch::Tensor& index) override;
  // Not for in-flight batching: a prefix re-run over rows of different lengths would need
  // left padding that `forward` does not take. Throws std::logic_error.
  void append(DecoderState& state, DecoderState& rows) override;
  void restrict_output(const torch::Tensor& ids) override { output_ids_ = ids; }
  void set_precision(Precision precision) override {
    inner_->set_precision(precision);
    precision_ = precision;
  }

  AttentionLayout attention_layout() const override { return inner_->attention_layout(); }
  std::string name() const override { return inner_->name(); }
  nlohmann::json hyperparameters() const override { return inner_->hyperparameters(); }

 private:
  ModelPtr inner_;
  torch::Tensor output_ids_;  // restrict_output's shortlist, or undefined
};

}  // namespace heed
