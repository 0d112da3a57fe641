// A parallel corpus: source/target sentence pairs read from TSV or aligned files.
#pragma once

#include <string>
#include <vector>

namespace heed {

struct SentencePair {
  std::string source;
  std::string target;
};

struct Corpus {
  std::vector<SentencePair> pairs;
  size_t skipped_lines = 0;  // malformed lines skipped under --skip-bad-lines
};

}  // namespace heed
