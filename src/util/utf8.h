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

// Lowercases ASCII letters and the Latin-1 Supplement / Latin Extended-A / Greek /
// Cyrillic capitals (the common case); other code points are unchanged.
std::string to_lower(std::string_view text);

}  // namespace heed::utf8
