// Tokenizer and vocabulary options shared by `heed train` and `heed vocab`.
#pragma once

#include <CLI/App.hpp>

#include <cstdint>
#include <string>

#include "text/vocabularies.h"

namespace heed {

struct VocabFlags {
  std::string tokenizer = "word";
  bool lowercase = false;
  size_t min_count = 1;
  size_t max_vocab = 0;
  int64_t vocab_size = 8000;
  std::string sp_model_type = "unigram";
  bool shared_vocab = false;

  // Validated spec (heed::Error for an unknown tokenizer or model type).
  VocabSpec spec(uint64_t seed, int threads) const;
};

// --tokenizer, --lowercase, --min-count, --max-vocab, --vocab-size, --sp-model-type,
// --shared-vocab.
void add_vocab_options(CLI::App* command, VocabFlags& flags);

// One log line describing built vocabularies.
void log_vocabularies(const Vocabularies& vocabularies);

}  // namespace heed
