// The options of a training run, each declared once (util/options.h): the declaration
// drives `heed train`'s flags, the recipes' keys, the "training" object of config.json,
// the registry's per-model defaults and what --resume keeps.
//
// Precedence, lowest first: the declared default, the model's training defaults
// (models/registry.h), the stored options of the model directory (--resume), the
// command line and its --config files.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "train/lr_schedule.h"
#include "train/precision.h"
#include "util/options.h"

namespace heed {

enum class BestMetric { Bleu, ExactMatch, Loss };
extern const EnumNames<BestMetric> kBestMetricNames;  // bleu, exact, loss

struct TrainOptions {
  // Declared options (stored in config.json).
  int64_t epochs = 0;          // 0: no epoch limit
  int64_t max_steps = 0;       // 0: no step limit
  double time_budget_s = 0.0;  // 0: no time limit (wall clock, validation included)
  int64_t batch_tokens = 4096;
  int64_t accumulate = 1;      // batches per update and process (gradient accumulation)
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
  int64_t save_every_steps = 0;     // scheduled saves besides those at validation; 0: none
  double save_every_minutes = 10.0;  // wall-clock bound on the work a crash can lose; 0: none
  BestMetric best_metric = BestMetric::Bleu;
  int64_t log_every = 0;       // a train_log.csv row every N updates; 0: at validations only
  uint64_t seed = 1;

  // Set by the caller, not stored.
  std::string out_dir;
  int64_t valid_batch_size = 64;
  double log_every_s = 30.0;   // plain log line interval when stderr is not a terminal
  torch::Device device = torch::kCPU;

  template <class Visitor>
  void declare(Visitor& v) {
    v(epochs, {"epochs", "epochs (0 = no limit; 10 when no other limit is given)", at_least(0)});
    v(max_steps, {"max_steps", "stop after N updates (0 = no limit)", at_least(0)});
    v(time_budget_s, {"time_budget", "stop after SECONDS of wall-clock time (0 = no limit)", at_least(0)});
    v(batch_tokens, {"batch_tokens", "padded tokens per batch", at_least(1)});
    v(accumulate, {"accumulate", "batches per update in each process: gradients are summed over K batches "
                                 "(and over the processes) and averaged per target token", at_least(1)});
    v(lr, {"lr", "Adam learning rate (the peak, after warm-up)", above(0.0)});
    v(adam_beta1, {"adam_beta1", "Adam: decay of the gradient mean", between(0.0, 0.9999)});
    v(adam_beta2, {"adam_beta2", "Adam: decay of the squared-gradient mean", between(0.0, 0.9999)});
    v(clip_norm, {"clip_norm", "max gradient norm (0 = off)", at_least(0)});
    v(label_smoothing, {"label_smoothing", "label smoothing (0 = off)", between(0.0, 0.999)});
    v(precision, {"precision", "fp32, or bf16: matrix products in bfloat16 with float32 weights, optimizer "
                               "and loss (mixed precision; CPU)"}, kTrainingPrecisionNames);
    v(lr_schedule, {"lr_schedule", "constant, inverse-sqrt (decays as 1/sqrt(step) after warm-up) or "
                                   "plateau (reduce-on-plateau)"}, kLrScheduleNames);
    v(warmup_steps, {"warmup_steps", "linear warm-up to --lr over N updates", at_least(0)});
    v(plateau_factor, {"plateau_factor", "plateau: lr multiplier on a plateau", between(0.01, 0.99)});
    v(plateau_patience, {"plateau_patience", "plateau: validations without improvement before the lr is reduced",
                         at_least(1)});
    v(average_checkpoints, {"average_checkpoints", "keep the last K validated checkpoints and average them at "
                                                   "the end (0 = off)", at_least(0)});
    v(valid_every, {"valid_every", "validate every N steps (0 = every epoch)", at_least(0)});
    v(patience, {"patience", "stop after N validations without improvement (0 = never)", at_least(0)});
    v(save_every_steps, {"save_every_steps", "also save every N updates (0 = only at validations and the end)",
                         at_least(0)});
    v(save_every_minutes, {"save_every_minutes", "also save when the last save is M minutes old, so a crash "
                                                 "loses at most that (0 = off)", at_least(0)});
    v(best_metric, {"best_metric", "keep-best metric: bleu, exact or loss"}, kBestMetricNames);
    v(log_every, {"log_every", "also add a train_log.csv row every N updates (0 = at validations only)",
                  at_least(0)});
    v(seed, {"seed", "random seed (weights, dropout, batch order)"});
  }

  // The declared options as stored in config.json; set_from_json sets those named in
  // `values`, in the same keys, and throws heed::Error for an unknown key or a bad value.
  nlohmann::json to_json() const { return options_to_json(*this); }
  void set_from_json(const nlohmann::json& values);
  LrScheduleOptions schedule() const {
    return {lr_schedule, lr, warmup_steps, plateau_factor, plateau_patience};
  }
};

}  // namespace heed
