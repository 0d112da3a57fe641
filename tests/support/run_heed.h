// Runs the heed binary for end-to-end tests and captures exit code, stdout and stderr.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"
#include "util/strings.h"

namespace heed::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `HEED_BINARY args` through the shell with optional stdin text.
inline CommandResult run_heed(const std::string& args, const std::string& input = "") {
  static int calls = 0;
  const auto base = std::filesystem::temp_directory_path() /
                    ("heed_run_" + std::to_string(::getpid()) + "_" + std::to_string(calls++));
  const std::string in = base.string() + ".in", out = base.string() + ".out", err = base.string() + ".err";
  write_text(in, input);
  const std::string command = std::string(HEED_BINARY) + " " + args + " < " + in + " > " + out + " 2> " + err;
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = read_text(out);
  result.err = read_text(err);
  for (const auto& path : {in, out, err}) std::filesystem::remove(path);
  return result;
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::stringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) lines.push_back(line);
  return lines;
}

// The fields of `text` between the separators, empty ones included ("a,,b" -> a, "", b).
inline std::vector<std::string> fields_of(const std::string& text, const std::string& separator) {
  std::vector<std::string> fields;
  size_t begin = 0;
  for (size_t end; (end = text.find(separator, begin)) != std::string::npos; begin = end + separator.size()) {
    fields.push_back(text.substr(begin, end - begin));
  }
  fields.push_back(text.substr(begin));
  return fields;
}

// The whitespace-separated words of a line.
inline std::vector<std::string> words_of(const std::string& text) { return split_words(text); }

}  // namespace heed::testing
