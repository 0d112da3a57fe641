// Small string helpers shared by the readers.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <vector>

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

// The words of `text` separated by blanks or line ends; none for "".
inline std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream stream(text);
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

// The first line of a message: library exceptions (LibTorch's, Gloo's) add backtraces
// or quoted code on further lines, and a heed error is one line.
inline std::string_view first_line(std::string_view text) { return text.substr(0, text.find('\n')); }

}  // namespace heed
