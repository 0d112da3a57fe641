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

void append_code_point(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool is_even(uint32_t cp) { return cp % 2 == 0; }

// Simple (one-to-one) lowercase mapping for the scripts named in the header.
uint32_t lower_code_point(uint32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 0x20;
  if (cp < 0xC0) return cp;
  // Latin-1 Supplement: À..Þ except ×.
  if (cp <= 0xDE) return cp == 0xD7 ? cp : cp + 0x20;
  // Latin Extended-A.
  if (cp == 0x130) return 'i';  // İ
  if (cp >= 0x100 && cp <= 0x137) return is_even(cp) ? cp + 1 : cp;
  if (cp >= 0x139 && cp <= 0x148) return is_even(cp) ? cp : cp + 1;
  if (cp >= 0x14A && cp <= 0x177) return is_even(cp) ? cp + 1 : cp;
  if (cp == 0x178) return 0xFF;  // Ÿ
  if (cp >= 0x179 && cp <= 0x17E) return is_even(cp) ? cp : cp + 1;
  // Greek.
  if (cp == 0x386) return 0x3AC;
  if (cp >= 0x388 && cp <= 0x38A) return cp + 0x25;
  if (cp == 0x38C) return 0x3CC;
  if (cp == 0x38E || cp == 0x38F) return cp + 0x3F;
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 0x20;
  // Cyrillic.
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  if (cp >= 0x460 && cp <= 0x481) return is_even(cp) ? cp + 1 : cp;
  if (cp >= 0x48A && cp <= 0x4BF) return is_even(cp) ? cp + 1 : cp;
  return cp;
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

// Invalid bytes are copied through unchanged.
std::string to_lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  uint32_t cp = 0;
  while (pos < text.size()) {
    const auto byte = static_cast<unsigned char>(text[pos]);
    if (byte < 0x80) {
      out += (byte >= 'A' && byte <= 'Z') ? static_cast<char>(byte + 0x20) : static_cast<char>(byte);
      ++pos;
      continue;
    }
    const size_t length = decode_one(text, pos, cp);
    if (length == 0) {
      out += text[pos];
      ++pos;
      continue;
    }
    append_code_point(out, lower_code_point(cp));
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
  return {length, valid ? value : char32_t{0xFFFD}, valid};
}

}  // namespace heed::utf8
