// heed::Error — the one exception type for user mistakes.
//
// Anything a user can cause (missing file, malformed line, bad flag value,
// corrupt model directory) throws heed::Error with a message that makes sense
// on its own; `main` prints it once as "heed: error: <message>" and exits 1.
// Bugs are not user errors: they surface as other exception types.
#pragma once

#include <stdexcept>
#include <string>

namespace heed {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// "FILE:LINE: message" — the location prefix used for every bad-input error.
inline std::string at_line(const std::string& file, size_t line, const std::string& message) {
  return file + ":" + std::to_string(line) + ": " + message;
}

}  // namespace heed
