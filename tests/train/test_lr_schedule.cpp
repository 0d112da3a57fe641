// Learning-rate schedules: exact values of each, and the plateau bookkeeping.
#include <gtest/gtest.h>

#include "train/lr_schedule.h"
#include "util/error.h"

namespace heed {
namespace {

LrScheduleOptions schedule(LrScheduleKind kind, int64_t warmup) {
  LrScheduleOptions options;
  options.kind = kind;
  options.lr = 0.004;
  options.warmup_steps = warmup;
  return options;
}

TEST(LrSchedule, ConstantWarmsUpLinearlyThenHolds) {
  const auto options = schedule(LrScheduleKind::Constant, 4);
  const PlateauState plateau;
  EXPECT_DOUBLE_EQ(learning_rate(options, 1, plateau), 0.001);
  EXPECT_DOUBLE_EQ(learning_rate(options, 2, plateau), 0.002);
  EXPECT_DOUBLE_EQ(learning_rate(options, 4, plateau), 0.004);
  EXPECT_DOUBLE_EQ(learning_rate(options, 400, plateau), 0.004);
  EXPECT_DOUBLE_EQ(learning_rate(schedule(LrScheduleKind::Constant, 0), 1, plateau), 0.004);
}

TEST(LrSchedule, InverseSqrtPeaksAtTheEndOfWarmUpThenDecays) {
  const auto options = schedule(LrScheduleKind::InverseSqrt, 100);
  const PlateauState plateau;
  EXPECT_DOUBLE_EQ(learning_rate(options, 50, plateau), 0.002);
  EXPECT_DOUBLE_EQ(learning_rate(options, 100, plateau), 0.004);
  EXPECT_DOUBLE_EQ(learning_rate(options, 400, plateau), 0.002);
  EXPECT_DOUBLE_EQ(learning_rate(options, 10000, plateau), 0.0004);
  EXPECT_DOUBLE_EQ(learning_rate(schedule(LrScheduleKind::InverseSqrt, 0), 9, plateau), 0.004);
}

TEST(LrSchedule, PlateauHalvesAfterPatienceValidationsWithoutImprovement) {
  auto options = schedule(LrScheduleKind::Plateau, 0);
  options.plateau_patience = 2;
  options.plateau_factor = 0.5;
  PlateauState plateau;
  EXPECT_FALSE(record_validation(options, true, plateau));
  EXPECT_FALSE(record_validation(options, false, plateau));
  EXPECT_FALSE(record_validation(options, true, plateau));   // a best resets the count
  EXPECT_FALSE(record_validation(options, false, plateau));
  EXPECT_TRUE(record_validation(options, false, plateau));   // 2 in a row: reduce
  EXPECT_DOUBLE_EQ(learning_rate(options, 10, plateau), 0.002);
  EXPECT_FALSE(record_validation(options, false, plateau));  // the count restarts
  EXPECT_TRUE(record_validation(options, false, plateau));
  EXPECT_DOUBLE_EQ(plateau.scale, 0.25);
  EXPECT_DOUBLE_EQ(learning_rate(options, 10, plateau), 0.001);
}

TEST(LrSchedule, OtherSchedulesIgnoreValidations) {
  const auto options = schedule(LrScheduleKind::InverseSqrt, 10);
  PlateauState plateau;
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(record_validation(options, false, plateau));
  EXPECT_DOUBLE_EQ(plateau.scale, 1.0);
}

TEST(LrSchedule, NamesRoundTripAndUnknownNamesAreErrors) {
  for (auto kind : {LrScheduleKind::Constant, LrScheduleKind::InverseSqrt, LrScheduleKind::Plateau}) {
    EXPECT_EQ(parse_lr_schedule(lr_schedule_name(kind)), kind);
  }
  EXPECT_THROW(parse_lr_schedule("cosine"), Error);
}

}  // namespace
}  // namespace heed
