// Training a SentencePiece model (unigram or BPE) in memory, from normalised sentences.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace heed {

struct SentencePieceOptions {
  int64_t vocab_size = 8000;           // pieces, SentencePiece's <unk> <s> </s> included
  std::string model_type = "unigram";  // "unigram" or "bpe"
  uint64_t seed = 1;
  int threads = 1;
};

// "unigram" / "bpe"; heed::Error otherwise.
void check_sentencepiece_model_type(const std::string& name);

// Trains on `sentences` (already normalised: Tokenizer::encode normalises the same way
// before encoding) and returns the serialized model. Character coverage is 1.0 (every
// character of the training text is kept), the vocabulary size is a soft limit (a small
// corpus gets fewer pieces rather than an error), and at most 2 million sentences are
// sampled. heed::Error when SentencePiece fails.
std::string train_sentencepiece(const std::vector<std::string>& sentences, const SentencePieceOptions& options);

}  // namespace heed
