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

LineReader::LineReader(const std::string& path, InvalidUtf8 invalid) : name_(input_name(path)), invalid_(invalid) {
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
  // Reads on while input is readable now: one read may end inside a line (a line longer
  // than a read, or a last line without a line end whose end of input is the next read).
  size_t scanned = 0;  // bytes after start_ known to hold no line end
  while (buffer_.find('\n', start_ + scanned) == std::string::npos) {
    if (eof_) return true;
    scanned = buffer_.size() - start_;
    fill(/*block=*/false);
    if (!eof_ && buffer_.size() - start_ == scanned) return false;  // nothing more readable now
  }
  return true;
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
  replaced_invalid_ = false;
  if (!utf8::is_valid(line)) {
    if (invalid_ == InvalidUtf8::Error) throw Error(at_line(name_, line_number_, "invalid UTF-8"));
    line = utf8::replace_invalid(line);
    replaced_invalid_ = true;
  }
  return line;
}

}  // namespace heed
