// Word and character tokenizers.
#include "text/tokenizer.h"

#include "util/error.h"
#include "util/utf8.h"

namespace heed {
namespace {

constexpr std::string_view kJoiner = "\xEF\xBF\xAD";  // "￭" U+FFED
constexpr std::string_view kSpace = "\xE2\x96\x81";   // "▁" U+2581

bool is_space(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Bytes of a word: ASCII letters/digits and every non-ASCII byte.
bool is_word_byte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool joiner_at(std::string_view text, size_t pos) { return text.substr(pos, kJoiner.size()) == kJoiner; }

// A literal "￭" in the text is a token of its own: "￭" alone when preceded by a
// space, "￭￭" when glued. decode only strips the marker from tokens longer than
// it, so both forms round-trip.
class WordTokenizer : public Tokenizer {
 public:
  explicit WordTokenizer(bool lowercase) : lowercase_(lowercase) {}

  std::vector<std::string> encode(std::string_view text) const override {
    std::string lowered;
    if (lowercase_) {
      lowered = utf8::to_lower(text);
      text = lowered;
    }
    std::vector<std::string> tokens;
    bool glued = false;  // the previous token ends right before `pos`
    size_t pos = 0;
    const size_t n = text.size();
    while (pos < n) {
      const auto c = static_cast<unsigned char>(text[pos]);
      if (is_space(c)) {
        glued = false;
        ++pos;
        continue;
      }
      const size_t start = pos;
      if (joiner_at(text, pos)) {
        pos += kJoiner.size();
      } else if (is_word_byte(c)) {
        while (pos < n && is_word_byte(static_cast<unsigned char>(text[pos])) && !joiner_at(text, pos)) ++pos;
      } else {
        ++pos;  // ASCII punctuation or control: one character
      }
      std::string token;
      token.reserve(pos - start + (glued ? kJoiner.size() : 0));
      if (glued) token += kJoiner;
      token += text.substr(start, pos - start);
      tokens.push_back(std::move(token));
      glued = true;
    }
    return tokens;
  }

  std::string decode(const std::vector<std::string>& tokens) const override {
    std::string out;
    for (const std::string& token : tokens) {
      if (token.empty()) continue;
      if (token.size() > kJoiner.size() && std::string_view(token).substr(0, kJoiner.size()) == kJoiner) {
        out.append(token, kJoiner.size(), std::string::npos);
      } else {
        if (!out.empty()) out += ' ';
        out += token;
      }
    }
    return out;
  }

 private:
  bool lowercase_;
};

// A literal "▁" in the text decodes to a space.
class CharTokenizer : public Tokenizer {
 public:
  explicit CharTokenizer(bool lowercase) : lowercase_(lowercase) {}

  std::vector<std::string> encode(std::string_view text) const override {
    std::vector<std::string> tokens = lowercase_ ? utf8::code_points(utf8::to_lower(text)) : utf8::code_points(text);
    for (std::string& token : tokens) {
      if (token == " ") token = std::string(kSpace);
    }
    return tokens;
  }

  std::string decode(const std::vector<std::string>& tokens) const override {
    std::string out;
    for (const std::string& token : tokens) {
      if (token == kSpace) {
        out += ' ';
      } else {
        out += token;
      }
    }
    return out;
  }

 private:
  bool lowercase_;
};

}  // namespace

TokenizerKind parse_tokenizer_kind(const std::string& name) {
  if (name == "word") return TokenizerKind::Word;
  if (name == "char") return TokenizerKind::Char;
  throw Error("unknown tokenizer \"" + name + "\" (known: word, char)");
}

std::string tokenizer_kind_name(TokenizerKind kind) {
  switch (kind) {
    case TokenizerKind::Word:
      return "word";
    case TokenizerKind::Char:
      return "char";
  }
  return "word";
}

std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerConfig& config) {
  if (config.kind == TokenizerKind::Char) return std::make_unique<CharTokenizer>(config.lowercase);
  return std::make_unique<WordTokenizer>(config.lowercase);
}

}  // namespace heed
