// Exact-match rate: share of hypotheses identical to their reference.
#include "metrics/bleu.h"
#include "util/error.h"

namespace heed {

double exact_match(const std::vector<std::string>& hypotheses,
                   const std::vector<std::string>& references) {
  if (hypotheses.size() != references.size()) {
    throw Error("exact match: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                std::to_string(references.size()) + " references");
  }
  if (hypotheses.empty()) return 0.0;
  size_t equal = 0;
  for (size_t i = 0; i < hypotheses.size(); ++i) equal += hypotheses[i] == references[i];
  return static_cast<double>(equal) / static_cast<double>(hypotheses.size());
}

}  // namespace heed
