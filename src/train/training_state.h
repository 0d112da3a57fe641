// What --resume needs besides the weights and the optimizer state: the position in the
// data, the keep-best and early-stopping record, the plateau schedule, the kept
// checkpoints and the log. Each save stores it as progress.G.json (this struct),
// train_log.G.csv (its log rows) and rng.G.pt (LibTorch's CPU generator: dropout).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model_dir/train_log.h"
#include "train/lr_schedule.h"

namespace heed {

struct TrainingState {
  int64_t step = 0;
  int64_t epoch = 0;            // 0-based epoch in progress
  int64_t next_batch = 0;       // position in that epoch's batch order
  int64_t validated_step = -1;  // the step of the last validation (or validation-less log of one)
  bool has_best = false;
  double best_score = 0.0;      // of the best metric; higher is better (loss is negated)
  double best_loss = INFINITY;  // validation loss of the best checkpoint
  int64_t bad_validations = 0;  // in a row, since the last best
  double elapsed_s = 0.0;       // wall-clock time of all runs before this one
  PlateauState plateau;
  std::vector<int64_t> checkpoints;  // steps of the kept checkpoints, oldest first
  nlohmann::json averaged;           // the result of averaging, once done
  std::vector<TrainingLogRow> log;   // train_log.G.csv, not in progress.G.json

  // Records a validation's score (higher is better) and loss; returns whether it is a
  // new best (the first validation always is).
  bool record_validation(double score, double loss);

  // progress.G.json; from_json throws heed::Error naming `origin` for a missing or bad field.
  nlohmann::json to_json() const;
  static TrainingState from_json(const nlohmann::json& json, const std::string& origin);
};

// LibTorch's default CPU generator (dropout masks) to and from a file; save is atomic.
// Loading a missing file leaves the generator as it is (directories before rng.pt).
void save_rng_state(const std::string& path);
void load_rng_state(const std::string& path);

}  // namespace heed
