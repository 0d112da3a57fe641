// Seeded train / valid / test split of a corpus that has no official one (Tatoeba).
//
// Pairs are grouped by their source sentence, normalised and lowercased (Tatoeba has
// several translations of many English sentences), the groups are shuffled with the seed, and whole groups go to
// test, then valid, until each holds at least the asked number of pairs; the rest is
// train. No source sentence of valid or test is in train. Within each split, pairs keep
// their order in the input.
#pragma once

#include <cstdint>
#include <vector>

#include "core/sentence_pair.h"

namespace heed {

struct CorpusSplit {
  std::vector<SentencePair> train, valid, test;
};

// heed::Error when valid + test would leave no training pair.
CorpusSplit split_by_source(const std::vector<SentencePair>& pairs, size_t valid_pairs, size_t test_pairs,
                            uint64_t seed);

}  // namespace heed
