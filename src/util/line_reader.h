// Line reader over a file descriptor that can tell whether the next line is available
// without blocking — what streaming translation needs to batch greedily yet never
// wait for input that has not been sent.
#pragma once

#include <optional>
#include <string>

namespace heed {

// Does `path` stand for standard input ("-" or empty)?
bool is_standard_input(const std::string& path);

// How errors name an input path: "<stdin>" for standard input, else the path.
std::string input_name(const std::string& path);

// What next() does with a line that is not valid UTF-8.
enum class InvalidUtf8 {
  Error,    // throw heed::Error "NAME:LINE: invalid UTF-8" (files that must be right)
  Replace,  // replace each bad byte by U+FFFD and go on (a stream where one bad line
            // must not cost the others); replaced_invalid() tells the caller
};

class LineReader {
 public:
  // Reads `path`, or standard input when path is "-" or empty. heed::Error when missing.
  explicit LineReader(const std::string& path, InvalidUtf8 invalid = InvalidUtf8::Error);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its line end (LF or CRLF) and, on the first line, without a
  // UTF-8 BOM; nullopt at end of input. Invalid UTF-8: see InvalidUtf8.
  std::optional<std::string> next();
  // The line next() returned last had invalid UTF-8, replaced.
  bool replaced_invalid() const { return replaced_invalid_; }

  // True when next() can return without blocking (a whole line is buffered or
  // readable now, or the input has ended).
  bool ready();

  const std::string& name() const { return name_; }
  size_t line_number() const { return line_number_; }

 private:
  bool fill(bool block);  // reads more; returns false at end of input

  int fd_;
  bool owns_fd_;
  std::string name_;
  std::string buffer_;
  size_t start_ = 0;
  bool eof_ = false;
  size_t line_number_ = 0;
  InvalidUtf8 invalid_;
  bool replaced_invalid_ = false;
};

}  // namespace heed
