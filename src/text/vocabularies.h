// Both sides' tokenizers and vocabularies: everything that turns text into ids and back.
//
// Built from a training corpus by `heed train` (or ahead of it by `heed vocab`), saved in
// a directory as
//   vocab.json      the tokenizer of each side and whether the vocabulary is shared
//   source.vocab    source vocabulary (one token per line, id = line number)
//   target.vocab    target vocabulary
//   source.spm      SentencePiece model of each side (sentencepiece only; the same
//   target.spm        model twice with a shared vocabulary)
// A model directory holds the same files (its config.json repeats vocab.json's content).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sentence_pair.h"
#include "text/sentencepiece_training.h"
#include "text/tokenizer.h"
#include "text/vocabulary.h"

namespace heed {

struct VocabSpec {
  TokenizerConfig tokenizer;           // both sides
  VocabOptions counts;                 // word / char: minimum count and maximum size
  SentencePieceOptions sentencepiece;  // sentencepiece: size, model type, seed
  bool shared = false;                 // one vocabulary (and SentencePiece model) for both sides
};

struct Vocabularies {
  TokenizerConfig source_config, target_config;
  bool shared = false;
  std::unique_ptr<Tokenizer> source_tokenizer, target_tokenizer;
  Vocabulary source, target;
};

// Word / char vocabularies count the tokens of the corpus; a SentencePiece model is
// trained on the corpus and its pieces are the vocabulary (after heed's four specials).
Vocabularies build_vocabularies(const VocabSpec& spec, const std::vector<SentencePair>& pairs);

namespace vocab_files {
std::string description(const std::string& dir);  // vocab.json
std::string source_vocab(const std::string& dir);
std::string target_vocab(const std::string& dir);
std::string source_sentencepiece(const std::string& dir);
std::string target_sentencepiece(const std::string& dir);
}  // namespace vocab_files

// Writes vocab.json, the vocabularies and the SentencePiece models, each file atomically.
void save_vocabularies(const std::string& dir, const Vocabularies& vocabularies);
// The vocabularies and, for the sentencepiece tokenizer, the SentencePiece models, without
// vocab.json (a model directory describes its tokenizers in config.json).
void save_vocabulary_files(const std::string& dir, const Vocabulary& source, const Vocabulary& target,
                           const Tokenizer& source_tokenizer, const Tokenizer& target_tokenizer);
// Loads what save_vocabularies wrote, with the tokenizers described by the given configs
// (from a model's config.json); heed::Error naming the file when anything is missing.
Vocabularies load_vocabularies(const std::string& dir, const TokenizerConfig& source, const TokenizerConfig& target);
// Loads a `heed vocab` directory (its vocab.json says which tokenizers).
Vocabularies load_vocabularies(const std::string& dir);

nlohmann::json tokenizer_config_json(const TokenizerConfig& config);
TokenizerConfig tokenizer_config_from_json(const nlohmann::json& json);

}  // namespace heed
