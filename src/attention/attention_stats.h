// Attention diagnostics of one matrix (queries x keys, rows summing to 1).
//
//   entropy of each query row      H = -sum_k w log w, in nats (0 = all weight on one key;
//                                  log K = uniform): how focused each step's attention is
//   coverage of each key           sum over queries of its weights: the attention mass a
//                                  key received (for cross-attention, per source token)
//   mass on </s>                   the share of all attention mass on a final "</s>" key
//                                  (0 when the last key is not </s>): attention parked on
//                                  the end marker rather than on words
//   unattended share               the share of keys, </s> excluded, whose largest weight
//                                  over all queries is below `threshold`: source words
//                                  never looked at, a hint of under-translation
#pragma once

#include <vector>

#include "attention/attention_matrix.h"

namespace heed {

struct AttentionStats {
  std::vector<double> row_entropy;  // per query, nats
  std::vector<double> coverage;     // per key
  double eos_mass = 0.0;
  double unattended_share = 0.0;
  double threshold = 0.0;           // the one used for unattended_share
};

AttentionStats attention_stats(const AttentionMatrix& matrix, double threshold);

}  // namespace heed
