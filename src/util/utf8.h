// UTF-8 helpers: validation and splitting into code points.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace heed::utf8 {

// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool is_valid(std::string_view text);

// Splits valid UTF-8 into one string per code point. Precondition: is_valid(text).
std::vector<std::string> code_points(std::string_view text);

// One decoded code point (next_code_point).
struct CodePoint {
  size_t bytes = 1;     // bytes consumed
  char32_t value = 0;   // U+FFFD when invalid
  bool valid = true;    // well-formed UTF-8 (not overlong, no surrogate, <= U+10FFFF)
};

// Decodes the code point at byte `at` (< text.size()), tolerating malformed input: an
// invalid sequence consumes one byte and decodes as U+FFFD, valid = false.
CodePoint next_code_point(std::string_view text, size_t at);

// `text` with each byte of an invalid sequence replaced by U+FFFD.
std::string replace_invalid(std::string_view text);

}  // namespace heed::utf8
