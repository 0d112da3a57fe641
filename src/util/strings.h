// Small string helpers shared by the readers.
#pragma once

#include <string_view>

namespace heed {

// Space, tab, vertical tab and form feed: the blanks heed strips around fields. Line
// ends are the line reader's business, and Unicode spaces are text.
inline bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

// `text` without leading and trailing blanks.
inline std::string_view trim(std::string_view text) {
  size_t begin = 0, end = text.size();
  while (begin < end && is_blank(text[begin])) ++begin;
  while (end > begin && is_blank(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

}  // namespace heed
