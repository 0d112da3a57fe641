// Vocabulary building, lookup and the vocab.txt file format.
#include "text/vocabulary.h"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "util/atomic_file.h"
#include "util/error.h"

namespace heed {
namespace {

const std::vector<std::string>& specials() {
  static const std::vector<std::string> kSpecials = {"<pad>", "<unk>", "<s>", "</s>"};
  return kSpecials;
}

// Throws heed::Error unless `tokens` starts with the specials and has no empty or
// multi-line tokens (duplicates are caught while indexing).
void check_tokens(const std::vector<std::string>& tokens) {
  const std::string where = "invalid vocabulary: ";
  const auto& expected = specials();
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i >= tokens.size() || tokens[i] != expected[i]) {
      const std::string found = i < tokens.size() ? "\"" + tokens[i] + "\"" : "end of list";
      throw Error(where + "token " + std::to_string(i) + " must be " + expected[i] +
                  " (ids 0-3 are <pad> <unk> <s> </s>), found " + found);
    }
  }
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].empty()) throw Error(where + "token " + std::to_string(i) + " is empty");
    if (tokens[i].find_first_of("\r\n") != std::string::npos) {
      throw Error(where + "token " + std::to_string(i) + " contains a line break");
    }
  }
}

}  // namespace

Vocabulary::Vocabulary() : tokens_(specials()) {
  for (size_t i = 0; i < tokens_.size(); ++i) index_.emplace(tokens_[i], static_cast<int64_t>(i));
}

Vocabulary Vocabulary::build(const std::vector<std::vector<std::string>>& sentences,
                             const VocabOptions& options) {
  if (options.max_size != 0 && options.max_size < static_cast<size_t>(kNumSpecials)) {
    throw Error("vocabulary size " + std::to_string(options.max_size) +
                " is too small: it must be at least 4 (the special tokens) or 0 for unlimited");
  }
  std::unordered_map<std::string, size_t> counts;
  for (const auto& sentence : sentences) {
    for (const std::string& token : sentence) ++counts[token];
  }
  for (const std::string& special : specials()) counts.erase(special);

  std::vector<std::pair<std::string, size_t>> entries;
  entries.reserve(counts.size());
  const size_t min_count = std::max<size_t>(options.min_count, 1);
  for (auto& [token, count] : counts) {
    if (count >= min_count && !token.empty()) entries.emplace_back(token, count);
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second > b.second;
    return a.first < b.first;  // char_traits<char> compares as unsigned bytes
  });
  if (options.max_size != 0) {
    entries.resize(std::min(entries.size(), options.max_size - kNumSpecials));
  }

  std::vector<std::string> tokens = specials();
  tokens.reserve(tokens.size() + entries.size());
  for (auto& entry : entries) tokens.push_back(std::move(entry.first));
  return from_tokens(tokens);
}

Vocabulary Vocabulary::from_tokens(const std::vector<std::string>& tokens) {
  check_tokens(tokens);
  Vocabulary vocab;
  vocab.tokens_ = tokens;
  vocab.index_.clear();
  vocab.index_.reserve(tokens.size());
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (!vocab.index_.emplace(tokens[i], static_cast<int64_t>(i)).second) {
      throw Error("invalid vocabulary: duplicate token \"" + tokens[i] + "\" at id " + std::to_string(i));
    }
  }
  return vocab;
}

int64_t Vocabulary::id(const std::string& token) const {
  const auto it = index_.find(token);
  return it == index_.end() ? kUnk : it->second;
}

const std::string& Vocabulary::token(int64_t id) const {
  if (id < 0 || id >= size()) {
    throw std::out_of_range("token id " + std::to_string(id) + " outside vocabulary of size " +
                            std::to_string(size()));
  }
  return tokens_[static_cast<size_t>(id)];
}

std::vector<int64_t> Vocabulary::ids(const std::vector<std::string>& tokens) const {
  std::vector<int64_t> out;
  out.reserve(tokens.size());
  for (const std::string& token : tokens) out.push_back(id(token));
  return out;
}

void Vocabulary::save(const std::string& path) const {
  std::string contents;
  for (const std::string& token : tokens_) {
    contents += token;
    contents += '\n';
  }
  write_file_atomically(path, contents);
}

// Accepts LF or CRLF line ends and a leading BOM; every line is one token.
Vocabulary Vocabulary::load(const std::string& path) {
  const std::string data = read_file(path);
  std::string_view content = data;
  if (content.substr(0, 3) == "\xEF\xBB\xBF") content.remove_prefix(3);
  if (content.empty()) throw Error(path + ": empty vocabulary file");

  std::vector<std::string> tokens;
  std::unordered_map<std::string_view, size_t> seen;  // token -> line number
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const size_t line_number = tokens.size() + 1;
    if (line.empty()) throw Error(at_line(path, line_number, "empty token"));
    const auto [it, inserted] = seen.emplace(line, line_number);
    if (!inserted) {
      throw Error(at_line(path, line_number, "duplicate token \"" + std::string(line) +
                                                 "\" (first on line " + std::to_string(it->second) + ")"));
    }
    tokens.emplace_back(line);
    start = end + 1;
  }
  const auto& expected = specials();
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i >= tokens.size() || tokens[i] != expected[i]) {
      const std::string found = i < tokens.size() ? "\"" + tokens[i] + "\"" : "end of file";
      throw Error(at_line(path, i + 1, "expected " + expected[i] +
                                            " (a vocabulary starts with <pad> <unk> <s> </s>), found " + found));
    }
  }
  return from_tokens(tokens);
}

}  // namespace heed
