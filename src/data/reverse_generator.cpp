// The "reverse" task: a sequence of symbols -> the same sequence reversed.
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "data/generators.h"
#include "data/uniform_int.h"
#include "util/error.h"

namespace heed {

std::vector<SentencePair> generate_reverse(size_t count, uint64_t seed,
                                           const ReverseOptions& options) {
  if (options.alphabet_size < 1 || options.alphabet_size > 26) {
    throw Error("reverse task: alphabet size must be in 1..26, got " +
                std::to_string(options.alphabet_size));
  }
  if (options.min_length == 0) throw Error("reverse task: minimum length must be at least 1");
  if (options.min_length > options.max_length) {
    throw Error("reverse task: minimum length " + std::to_string(options.min_length) +
                " exceeds maximum length " + std::to_string(options.max_length));
  }
  std::mt19937_64 rng(seed);
  std::vector<SentencePair> pairs;
  pairs.reserve(count);
  std::vector<char> symbols;
  for (size_t i = 0; i < count; ++i) {
    const size_t length =
        options.min_length + uniform_below(rng, options.max_length - options.min_length + 1);
    symbols.clear();
    for (size_t j = 0; j < length; ++j) {
      symbols.push_back(static_cast<char>('a' + uniform_below(rng, options.alphabet_size)));
    }
    SentencePair pair;
    for (size_t j = 0; j < length; ++j) {
      if (j > 0) {
        pair.source += ' ';
        pair.target += ' ';
      }
      pair.source += symbols[j];
      pair.target += symbols[length - 1 - j];
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

}  // namespace heed
