// progress.G.json (train/training_state.h) read back, and refused when its numbers are not
// what the trainer writes.
#include "train/training_state.h"

#include <gtest/gtest.h>

#include <string>

#include "util/error.h"

namespace heed {
namespace {

std::string progress_error(const std::string& text) {
  try {
    TrainingState::from_json(nlohmann::json::parse(text), "progress.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(TrainingStateJson, RoundTrips) {
  TrainingState state;
  state.step = 4200;
  state.epoch = 3;
  state.next_batch = 17;
  state.record_validation(31.5, 2.25);
  state.elapsed_s = 240.5;
  state.plateau.scale = 0.5;
  state.plateau.bad_validations = 1;
  state.checkpoints = {3600, 4200};
  const nlohmann::json json = state.to_json();
  EXPECT_EQ(TrainingState::from_json(json, "progress.json").to_json(), json);
}

// Found by fuzz/fuzz_model_json.cpp: the integers were read with nlohmann's
// get<int64_t>(), undefined behaviour for a number like 1e300.
TEST(TrainingStateJson, IntegersMustBeIntegers) {
  const std::string rest = R"("has_best": false, "best_score": 0, "bad_validations": 0, "elapsed_s": 0)";
  EXPECT_EQ(progress_error(R"({"step": 1e300, "epoch": 0, "next_batch": 0, )" + rest + "}"),
            "progress.json: step must be an integer (got 1e+300)");
  EXPECT_EQ(progress_error(R"({"step": 1, "epoch": 0.5, "next_batch": 0, )" + rest + "}"),
            "progress.json: epoch must be an integer (got 0.5)");
  EXPECT_EQ(progress_error(R"({"step": 1, "epoch": 0, "next_batch": 0, "checkpoints": [1, -1e300], )" + rest + "}"),
            "progress.json: checkpoints must be an integer (got -1e+300)");
  EXPECT_EQ(progress_error(R"({"step": 1, "epoch": 0, "next_batch": 0, "lr_bad_validations": 1e20, )" + rest + "}"),
            "progress.json: lr_bad_validations must be an integer (got 1e+20)");
  EXPECT_EQ(progress_error(R"({"step": 2.0, "epoch": 0, "next_batch": 0, "checkpoints": [2], )" + rest + "}"),
            "(no error)");
}

}  // namespace
}  // namespace heed
