#include "decode/search_options.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "util/error.h"

namespace heed {

void SearchOptions::validate() const {
  if (beam_size < 1) throw Error("--beam must be at least 1 (got " + std::to_string(beam_size) + ")");
  if (nbest < 1 || nbest > beam_size) {
    throw Error("--nbest must be between 1 and the beam size " + std::to_string(beam_size) + " (got " +
                std::to_string(nbest) + ")");
  }
  if (!(length_penalty >= 0.0) || !std::isfinite(length_penalty)) {
    throw Error("--length-penalty must be a finite number >= 0 (got " + std::to_string(length_penalty) + ")");
  }
  if (!(max_length_ratio > 0.0) || !std::isfinite(max_length_ratio)) {
    throw Error("--max-length-ratio must be a positive number (got " + std::to_string(max_length_ratio) + ")");
  }
}

double length_penalty(int64_t length, double alpha) {
  if (alpha == 0.0) return 1.0;
  return std::pow((5.0 + static_cast<double>(length)) / 6.0, alpha);
}

int64_t max_target_length(int64_t source_length, const SearchOptions& options) {
  const double limit = std::ceil(options.max_length_ratio * static_cast<double>(source_length)) +
                       static_cast<double>(options.max_length_offset);
  return static_cast<int64_t>(std::clamp(limit, 1.0, static_cast<double>(kMaxSentenceTokens)));
}

}  // namespace heed
