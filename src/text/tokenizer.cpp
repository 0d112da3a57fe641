// Word, character and SentencePiece tokenizers.
#include "text/tokenizer.h"


#include "text/sentencepiece_api.h"
#include "util/error.h"
#include "util/utf8.h"

namespace heed {

const EnumNames<TokenizerKind> kTokenizerNames = {
    {"word", TokenizerKind::Word}, {"char", TokenizerKind::Char}, {"sentencepiece", TokenizerKind::SentencePiece}};
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
  using Tokenizer::Tokenizer;

  std::vector<std::string> split(const std::string& normalized) const override {
    const std::string_view text = normalized;
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
};

// A literal "▁" in the text decodes to a space.
class CharTokenizer : public Tokenizer {
 public:
  using Tokenizer::Tokenizer;

  std::vector<std::string> split(const std::string& normalized) const override {
    std::vector<std::string> tokens = utf8::code_points(normalized);
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
};

class SentencePieceTokenizer : public Tokenizer {
 public:
  SentencePieceTokenizer(const TokenizerConfig& config, const std::string& model_proto)
      : Tokenizer(config), model_proto_(model_proto) {
    std::string error;
    processor_.reset(sentencepiece_api::api().load(model_proto, error));
    if (processor_ == nullptr) throw Error("cannot load the SentencePiece model: " + error);
  }

  std::vector<std::string> split(const std::string& normalized) const override {
    std::vector<std::string> pieces;
    std::string error;
    if (!processor_->encode(normalized, pieces, error)) {
      throw Error("SentencePiece cannot encode a sentence: " + error);
    }
    return pieces;
  }

  std::string decode(const std::vector<std::string>& tokens) const override {
    std::string text, error;
    if (!processor_->decode(tokens, text, error)) throw Error("SentencePiece cannot decode a sentence: " + error);
    return text;
  }

  std::string model_proto() const override { return model_proto_; }
  std::vector<std::string> model_pieces() const override { return processor_->pieces(); }

 private:
  std::unique_ptr<const sentencepiece_api::Processor> processor_;
  std::string model_proto_;
};

}  // namespace

std::unique_ptr<Tokenizer> make_tokenizer(const TokenizerConfig& config, const std::string& model_proto) {
  switch (config.kind) {
    case TokenizerKind::Char:
      return std::make_unique<CharTokenizer>(config);
    case TokenizerKind::SentencePiece:
      if (model_proto.empty()) throw Error("the sentencepiece tokenizer needs a trained model");
      return std::make_unique<SentencePieceTokenizer>(config, model_proto);
    case TokenizerKind::Word:
      break;
  }
  return std::make_unique<WordTokenizer>(config);
}

}  // namespace heed
