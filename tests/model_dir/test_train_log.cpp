// train_log.csv (model_dir/train_log.h): written and read in one format; a run without
// validation leaves its fields empty and reads them back as NaN.
#include <gtest/gtest.h>

#include <cmath>

#include "model_dir/train_log.h"
#include "support/temp_dir.h"
#include "util/error.h"

namespace heed {
namespace {

TEST(TrainLog, RowsRoundTripWithFixedDecimals) {
  const TrainingLogRow row{120, 2, 1.234567, 2.5, 99.5, 31.416, 2500.04, 60.06};
  EXPECT_EQ(format_training_log_row(row), "120,2,1.23457,2.50000,99.50,31.42,2500.0,60.1");
  testing::TempDir dir("heed_log");
  TrainingLogRow unvalidated{130, 2, 1.0, NAN, NAN, NAN, 2400.0, 70.0};
  testing::write_text(dir / "log.csv", format_training_log({row, unvalidated}));
  const auto rows = read_training_log(dir / "log.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].step, 120);
  EXPECT_DOUBLE_EQ(rows[0].valid_bleu, 31.42);
  EXPECT_TRUE(std::isnan(rows[1].valid_loss));
  EXPECT_EQ(format_training_log_row(rows[1]), "130,2,1.00000,,,,2400.0,70.0");
}

TEST(TrainLog, MalformedRowsNameTheLine) {
  testing::TempDir dir("heed_log");
  testing::write_text(dir / "bad.csv", std::string(kTrainLogHeader) + "\n1,0,2.0,,,,10,1\n2,0,x,,,,10,1\n");
  try {
    read_training_log(dir / "bad.csv");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:3: not a number"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace heed
