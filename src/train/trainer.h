// Training loop: Adam, gradient clipping, token-budget batches over length buckets,
// label smoothing, learning-rate schedules (train/lr_schedule.h), validation every epoch
// (or every N steps) with keep-best and early stopping, averaging of the last K
// checkpoints, atomic checkpoints, resume, and a clean save on SIGINT/SIGTERM.
//
// Determinism: batches are cut once (length-sorted) and their order is shuffled per
// epoch from (seed, epoch); dropout draws from LibTorch's generator seeded with `seed`.
// Same seed and thread count give the same loss curve. An update takes the next
// N x --accumulate batches of that order (N processes, see the second train() below) and
// follows the gradient of their mean loss per target token.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/sentence_pair.h"
#include "model_dir/model_directory.h"
#include "parallel/communicator.h"
#include "train/train_options.h"

namespace heed {

struct TrainResult {
  int64_t steps = 0;
  int64_t epochs_completed = 0;
  double best_score = 0.0;     // of best_metric; higher is better (loss is negated)
  bool interrupted = false;    // SIGINT/SIGTERM: saved and stopped early
  std::string stop_reason;
};

// `model` holds a freshly built model with its vocabularies and tokenizers (its config
// is written to out_dir), or, with `resume`, out_dir loaded with its last weights; then
// training continues from the optimizer, progress and random generator of its last save.
TrainResult train(LoadedModel& model, const std::vector<SentencePair>& train_pairs,
                  const std::vector<SentencePair>& valid_pairs, const TrainOptions& options,
                  bool resume);

// Data-parallel training, one call per process of `communicator`'s group, each with the
// same data and options. Rank 0 alone writes the model directory (and, with `resume`,
// reads it): it holds `model` as above; the others hold the same description (config,
// vocabularies), and every rank starts from rank 0's weights, optimizer and progress.
// Rank r of N takes batches r, r+N, ... of each update's group of N x --accumulate
// batches of the schedule one process follows, and the gradients are summed over the
// ranks: N processes compute what one process with --accumulate N computes. Validation
// is shared among the ranks; stopping (limits, patience, signals) is agreed after each
// update, so no rank waits for another that has left.
TrainResult train(LoadedModel& model, const std::vector<SentencePair>& train_pairs,
                  const std::vector<SentencePair>& valid_pairs, const TrainOptions& options,
                  bool resume, Communicator& communicator);

}  // namespace heed
