// UTF-8 validation and decoding (util/utf8.h), Python-style decoding (util/pytext.h) and
// text normalisation (text/normalize.h) on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "text/normalize.h"
#include "util/error.h"
#include "util/pytext.h"
#include "util/utf8.h"

namespace {

using heed::fuzz::shown;

bool is_normalized_space_or_dropped(char32_t c) {
  // Everything normalize.h promises to turn into ' ' or to remove.
  if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r') return true;
  if (c < 0x20 || c == 0x7F) return true;
  if (c >= 0x80 && c <= 0x9F) return true;
  return c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200B) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000 || c == 0xAD || c == 0x2060 || c == 0xFEFF;
}

void check_utf8(std::string_view text) {
  const bool valid = heed::utf8::is_valid(text);

  // code_points: the pieces put back together are the text; on valid text each piece is
  // exactly one well-formed code point.
  std::string joined;
  for (const std::string& piece : heed::utf8::code_points(text)) {
    FUZZ_CHECK(!piece.empty() && piece.size() <= 4, shown(text));
    if (valid) {
      FUZZ_CHECK(heed::utf8::is_valid(piece), shown(piece));
      FUZZ_CHECK(heed::utf8::next_code_point(piece, 0).bytes == piece.size(), shown(piece));
    }
    joined += piece;
  }
  FUZZ_CHECK(joined == text, shown(text));

  // next_code_point walks the whole text; every step is valid exactly when the text is.
  bool all_valid = true;
  for (size_t at = 0; at < text.size();) {
    const heed::utf8::CodePoint point = heed::utf8::next_code_point(text, at);
    FUZZ_CHECK(point.bytes >= 1 && point.bytes <= 4 && at + point.bytes <= text.size(), shown(text));
    if (point.valid) {
      const std::string_view sequence = text.substr(at, point.bytes);
      FUZZ_CHECK(heed::utf8::is_valid(sequence), shown(sequence));
      const std::u32string decoded = heed::pytext::decode(sequence);
      FUZZ_CHECK(decoded.size() == 1 && decoded[0] == point.value, shown(sequence));
    } else {
      // utf8.h: "an invalid sequence consumes one byte and decodes as U+FFFD".
      FUZZ_CHECK(point.bytes == 1 && point.value == 0xFFFD, shown(text.substr(at, 4)));
      all_valid = false;
    }
    at += point.bytes;
  }
  FUZZ_CHECK(all_valid == valid, shown(text));

  // replace_invalid: always valid, and the identity on valid text.
  const std::string replaced = heed::utf8::replace_invalid(text);
  FUZZ_CHECK(heed::utf8::is_valid(replaced), shown(text));
  if (valid) FUZZ_CHECK(replaced == text, shown(text));
}

void check_pytext(std::string_view text) {
  const bool valid = heed::utf8::is_valid(text);
  // Python's surrogateescape: nothing is lost or merged.
  const std::u32string decoded = heed::pytext::decode(text);
  FUZZ_CHECK(heed::pytext::encode(decoded) == text, shown(text));
  bool escaped = false;
  for (char32_t c : decoded) {
    FUZZ_CHECK(c <= 0x10FFFF, shown(text));
    if (c >= 0xD800 && c <= 0xDFFF) {
      FUZZ_CHECK(c >= 0xDC80 && c <= 0xDCFF, shown(text));  // only escaped bytes
      escaped = true;
    }
  }
  FUZZ_CHECK(escaped == !valid, shown(text));

  const std::vector<size_t> offsets = heed::pytext::code_point_offsets(text);
  FUZZ_CHECK(offsets.size() == decoded.size() + 1 && offsets.back() == text.size(), shown(text));
  for (size_t i = 0; i + 1 < offsets.size(); ++i) {
    FUZZ_CHECK(offsets[i] < offsets[i + 1], shown(text));
    FUZZ_CHECK(heed::pytext::decode(text.substr(offsets[i], offsets[i + 1] - offsets[i])).size() == 1, shown(text));
  }

  // str.split(): non-empty words without whitespace; str.rstrip(): a prefix followed by
  // whitespace only.
  for (const std::string& word : heed::pytext::split(text)) {
    FUZZ_CHECK(!word.empty(), shown(text));
    for (char32_t c : heed::pytext::decode(word)) FUZZ_CHECK(!heed::pytext::is_space(c), shown(word));
  }
  const std::string_view stripped = heed::pytext::rstrip(text);
  FUZZ_CHECK(text.substr(0, stripped.size()) == stripped, shown(text));
  for (char32_t c : heed::pytext::decode(text.substr(stripped.size()))) {
    FUZZ_CHECK(heed::pytext::is_space(c), shown(text));
  }
  if (!stripped.empty()) {
    const std::u32string kept = heed::pytext::decode(stripped);
    FUZZ_CHECK(!heed::pytext::is_space(kept.back()), shown(text));
  }
}

void check_normalize(std::string_view text) {
  if (!heed::utf8::is_valid(text)) return;  // normalize.h's precondition
  for (const bool lowercase : {false, true}) {
    const std::string normalized = heed::normalize_text(text, {lowercase});
    FUZZ_CHECK(heed::utf8::is_valid(normalized), shown(text));
    FUZZ_CHECK(normalized.empty() || (normalized.front() != ' ' && normalized.back() != ' '), shown(text));
    FUZZ_CHECK(normalized.find("  ") == std::string::npos, shown(text));
    for (char32_t c : heed::pytext::decode(normalized)) {
      FUZZ_CHECK(c == ' ' || !is_normalized_space_or_dropped(c), shown(text) + " -> " + shown(normalized));
    }
    FUZZ_CHECK(heed::normalize_text(normalized, {lowercase}) == normalized,
               shown(text) + " -> " + shown(normalized));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    check_utf8(text);
    check_pytext(text);
    check_normalize(text);
  } catch (const heed::Error&) {
  }
  return 0;
}
