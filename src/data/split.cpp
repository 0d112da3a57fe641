#include "data/split.h"

#include <random>
#include <string>
#include <unordered_map>

#include "data/uniform_int.h"
#include "text/normalize.h"
#include "util/error.h"

namespace heed {

CorpusSplit split_by_source(const std::vector<SentencePair>& pairs, size_t valid_pairs, size_t test_pairs,
                            uint64_t seed) {
  // Groups in order of first appearance.
  std::unordered_map<std::string, size_t> group_of_source;
  std::vector<size_t> group_sizes;
  std::vector<size_t> group(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    // Grouped as the tokenizers will see them: case and space variants are one sentence.
    const auto [it, added] = group_of_source.emplace(normalize_text(pairs[i].source, {true}), group_sizes.size());
    if (added) group_sizes.push_back(0);
    group[i] = it->second;
    group_sizes[it->second] += 1;
  }
  std::vector<size_t> order(group_sizes.size());
  for (size_t g = 0; g < order.size(); ++g) order[g] = g;
  std::mt19937_64 rng(seed);
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[uniform_below(rng, i)]);

  enum Split : unsigned char { Train, Valid, Test };
  std::vector<Split> split_of_group(group_sizes.size(), Train);
  size_t next = 0, taken = 0;
  for (const auto& [split, wanted] : {std::pair{Test, test_pairs}, std::pair{Valid, valid_pairs}}) {
    size_t count = 0;
    while (count < wanted && next < order.size()) {
      split_of_group[order[next]] = split;
      count += group_sizes[order[next]];
      ++next;
    }
    taken += count;
  }
  if (taken >= pairs.size()) {
    throw Error("--valid and --test take all " + std::to_string(pairs.size()) + " pairs; nothing is left to train on");
  }
  CorpusSplit result;
  for (size_t i = 0; i < pairs.size(); ++i) {
    switch (split_of_group[group[i]]) {
      case Train: result.train.push_back(pairs[i]); break;
      case Valid: result.valid.push_back(pairs[i]); break;
      case Test: result.test.push_back(pairs[i]); break;
    }
  }
  return result;
}

}  // namespace heed
