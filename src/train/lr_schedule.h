// Learning-rate schedules. Every schedule starts with a linear warm-up over
// `warmup_steps` updates (none when 0), then:
//   constant      lr
//   inverse-sqrt  lr * sqrt(warmup / step)   (the Transformer's "Noam" decay; peak lr at
//                 the end of warm-up; with no warm-up it is constant)
//   plateau       lr * scale, where scale starts at 1 and is multiplied by
//                 `plateau_factor` after every `plateau_patience` validations in a row
//                 without a new best score (reduce-on-plateau); needs validation data
// The plateau scale is training state: it is saved with the checkpoint and resumed.
#pragma once

#include <cstdint>
#include <string>

#include "util/options.h"

namespace heed {

enum class LrScheduleKind { Constant, InverseSqrt, Plateau };

// "constant" | "inverse-sqrt" | "plateau"; heed::Error listing them otherwise.
extern const EnumNames<LrScheduleKind> kLrScheduleNames;  // constant, inverse-sqrt, plateau
inline LrScheduleKind parse_lr_schedule(const std::string& name) {
  return parse_enum(kLrScheduleNames, name, "learning-rate schedule");
}
inline std::string lr_schedule_name(LrScheduleKind kind) { return enum_name(kLrScheduleNames, kind); }

struct LrScheduleOptions {
  LrScheduleKind kind = LrScheduleKind::Constant;
  double lr = 1e-3;            // peak learning rate
  int64_t warmup_steps = 0;
  double plateau_factor = 0.5;
  int64_t plateau_patience = 2;
};

// The plateau schedule's state (constant for the other schedules).
struct PlateauState {
  double scale = 1.0;
  int64_t bad_validations = 0;  // in a row, since the last best or the last reduction
};

// Learning rate of update number `step` (1-based).
double learning_rate(const LrScheduleOptions& options, int64_t step, const PlateauState& plateau);

// Records one validation; returns true when it reduced the scale.
bool record_validation(const LrScheduleOptions& options, bool improved, PlateauState& plateau);

}  // namespace heed
