#include "util/directory_lock.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "support/temp_dir.h"
#include "util/error.h"

namespace heed {
namespace {

TEST(DirectoryLock, ASecondWriterIsRefusedUntilTheFirstIsDone) {
  testing::TempDir dir("heed_lock");
  std::optional<DirectoryLock> first;
  first.emplace(dir.path().string());
  try {
    DirectoryLock second(dir.path().string());
    FAIL() << "expected heed::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), dir.path().string() + " is being written by another heed process (pid " +
                                         std::to_string(::getpid()) + ")");
  }
  first.reset();
  EXPECT_NO_THROW(DirectoryLock again(dir.path().string()));
}

TEST(DirectoryLock, AMissingDirectoryIsAnError) {
  EXPECT_THROW(DirectoryLock("/nonexistent/heed/dir"), Error);
}

}  // namespace
}  // namespace heed
