// UTF-8 validation, code point splitting and simple lowercasing.
#include "util/utf8.h"

#include <cstdint>

namespace heed::utf8 {
namespace {

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

// Decodes the well-formed sequence starting at `pos`; returns its length, or 0 when
// the bytes there are not well-formed UTF-8.
size_t decode_one(std::string_view text, size_t pos, uint32_t& code_point) {
  const size_t left = text.size() - pos;
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) {
    code_point = b0;
    return 1;
  }
  size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2;
    code_point = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3;
    code_point = b0 & 0x0F;
    if (b0 == 0xE0) low = 0xA0;   // no overlongs
    if (b0 == 0xED) high = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4;
    code_point = b0 & 0x07;
    if (b0 == 0xF0) low = 0x90;   // no overlongs
    if (b0 == 0xF4) high = 0x8F;  // <= U+10FFFF
  } else {
    return 0;
  }
  if (left < length) return 0;
  const auto b1 = static_cast<unsigned char>(text[pos + 1]);
  if (b1 < low || b1 > high) return 0;
  code_point = (code_point << 6) | (b1 & 0x3F);
  for (size_t k = 2; k < length; ++k) {
    const auto b = static_cast<unsigned char>(text[pos + k]);
    if (!is_continuation(b)) return 0;
    code_point = (code_point << 6) | (b & 0x3F);
  }
  return length;
}

}  // namespace

bool is_valid(std::string_view text) {
  size_t pos = 0;
  uint32_t cp = 0;
  while (pos < text.size()) {
    // Fast path for ASCII.
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const size_t length = decode_one(text, pos, cp);
    if (length == 0) return false;
    pos += length;
  }
  return true;
}

// Invalid bytes (precondition violated) come out one byte per element rather than crash.
std::vector<std::string> code_points(std::string_view text) {
  std::vector<std::string> out;
  out.reserve(text.size());
  size_t pos = 0;
  uint32_t cp = 0;
  while (pos < text.size()) {
    size_t length = decode_one(text, pos, cp);
    if (length == 0) length = 1;
    out.emplace_back(text.substr(pos, length));
    pos += length;
  }
  return out;
}

CodePoint next_code_point(std::string_view text, size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) return {1, lead, true};
  size_t length = 0;
  if ((lead >> 5) == 0x6) length = 2;
  else if ((lead >> 4) == 0xE) length = 3;
  else if ((lead >> 3) == 0x1E) length = 4;
  if (length == 0 || at + length > text.size()) return {1, 0xFFFD, false};
  char32_t value = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    const auto byte = static_cast<unsigned char>(text[at + i]);
    if ((byte & 0xC0) != 0x80) return {1, 0xFFFD, false};
    value = (value << 6) | (byte & 0x3F);
  }
  const char32_t smallest = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
  const bool valid = value >= smallest && value <= 0x10FFFF && !(value >= 0xD800 && value <= 0xDFFF);
  // An overlong form, a surrogate or a value above U+10FFFF is invalid like any other
  // malformed sequence: one byte consumed, as the header promises.
  if (!valid) return {1, 0xFFFD, false};
  return {length, value, true};
}

std::string replace_invalid(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const CodePoint c = next_code_point(text, at);
    if (c.valid) {
      out.append(text.substr(at, c.bytes));
    } else {
      out.append("\xEF\xBF\xBD");  // U+FFFD
    }
    at += c.bytes;
  }
  return out;
}

}  // namespace heed::utf8
