// libheed_sentencepiece.so: SentencePiece behind heed's sentencepiece_api (see
// text/sentencepiece_api.h for why it is a module of its own). Built as a separate
// shared module; not part of heed_lib.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <exception>

#include "text/sentencepiece_api.h"

namespace {

using heed::sentencepiece_api::Api;
using heed::sentencepiece_api::TrainRequest;

class Processor : public heed::sentencepiece_api::Processor {
 public:
  bool load(const std::string& model_proto, std::string& error) {
    try {
      const auto status = processor_.LoadFromSerializedProto(model_proto);
      if (!status.ok()) error = status.ToString();
      return status.ok();
    } catch (const std::exception& e) {
      // Some malformed models make SentencePiece throw instead of returning a status
      // (darts-clone refuses a piece that holds a NUL byte: "zero-length key").
      error = e.what();
      return false;
    }
  }
  bool encode(const std::string& text, std::vector<std::string>& pieces, std::string& error) const override {
    const auto status = processor_.Encode(text, &pieces);
    if (!status.ok()) error = status.ToString();
    return status.ok();
  }
  bool decode(const std::vector<std::string>& pieces, std::string& text, std::string& error) const override {
    const auto status = processor_.Decode(pieces, &text);
    if (!status.ok()) error = status.ToString();
    return status.ok();
  }
  std::vector<std::string> pieces() const override {
    std::vector<std::string> result;
    for (int id = 0; id < processor_.GetPieceSize(); ++id) {
      if (processor_.IsControl(id) || processor_.IsUnknown(id)) continue;
      result.push_back(processor_.IdToPiece(id));
    }
    return result;
  }

 private:
  sentencepiece::SentencePieceProcessor processor_;
};

class VectorIterator : public sentencepiece::SentenceIterator {
 public:
  explicit VectorIterator(const std::vector<std::string>& sentences) : sentences_(sentences) { skip_empty(); }
  bool done() const override { return index_ >= sentences_.size(); }
  void Next() override {
    ++index_;
    skip_empty();
  }
  const std::string& value() const override { return sentences_[index_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void skip_empty() {
    while (index_ < sentences_.size() && sentences_[index_].empty()) ++index_;
  }
  const std::vector<std::string>& sentences_;
  size_t index_ = 0;
};

heed::sentencepiece_api::Processor* load(const std::string& model_proto, std::string& error) {
  auto processor = std::make_unique<Processor>();
  if (!processor->load(model_proto, error)) return nullptr;
  return processor.release();
}

bool train(const TrainRequest& request, std::string& model_proto, std::string& error) {
  sentencepiece::SetRandomGeneratorSeed(request.seed);
  VectorIterator iterator(*request.sentences);
  const auto status = sentencepiece::SentencePieceTrainer::Train(request.arguments, &iterator, &model_proto);
  if (!status.ok()) error = std::string(status.message());
  return status.ok();
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const Api* heed_sentencepiece_api() {
  static const Api api{heed::sentencepiece_api::kVersion, &load, &train};
  return &api;
}
