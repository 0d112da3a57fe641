#include "attention/attention_stats.h"

#include <algorithm>
#include <cmath>

namespace heed {

AttentionStats attention_stats(const AttentionMatrix& matrix, double threshold) {
  AttentionStats stats;
  stats.threshold = threshold;
  const auto weights = matrix.weights.to(torch::kFloat64).contiguous();
  const auto w = weights.accessor<double, 2>();
  const int64_t queries = weights.size(0), keys = weights.size(1);
  stats.coverage.assign(static_cast<size_t>(keys), 0.0);
  std::vector<double> largest(static_cast<size_t>(keys), 0.0);
  double total = 0.0;
  for (int64_t q = 0; q < queries; ++q) {
    double entropy = 0.0;
    for (int64_t k = 0; k < keys; ++k) {
      const double value = w[q][k];
      if (value > 0.0) entropy -= value * std::log(value);
      stats.coverage[k] += value;
      largest[k] = std::max(largest[k], value);
      total += value;
    }
    stats.row_entropy.push_back(entropy);
  }
  const bool ends_with_eos = !matrix.key_tokens.empty() && matrix.key_tokens.back() == "</s>";
  if (ends_with_eos && total > 0.0) stats.eos_mass = stats.coverage.back() / total;
  const int64_t words = keys - (ends_with_eos ? 1 : 0);
  if (words > 0 && queries > 0) {
    int64_t unattended = 0;
    for (int64_t k = 0; k < words; ++k) unattended += largest[k] < threshold;
    stats.unattended_share = static_cast<double>(unattended) / static_cast<double>(words);
  }
  return stats;
}

}  // namespace heed
