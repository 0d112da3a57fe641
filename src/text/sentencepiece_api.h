// The boundary between heed and the SentencePiece library.
//
// SentencePiece runs in a module of its own, libheed_sentencepiece.so, that heed loads
// with dlopen(RTLD_LOCAL | RTLD_DEEPBIND) the first time a SentencePiece model is used.
// Debian's libsentencepiece exports the protobuf-lite it bundles; linked into the same
// process as LibTorch (which loads the full libprotobuf through ONNX), those symbols
// replace libprotobuf's own and the process crashes before main(). In its own symbol
// scope the module's protobuf stays private. Only this header's types cross the
// boundary (same compiler and C++ runtime on both sides).
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace heed::sentencepiece_api {

inline constexpr int kVersion = 1;

// A loaded model. Methods return false and set `error` on failure.
class Processor {
 public:
  virtual ~Processor() = default;
  virtual bool encode(const std::string& text, std::vector<std::string>& pieces, std::string& error) const = 0;
  virtual bool decode(const std::vector<std::string>& pieces, std::string& text, std::string& error) const = 0;
  // Every piece in id order, without the control and unknown symbols.
  virtual std::vector<std::string> pieces() const = 0;
};

struct TrainRequest {
  const std::vector<std::string>* sentences = nullptr;
  std::unordered_map<std::string, std::string> arguments;  // SentencePieceTrainer flags
  unsigned int seed = 1;
};

struct Api {
  int version = kVersion;
  // nullptr (and `error`) when the serialized model does not load.
  Processor* (*load)(const std::string& model_proto, std::string& error);
  // The serialized model, or false and `error`.
  bool (*train)(const TrainRequest& request, std::string& model_proto, std::string& error);
};

// The module, loaded once (thread-safe); heed::Error naming where it looked when it
// cannot be loaded. Looked for in $HEED_SENTENCEPIECE_MODULE (a file), then beside the
// running executable, then in the directory it was built in.
const Api& api();

}  // namespace heed::sentencepiece_api

// The module's only exported symbol.
extern "C" const heed::sentencepiece_api::Api* heed_sentencepiece_api();
