// Vocabulary: token <-> id, with the four specials at fixed ids.
//
// Ids 0..3 are <pad> <unk> <s> </s>; the rest are ordered by descending count, ties
// broken by byte order of the token, so building is deterministic.
// File format (vocab.txt): one token per line, line number = id, specials first.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace heed {

struct VocabOptions {
  size_t min_count = 1;   // tokens seen fewer times map to <unk>
  size_t max_size = 0;    // total size including specials; 0 = unlimited
};

class Vocabulary {
 public:
  static constexpr int64_t kPad = 0;
  static constexpr int64_t kUnk = 1;
  static constexpr int64_t kBos = 2;
  static constexpr int64_t kEos = 3;
  static constexpr int64_t kNumSpecials = 4;

  Vocabulary();  // only the specials
  static Vocabulary build(const std::vector<std::vector<std::string>>& sentences,
                          const VocabOptions& options);
  static Vocabulary from_tokens(const std::vector<std::string>& tokens);  // incl. specials

  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t id(const std::string& token) const;  // kUnk when unknown
  const std::string& token(int64_t id) const;
  const std::vector<std::string>& tokens() const { return tokens_; }
  std::vector<int64_t> ids(const std::vector<std::string>& tokens) const;

  void save(const std::string& path) const;        // atomic
  static Vocabulary load(const std::string& path);  // heed::Error when missing/corrupt

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace heed
