// The test runner: the heed binary's allocator settings, then every test.
#include <gtest/gtest.h>

#include "util/allocator.h"

int main(int argc, char** argv) {
  heed::tune_allocator();
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
