// One decoded (or force-decoded) target sentence with its scores and attention.
#pragma once

#include <cstdint>
#include <vector>

#include "models/attention_maps.h"

namespace heed {

struct Hypothesis {
  std::vector<int64_t> tokens;        // target ids; ends with </s> unless cut at max length
  std::vector<float> token_log_probs; // log p of each token, same length as tokens
  double score = 0.0;                 // sum of token_log_probs
  double normalized_score = 0.0;      // score / GNMT length penalty: what the search ranks by
                                      // (= score for greedy search and force decoding)
  // Per sentence, trimmed to real tokens: each part (layers, heads, queries, keys);
  // cross: queries = tokens, keys = source tokens incl. </s>.
  AttentionMaps attention;
};

}  // namespace heed
