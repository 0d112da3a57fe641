// UTF-8 decoding and Python whitespace handling (see pytext.h).
#include "util/pytext.h"

namespace heed::pytext {
namespace {

// Decodes the code point starting at text[pos]; sets `len` to its byte length.
// An invalid sequence yields U+DC80 + first byte with len 1.
char32_t next_code_point(std::string_view text, size_t pos, size_t& len) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char b0 = byte(pos);
  len = 1;
  if (b0 < 0x80) return b0;
  size_t n = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2, cp = b0 & 0x1F, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3, cp = b0 & 0x0F, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    return 0xDC00 + b0;
  }
  if (pos + n > text.size()) return 0xDC00 + b0;
  for (size_t i = 1; i < n; ++i) {
    const unsigned char b = byte(pos + i);
    if ((b & 0xC0) != 0x80) return 0xDC00 + b0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xDC00 + b0;
  len = n;
  return cp;
}

}  // namespace

std::u32string decode(std::string_view text) {
  std::u32string out;
  out.reserve(text.size());
  size_t len = 0;
  for (size_t pos = 0; pos < text.size(); pos += len) out.push_back(next_code_point(text, pos, len));
  return out;
}

std::vector<size_t> code_point_offsets(std::string_view text) {
  std::vector<size_t> offsets;
  offsets.reserve(text.size() + 1);
  size_t len = 0;
  for (size_t pos = 0; pos < text.size(); pos += len) {
    offsets.push_back(pos);
    next_code_point(text, pos, len);
  }
  offsets.push_back(text.size());
  return offsets;
}

std::string encode(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char32_t c : text) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c >= 0xDC80 && c <= 0xDCFF) {  // an escaped invalid byte
      out.push_back(static_cast<char>(c - 0xDC00));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

bool is_space(char32_t c) {
  if (c < 0x80) return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20);
  return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> tokens;
  size_t start = std::string_view::npos;  // start of the current token
  size_t len = 0;
  for (size_t pos = 0; pos < text.size(); pos += len) {
    const bool space = is_space(next_code_point(text, pos, len));
    if (space && start != std::string_view::npos) {
      tokens.emplace_back(text.substr(start, pos - start));
      start = std::string_view::npos;
    } else if (!space && start == std::string_view::npos) {
      start = pos;
    }
  }
  if (start != std::string_view::npos) tokens.emplace_back(text.substr(start));
  return tokens;
}

std::string_view rstrip(std::string_view text) {
  size_t end = 0;  // end of the last non-space code point
  size_t len = 0;
  for (size_t pos = 0; pos < text.size(); pos += len) {
    if (!is_space(next_code_point(text, pos, len))) end = pos + len;
  }
  return text.substr(0, end);
}

}  // namespace heed::pytext
