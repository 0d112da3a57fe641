#include "commands/vocab_options.h"

#include <spdlog/spdlog.h>

#include "commands/validators.h"

namespace heed {

VocabSpec VocabFlags::spec(uint64_t seed, int threads) const {
  VocabSpec spec;
  spec.tokenizer = {parse_tokenizer_kind(tokenizer), lowercase};
  spec.counts = {min_count, max_vocab};
  spec.sentencepiece.vocab_size = vocab_size;
  spec.sentencepiece.model_type = sp_model_type;
  spec.sentencepiece.seed = seed;
  spec.sentencepiece.threads = threads;
  spec.shared = shared_vocab;
  check_sentencepiece_model_type(sp_model_type);
  return spec;
}

void add_vocab_options(CLI::App* cmd, VocabFlags& f) {
  cmd->add_option("--tokenizer", f.tokenizer, "word, char or sentencepiece")->capture_default_str();
  cmd->add_flag("--lowercase", f.lowercase, "lowercase text before tokenizing");
  cmd->add_option("--min-count", f.min_count, "word/char vocabulary: minimum token count")->capture_default_str();
  cmd->add_option("--max-vocab", f.max_vocab, "word/char vocabulary: maximum size incl. specials (0 = no limit)")
      ->capture_default_str();
  cmd->add_option("--vocab-size", f.vocab_size, "sentencepiece: pieces per model (a soft limit)")
      ->capture_default_str()->check(CLI::Range(int64_t{8}, int64_t{1000000}));
  cmd->add_option("--sp-model-type", f.sp_model_type, "sentencepiece: unigram or bpe")->capture_default_str();
  cmd->add_flag("--shared-vocab", f.shared_vocab,
                "one vocabulary (one SentencePiece model) for source and target");
}

void log_vocabularies(const Vocabularies& v) {
  const std::string kind = tokenizer_kind_name(v.source_config.kind);
  if (v.shared) {
    spdlog::info("vocabulary ({}, shared): {} tokens", kind, v.source.size());
  } else {
    spdlog::info("vocabularies ({}): {} source, {} target tokens", kind, v.source.size(), v.target.size());
  }
}

}  // namespace heed
