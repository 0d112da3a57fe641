// The word and char tokenizers (text/tokenizer.h) and Python's str.lower()
// (util/pytext.h) on arbitrary text. The first byte picks the options; the rest is text.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "text/normalize.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/pytext.h"
#include "util/utf8.h"

namespace {

using heed::fuzz::shown;

constexpr std::string_view kJoiner = "\xEF\xBF\xAD";  // U+FFED, the word tokenizer's glue mark
constexpr std::string_view kSpace = "\xE2\x96\x81";   // U+2581, the char tokenizer's space

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string joined(const std::vector<std::string>& tokens) {
  std::string out;
  for (const auto& token : tokens) out += shown(token, 40) + " ";
  return out;
}

const heed::Tokenizer& tokenizer(heed::TokenizerKind kind, bool lowercase) {
  static std::unique_ptr<heed::Tokenizer> cache[2][2];
  auto& slot = cache[kind == heed::TokenizerKind::Char][lowercase];
  if (!slot) slot = heed::make_tokenizer({kind, lowercase});
  return *slot;
}

void check_word(std::string_view text, bool lowercase) {
  const heed::Tokenizer& word = tokenizer(heed::TokenizerKind::Word, lowercase);
  const std::vector<std::string> tokens = word.encode(text);
  const std::string normalized = heed::normalize_text(text, {lowercase});
  for (const std::string& token : tokens) {
    FUZZ_CHECK(!token.empty() && heed::utf8::is_valid(token), shown(text) + " -> " + joined(tokens));
    FUZZ_CHECK(token.find(' ') == std::string::npos, shown(text) + " -> " + joined(tokens));
  }
  // tokenizer.h: decode(encode(s)) == s up to whitespace runs, i.e. the normalized text.
  const std::string decoded = word.decode(tokens);
  FUZZ_CHECK(decoded == normalized, shown(text) + " -> " + joined(tokens) + "-> " + shown(decoded));
  // The first token is never glued; a glued token is the mark and at least one byte.
  if (!tokens.empty()) {
    FUZZ_CHECK(tokens[0].compare(0, kJoiner.size(), kJoiner) != 0 || tokens[0] == kJoiner,
               shown(text) + " -> " + joined(tokens));
  }
  // Encoding the decoded text gives the same tokens.
  FUZZ_CHECK(word.encode(decoded) == tokens, shown(text) + " -> " + joined(tokens));
}

void check_char(std::string_view text, bool lowercase) {
  const heed::Tokenizer& chars = tokenizer(heed::TokenizerKind::Char, lowercase);
  const std::vector<std::string> tokens = chars.encode(text);
  const std::string normalized = heed::normalize_text(text, {lowercase});
  for (const std::string& token : tokens) {
    FUZZ_CHECK(heed::utf8::is_valid(token) && heed::utf8::code_points(token).size() == 1,
               shown(text) + " -> " + joined(tokens));
    FUZZ_CHECK(token != " ", shown(text));
  }
  FUZZ_CHECK(tokens.size() == heed::utf8::code_points(normalized).size(), shown(text));
  // A literal U+2581 in the text decodes to a space (tokenizer.h); the rest round-trips.
  FUZZ_CHECK(chars.decode(tokens) == replace_all(normalized, kSpace, " "), shown(text) + " -> " + joined(tokens));
}

void check_lower(std::string_view text) {
  const std::string lower = heed::pytext::lower(text);
  if (heed::utf8::is_valid(text)) FUZZ_CHECK(heed::utf8::is_valid(lower), shown(text) + " -> " + shown(lower));
  // Invalid bytes are kept as they are (surrogateescape), and lowering twice changes nothing.
  FUZZ_CHECK(heed::pytext::lower(lower) == lower, shown(text) + " -> " + shown(lower));
  // ASCII letters lower as in C.
  bool ascii = true;
  for (char c : text) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {
    std::string expected(text);
    for (char& c : expected) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    FUZZ_CHECK(lower == expected, shown(text));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool lowercase = (data[0] & 1) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    check_lower(text);
    // Tokenizers take valid UTF-8 only (normalize.h's precondition; every reader checks).
    if (heed::utf8::is_valid(text)) {
      check_word(text, lowercase);
      check_char(text, lowercase);
    }
  } catch (const heed::Error&) {
  }
  return 0;
}
