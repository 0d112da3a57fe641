// Tokenizers: text <-> token strings.
//
// word: splits on whitespace and splits punctuation from words. Every token that was
//   glued to the previous one (no space between them in the text) carries the joiner
//   prefix "￭" (U+FFED), so decode(encode(s)) == s up to whitespace runs:
//   "Hello, world!" -> ["Hello", "￭,", "world", "￭!"];
//   "1979-05-03"    -> ["1979", "￭-", "￭05", "￭-", "￭03"].
//   A word is a maximal run of letters/digits (any non-ASCII code point counts as a
//   letter); every other non-space character is a token of its own.
// char: one token per UTF-8 code point; a space becomes "▁" (U+2581).
// `lowercase` lowercases before splitting (then decode gives lowercased text).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace heed {

enum class TokenizerKind { Word, Char };

struct TokenizerConfig {
  TokenizerKind kind = TokenizerKind::Word;
  bool lowercase = false;
};

// "word" / "char" <-> TokenizerKind; parse throws heed::Error listing the known names.
TokenizerKind parse_tokenizer_kind(const std::string& name);
std::string tokenizer_kind_name(TokenizerKind kind);

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  virtual std::vector<std::string> encode(std::string_view text) const = 0;
  virtual std::string decode(const std::vector<std::string>& tokens) const = 0;
};

std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerConfig& config);

}  // namespace heed
