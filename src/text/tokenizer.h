// Tokenizers: text <-> token strings.
//
// encode() first normalises the text (text/normalize.h: whitespace, control characters,
// optional lowercasing), then splits it:
// word: splits on whitespace and splits punctuation from words. Every token that was
//   glued to the previous one (no space between them in the text) carries the joiner
//   prefix "￭" (U+FFED), so decode(encode(s)) == s up to whitespace runs:
//   "Hello, world!" -> ["Hello", "￭,", "world", "￭!"];
//   "1979-05-03"    -> ["1979", "￭-", "￭05", "￭-", "￭03"].
//   A word is a maximal run of letters/digits (any non-ASCII code point counts as a
//   letter); every other non-space character is a token of its own.
// char: one token per UTF-8 code point; a space becomes "▁" (U+2581).
// sentencepiece: subword pieces of a trained SentencePiece model (unigram or BPE;
//   text/sentencepiece_training.h trains one); decode() detokenizes.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/options.h"
#include "text/normalize.h"

namespace heed {

enum class TokenizerKind { Word, Char, SentencePiece };

struct TokenizerConfig {
  TokenizerKind kind = TokenizerKind::Word;
  bool lowercase = false;
};

// "word" / "char" / "sentencepiece" <-> TokenizerKind; parse throws heed::Error listing
// the known names.
extern const EnumNames<TokenizerKind> kTokenizerNames;  // word, char, sentencepiece
inline TokenizerKind parse_tokenizer_kind(const std::string& name) {
  return parse_enum(kTokenizerNames, name, "tokenizer");
}
inline std::string tokenizer_kind_name(TokenizerKind kind) { return enum_name(kTokenizerNames, kind); }

class Tokenizer {
 public:
  explicit Tokenizer(const TokenizerConfig& config) : config_(config) {}
  virtual ~Tokenizer() = default;

  const TokenizerConfig& config() const { return config_; }
  std::vector<std::string> encode(std::string_view text) const {
    return split(normalize_text(text, {config_.lowercase}));
  }
  virtual std::string decode(const std::vector<std::string>& tokens) const = 0;
  // The serialized SentencePiece model (saved in the model directory); empty for the
  // rule-based tokenizers.
  virtual std::string model_proto() const { return {}; }
  // The SentencePiece model's pieces in id order, without its control and unknown
  // symbols; empty for the rule-based tokenizers.
  virtual std::vector<std::string> model_pieces() const { return {}; }

 protected:
  virtual std::vector<std::string> split(const std::string& normalized) const = 0;

 private:
  TokenizerConfig config_;
};

// `model_proto`: the serialized SentencePiece model, required for (and only used by)
// TokenizerKind::SentencePiece; heed::Error when it does not load.
std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerConfig& config, const std::string& model_proto = {});

}  // namespace heed
