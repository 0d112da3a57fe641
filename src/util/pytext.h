// Python str semantics for UTF-8 text: what sacreBLEU relies on, and heed's one lowercaser.
//
// sacreBLEU works on Python str: code points, str.split()/rstrip() over Unicode
// whitespace, str.lower() with full Unicode case mapping. These helpers reproduce
// that on UTF-8 bytes. Invalid UTF-8 bytes are kept as opaque code points
// (U+DC80..U+DCFF, like Python's surrogateescape), so nothing is lost or merged.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace heed::pytext {

// UTF-8 -> code points (invalid bytes -> U+DC80 + byte) and back.
std::u32string decode(std::string_view text);
std::string encode(std::u32string_view text);

// Byte offset of each code point of `text`, plus text.size() at the end.
std::vector<size_t> code_point_offsets(std::string_view text);

// Python str.isspace() for one code point.
bool is_space(char32_t c);

// Python str.split() with no arguments: split on runs of Unicode whitespace.
std::vector<std::string> split(std::string_view text);

// Python str.rstrip() with no arguments.
std::string_view rstrip(std::string_view text);

// Python str.lower() (Unicode 14 mapping, final-sigma rule included).
std::string lower(std::string_view text);

}  // namespace heed::pytext
