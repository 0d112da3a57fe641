// Portable uniform integer sampling on std::mt19937_64 (the std distributions
// are implementation-defined, so generated data would differ across platforms).
#pragma once

#include <cstdint>
#include <random>
#include <stdexcept>

namespace heed {

// Uniform integer in [0, n) by rejection sampling (unbiased, same on every platform).
inline uint64_t uniform_below(std::mt19937_64& rng, uint64_t n) {
  if (n == 0) throw std::invalid_argument("uniform_below: n must be positive");
  const uint64_t threshold = (0 - n) % n;  // 2^64 mod n: reject the biased low values
  while (true) {
    const uint64_t r = rng();
    if (r >= threshold) return r % n;
  }
}

}  // namespace heed
