// Seeded uniform random floats, for the kernel tests.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace heed::testing {

// `count` values uniform in [-range, range), the same for the same seed.
inline std::vector<float> uniform_floats(int64_t count, uint32_t seed, float range = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-range, range);
  std::vector<float> values(static_cast<size_t>(count));
  for (auto& v : values) v = uniform(rng);
  return values;
}

}  // namespace heed::testing
