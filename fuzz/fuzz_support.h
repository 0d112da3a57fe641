// Shared helpers of the libFuzzer targets in fuzz/ (built by fuzz/CMakeLists.txt, run by
// scripts/fuzz.sh).
//
// The rule every target follows: heed::Error is the one exception a user's input may
// cause, so each target catches it and nothing else. Any other exception, a crash, a
// sanitizer report, a leak, a hang or a broken invariant (FUZZ_CHECK) is a finding.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace heed::fuzz {

// A directory of this process's own under $TMPDIR (or /tmp), removed at exit. Each
// input is written to a fixed name in it: files are rewritten, never piled up.
class Scratch {
 public:
  static Scratch& get() {
    static Scratch scratch;
    return scratch;
  }
  const std::string& dir() const { return dir_; }
  // `name` in the scratch directory.
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  // Writes `bytes` to `name` (truncating) and returns its path.
  std::string write(const std::string& name, std::string_view bytes) const {
    const std::string file = path(name);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) {
      std::fprintf(stderr, "fuzz: cannot write %s\n", file.c_str());
      std::abort();
    }
    return file;
  }
  // Removes `name` (file or directory) if present.
  void remove(const std::string& name) const {
    std::error_code ec;
    std::filesystem::remove_all(path(name), ec);
  }
  ~Scratch() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

 private:
  Scratch() {
    const char* base = std::getenv("TMPDIR");
    dir_ = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/heed-fuzz-" + std::to_string(::getpid());
    std::filesystem::create_directories(dir_);
  }
  std::string dir_;
};

// A broken invariant: print what and where, then abort so libFuzzer saves the input.
[[noreturn]] inline void invariant_failed(const char* what, const char* file, int line, const std::string& detail) {
  std::fprintf(stderr, "\n==fuzz== invariant broken at %s:%d: %s\n", file, line, what);
  if (!detail.empty()) std::fprintf(stderr, "==fuzz== %s\n", detail.c_str());
  std::abort();
}

// Printable form of bytes for invariant messages: non-printable bytes as \xNN.
// `bytes` cut at every `separator`, empty parts kept (n separators give n + 1 parts).
inline std::vector<std::string> split_at(std::string_view bytes, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= bytes.size()) {
    const size_t end = std::min(bytes.find(separator, start), bytes.size());
    parts.emplace_back(bytes.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

inline std::string shown(std::string_view bytes, size_t max = 200) {
  std::string out = "\"";
  for (size_t i = 0; i < bytes.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char buffer[8];
      std::snprintf(buffer, sizeof(buffer), "\\x%02X", c);
      out += buffer;
    }
  }
  if (bytes.size() > max) out += "...";
  return out + "\"";
}

}  // namespace heed::fuzz

#define FUZZ_CHECK(condition, detail)                                                          \
  do {                                                                                         \
    if (!(condition)) ::heed::fuzz::invariant_failed(#condition, __FILE__, __LINE__, (detail)); \
  } while (false)
