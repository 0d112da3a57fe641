// Training loop: Adam, gradient clipping, token-budget batches over length buckets,
// label smoothing, learning-rate schedules (train/lr_schedule.h), validation every epoch
// (or every N steps) with keep-best and early stopping, averaging of the last K
// checkpoints, atomic checkpoints, resume, and a clean save on SIGINT/SIGTERM.
//
// Determinism: batches are cut once (length-sorted) and their order is shuffled per
// epoch from (seed, epoch); dropout draws from LibTorch's generator seeded with `seed`.
// Same seed and thread count give the same loss curve.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "data/sentence_pair.h"
#include "train/lr_schedule.h"
#include "train/model_directory.h"
#include "train/precision.h"

namespace heed {

enum class BestMetric { Bleu, ExactMatch, Loss };
BestMetric parse_best_metric(const std::string& name);  // "bleu" | "exact" | "loss"
std::string best_metric_name(BestMetric metric);

struct TrainOptions {
  std::string out_dir;
  int64_t epochs = 0;          // 0: no epoch limit
  int64_t max_steps = 0;       // 0: no step limit
  double time_budget_s = 0.0;  // 0: no time limit (wall clock, validation included)
  int64_t batch_tokens = 4096;
  double lr = 1e-3;
  double adam_beta1 = 0.9;
  double adam_beta2 = 0.999;
  double clip_norm = 1.0;      // max global gradient norm; 0 disables clipping
  double label_smoothing = 0.0;  // share of the target probability spread over the vocabulary
  Precision precision = Precision::Float32;  // of the training forward (train/precision.h)
  LrScheduleKind lr_schedule = LrScheduleKind::Constant;  // train/lr_schedule.h
  int64_t warmup_steps = 0;    // linear warm-up to lr over N updates (every schedule)
  double plateau_factor = 0.5;   // plateau: lr multiplier after plateau_patience bad validations
  int64_t plateau_patience = 2;
  int64_t average_checkpoints = 0;  // > 1: keep the last K validated checkpoints and average them
  int64_t valid_every = 0;     // steps between validations; 0: once per epoch
  int64_t patience = 0;        // validations without improvement before stopping; 0: never
  BestMetric best_metric = BestMetric::Bleu;
  int64_t valid_batch_size = 64;
  uint64_t seed = 1;
  double log_every_s = 30.0;   // plain log line interval when stderr is not a terminal
  torch::Device device = torch::kCPU;

  // The training options as stored in config.json (out_dir, log_every_s and device are
  // not stored); set_from_json sets those named in `values`, in the same keys, and
  // throws heed::Error for an unknown key or a bad value.
  nlohmann::json to_json() const;
  void set_from_json(const nlohmann::json& values);
  LrScheduleOptions schedule() const {
    return {lr_schedule, lr, warmup_steps, plateau_factor, plateau_patience};
  }
};

struct TrainResult {
  int64_t steps = 0;
  int64_t epochs_completed = 0;
  double best_score = 0.0;     // of best_metric; higher is better (loss is negated)
  bool interrupted = false;    // SIGINT/SIGTERM: saved and stopped early
  std::string stop_reason;
};

// `model` holds a freshly built model with its vocabularies and tokenizers (its config
// is written to out_dir), or, with `resume`, out_dir loaded with its last weights; then
// training continues from the optimizer.pt / progress.json / rng.pt found there.
TrainResult train(LoadedModel& model, const std::vector<SentencePair>& train_pairs,
                  const std::vector<SentencePair>& valid_pairs, const TrainOptions& options,
                  bool resume);

}  // namespace heed
