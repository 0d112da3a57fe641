// A test suite whose tests share one model trained through the CLI, once per suite
// (training is the slow part). A suite derives as
//   class CliX : public testing::TrainedModelSuite<CliX> {
//    public:
//     static constexpr const char* kDirectoryName = "heed_cli_x";
//     static std::vector<std::string> commands(const testing::TempDir& dir);  // heed arguments
//   };
// SetUpTestSuite runs the commands in order (they write into `dir`, the model into
// dir / "model") and fails the suite on the first non-zero exit.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/run_heed.h"

namespace heed::testing {

template <typename Suite>
class TrainedModelSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir(Suite::kDirectoryName);
    for (const std::string& command : Suite::commands(*dir_)) {
      const auto result = run_heed(command);
      ASSERT_EQ(result.exit_code, 0) << command << "\n" << result.err;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::string model() { return *dir_ / "model"; }
  static inline TempDir* dir_ = nullptr;
};

}  // namespace heed::testing
