// Built-in generated tasks, seeded and deterministic on every platform
// (own integer sampling on std::mt19937_64; no std::*_distribution).
//
// dates:   human-readable dates in many surface formats -> ISO "YYYY-MM-DD",
//          e.g. "3 may 1979" -> "1979-05-03", "tuesday, march 3, 1970" -> "1970-03-03".
// reverse: a sequence of symbols -> the same sequence reversed,
//          e.g. "c a f b" -> "b f a c".
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/sentence_pair.h"

namespace heed {

std::vector<SentencePair> generate_dates(size_t count, uint64_t seed);

struct ReverseOptions {
  size_t min_length = 3;
  size_t max_length = 12;
  size_t alphabet_size = 20;  // symbols are lowercase letters a, b, c, ...
};
std::vector<SentencePair> generate_reverse(size_t count, uint64_t seed,
                                           const ReverseOptions& options = {});

// The names of the date surface formats, in generation order (for docs and tests).
std::vector<std::string> date_format_names();

// Renders one date in format `format_index` (0 <= index < date_format_names().size()).
// year in [1950, 2049]; two-digit years in formats map back to that range.
std::string format_date(int year, int month, int day, size_t format_index);

}  // namespace heed
