#include "train/lr_schedule.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace heed {

const EnumNames<LrScheduleKind> kLrScheduleNames = {
    {"constant", LrScheduleKind::Constant}, {"inverse-sqrt", LrScheduleKind::InverseSqrt}, {"plateau", LrScheduleKind::Plateau}};

double learning_rate(const LrScheduleOptions& options, int64_t step, const PlateauState& plateau) {
  const double s = static_cast<double>(std::max<int64_t>(step, 1));
  const double w = static_cast<double>(options.warmup_steps);
  const double warmup = options.warmup_steps > 0 ? std::min(1.0, s / w) : 1.0;
  switch (options.kind) {
    case LrScheduleKind::Constant:
      return options.lr * warmup;
    case LrScheduleKind::InverseSqrt:
      return options.warmup_steps > 0 && s > w ? options.lr * std::sqrt(w / s) : options.lr * warmup;
    case LrScheduleKind::Plateau:
      return options.lr * warmup * plateau.scale;
  }
  return options.lr;
}

bool record_validation(const LrScheduleOptions& options, bool improved, PlateauState& plateau) {
  if (options.kind != LrScheduleKind::Plateau) return false;
  if (improved) {
    plateau.bad_validations = 0;
    return false;
  }
  plateau.bad_validations += 1;
  if (plateau.bad_validations < options.plateau_patience) return false;
  plateau.scale *= options.plateau_factor;
  plateau.bad_validations = 0;
  return true;
}

}  // namespace heed
