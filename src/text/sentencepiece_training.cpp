#include "text/sentencepiece_training.h"

#include <algorithm>

#include "text/sentencepiece_api.h"
#include "util/error.h"

namespace heed {

void check_sentencepiece_model_type(const std::string& name) {
  if (name != "unigram" && name != "bpe") {
    throw Error("unknown SentencePiece model type '" + name + "' (known: unigram, bpe)");
  }
}

std::string train_sentencepiece(const std::vector<std::string>& sentences, const SentencePieceOptions& options) {
  check_sentencepiece_model_type(options.model_type);
  if (options.vocab_size < 8) throw Error("--vocab-size must be at least 8");
  if (std::all_of(sentences.begin(), sentences.end(), [](const std::string& s) { return s.empty(); })) {
    throw Error("no text to train a SentencePiece model on");
  }
  sentencepiece_api::TrainRequest request;
  request.sentences = &sentences;
  request.seed = static_cast<unsigned int>(options.seed);
  request.arguments = {
      {"model_type", options.model_type},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"character_coverage", "1.0"},
      {"hard_vocab_limit", "false"},
      {"input_sentence_size", "2000000"},
      {"shuffle_input_sentence", "true"},
      {"max_sentence_length", "16384"},
      {"num_threads", std::to_string(std::max(1, options.threads))},
      {"minloglevel", "2"},  // SentencePiece's own progress lines would flood stderr
  };
  std::string model_proto, error;
  if (!sentencepiece_api::api().train(request, model_proto, error)) {
    throw Error("SentencePiece training failed: " + error);
  }
  return model_proto;
}

}  // namespace heed
