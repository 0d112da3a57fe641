#include "util/line_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "support/temp_dir.h"

namespace heed {
namespace {

// Found by fuzz/fuzz_corpus.cpp: ready() read once and, when that read ended inside a
// line, said "not ready" though the rest of the line (or the end of input) was readable
// at once — for a file whose only line has no line end, or a line longer than one read.
TEST(LineReaderReady, AFileIsAlwaysReady) {
  testing::TempDir dir("heed_line_reader");
  LineReader last(dir.write("last.txt", "no line end"));
  EXPECT_TRUE(last.ready());
  EXPECT_EQ(last.next(), std::optional<std::string>("no line end"));
  EXPECT_TRUE(last.ready());
  EXPECT_EQ(last.next(), std::nullopt);

  const std::string long_line(200000, 'x');  // several reads of 64 KiB
  LineReader long_lines(dir.write("long.txt", long_line + "\nshort\n"));
  EXPECT_TRUE(long_lines.ready());
  EXPECT_EQ(long_lines.next(), std::optional<std::string>(long_line));
  EXPECT_TRUE(long_lines.ready());
  EXPECT_EQ(long_lines.next(), std::optional<std::string>("short"));
  EXPECT_TRUE(long_lines.ready());
  EXPECT_EQ(long_lines.next(), std::nullopt);
}

TEST(LineReaderReady, APipeIsReadyOnceALineOrTheEndIsThere) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  LineReader reader("/dev/fd/" + std::to_string(fds[0]));
  ::close(fds[0]);  // the reader opened its own descriptor
  EXPECT_FALSE(reader.ready());  // nothing written: not ready, and no wait
  ASSERT_EQ(::write(fds[1], "part", 4), 4);
  EXPECT_FALSE(reader.ready());  // half a line
  ASSERT_EQ(::write(fds[1], "ial\nnext", 8), 8);
  EXPECT_TRUE(reader.ready());
  EXPECT_EQ(reader.next(), std::optional<std::string>("partial"));
  EXPECT_FALSE(reader.ready());  // "next" has no line end yet
  ::close(fds[1]);
  EXPECT_TRUE(reader.ready());  // the end of input ends it
  EXPECT_EQ(reader.next(), std::optional<std::string>("next"));
  EXPECT_EQ(reader.next(), std::nullopt);
}

}  // namespace
}  // namespace heed
