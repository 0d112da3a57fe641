// The contract for a user mistake, checked the same way by every command-line test.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/run_heed.h"

namespace heed::testing {

// A non-zero exit, exactly one line on stderr that starts "heed: error: " and holds
// `fragment`, and nothing on stdout.
inline void expect_one_error_line(const CommandResult& result, const std::string& fragment) {
  EXPECT_NE(result.exit_code, 0);
  const auto lines = split_lines(result.err);
  ASSERT_EQ(lines.size(), 1u) << result.err;
  EXPECT_EQ(lines[0].rfind("heed: error: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(fragment), std::string::npos) << lines[0];
  EXPECT_EQ(result.out, "");
}

}  // namespace heed::testing
