#include "util/line_reader.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/error.h"
#include "util/utf8.h"

namespace heed {

bool is_standard_input(const std::string& path) { return path.empty() || path == "-"; }

std::string input_name(const std::string& path) { return is_standard_input(path) ? "<stdin>" : path; }

LineReader::LineReader(const std::string& path) : name_(input_name(path)) {
  if (is_standard_input(path)) {
    fd_ = STDIN_FILENO;
    owns_fd_ = false;
  } else {
    fd_ = ::open(path.c_str(), O_RDONLY);
    if (fd_ < 0) throw Error("cannot open " + path + ": " + std::strerror(errno));
    owns_fd_ = true;
  }
}

LineReader::~LineReader() {
  if (owns_fd_) ::close(fd_);
}

bool LineReader::fill(bool block) {
  if (eof_) return false;
  if (!block) {
    pollfd descriptor{fd_, POLLIN, 0};
    if (::poll(&descriptor, 1, 0) <= 0) return true;  // nothing now, not the end
  }
  char chunk[65536];
  ssize_t got;
  do {
    got = ::read(fd_, chunk, sizeof(chunk));
  } while (got < 0 && errno == EINTR);
  if (got < 0) throw Error("cannot read " + name_ + ": " + std::strerror(errno));
  if (got == 0) {
    eof_ = true;
    return false;
  }
  if (start_ > 0 && start_ * 2 > buffer_.size()) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(chunk, static_cast<size_t>(got));
  return true;
}

bool LineReader::ready() {
  if (buffer_.find('\n', start_) != std::string::npos || eof_) return true;
  fill(/*block=*/false);
  return buffer_.find('\n', start_) != std::string::npos || eof_;
}

std::optional<std::string> LineReader::next() {
  size_t end;
  while ((end = buffer_.find('\n', start_)) == std::string::npos) {
    if (!fill(/*block=*/true)) break;
  }
  if (end == std::string::npos) {
    if (start_ >= buffer_.size()) return std::nullopt;  // end of input
    end = buffer_.size();                              // last line without a newline
  }
  std::string line = buffer_.substr(start_, end - start_);
  start_ = std::min(buffer_.size(), end + 1);
  ++line_number_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line_number_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  if (!utf8::is_valid(line)) throw Error(at_line(name_, line_number_, "invalid UTF-8"));
  return line;
}

}  // namespace heed
