#include "support/temp_dir.h"
#include "util/atomic_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "util/error.h"

namespace heed {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:

  std::string path(const std::string& name) const { return dir_ / name; }
  size_t entries() const { return static_cast<size_t>(std::distance(fs::directory_iterator(dir_.path()), {})); }

  testing::TempDir dir_{"heed_atomic"};
};

TEST_F(AtomicFileTest, WritesAndReadsBack) {
  const std::string file = path("a.txt");
  write_file_atomically(file, "hello\nworld\n");
  EXPECT_EQ(read_file(file), "hello\nworld\n");
  EXPECT_EQ(entries(), 1u);  // no temp file left behind
}

TEST_F(AtomicFileTest, BinaryContentsSurvive) {
  const std::string file = path("bin");
  const std::string data("a\0b\r\n\xFF", 6);
  write_file_atomically(file, data);
  EXPECT_EQ(read_file(file), data);
  EXPECT_EQ(read_file(file).size(), 6u);
}

TEST_F(AtomicFileTest, EmptyFile) {
  const std::string file = path("empty");
  write_file_atomically(file, "");
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(read_file(file), "");
}

TEST_F(AtomicFileTest, OverwritesExistingFile) {
  const std::string file = path("a.txt");
  write_file_atomically(file, "old contents that are longer");
  write_file_atomically(file, "new");
  EXPECT_EQ(read_file(file), "new");
  EXPECT_EQ(entries(), 1u);
}

// The writer fills memory; the disk sees the finished bytes only, through a temporary
// file beside the target that the rename consumes.
TEST_F(AtomicFileTest, TheWriterRunsBeforeTheDiskIsTouched) {
  const std::string file = path("model.bin");
  write_file_atomically(file, "old");
  const std::string temp = file + ".tmp." + std::to_string(::getpid());
  write_atomically(file, [&](std::ostream& out) {
    out << "new";
    EXPECT_FALSE(fs::exists(temp));
    EXPECT_EQ(read_file(file), "old");
  });
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_EQ(read_file(file), "new");
}

TEST_F(AtomicFileTest, ExceptionInWriterKeepsOldFileAndRemovesTemp) {
  const std::string file = path("a.txt");
  write_file_atomically(file, "old");
  EXPECT_THROW(write_atomically(file,
                                [](std::ostream& out) {
                                  out << "partial";
                                  throw std::runtime_error("boom");
                                }),
               std::runtime_error);
  EXPECT_EQ(read_file(file), "old");
  EXPECT_EQ(entries(), 1u);
}

TEST_F(AtomicFileTest, MissingDirectoryThrowsWithPath) {
  const std::string file = path("no/such/dir/a.txt");
  try {
    write_file_atomically(file, "x");
    FAIL() << "expected heed::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write " + file + ": No such file or directory");
  }
  EXPECT_EQ(entries(), 0u);
}

TEST_F(AtomicFileTest, ReadMissingFileThrows) {
  const std::string file = path("missing.txt");
  try {
    read_file(file);
    FAIL() << "expected heed::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot open " + file);
  }
}

TEST_F(AtomicFileTest, ReadDirectoryThrows) {
  EXPECT_THROW(read_file(dir_.path().string()), Error);
}

}  // namespace
}  // namespace heed

namespace heed {
namespace {

TEST_F(AtomicFileTest, ASymlinkStaysAndItsTargetIsReplaced) {
  const std::string target = path("real.txt"), link = path("link.txt");
  write_file_atomically(target, "old");
  fs::create_symlink("real.txt", link);
  write_file_atomically(link, "new");
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(read_file(target), "new");
  EXPECT_EQ(entries(), 2u);
}

TEST_F(AtomicFileTest, ADeviceIsWrittenInPlaceAndAFullOneIsAnError) {
  write_file_atomically("/dev/null", "discarded");
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
  try {
    write_file_atomically("/dev/full", "x");
    FAIL() << "expected heed::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "cannot write /dev/full: No space left on device");
  }
}

TEST_F(AtomicFileTest, ADirectoryIsNotReplaced) {
  fs::create_directory(path("d"));
  EXPECT_THROW(write_file_atomically(path("d"), "x"), Error);
  EXPECT_TRUE(fs::is_directory(path("d")));
}

TEST_F(AtomicFileTest, KeepsTheModeOfTheFileItReplaces) {
  const std::string file = path("script.sh");
  write_file_atomically(file, "old");
  fs::permissions(file, fs::perms::owner_all);
  write_file_atomically(file, "new");
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all, fs::perms::owner_all);
}

TEST(TemporaryFileName, RecognisesWhatAWriterLeaves) {
  EXPECT_TRUE(is_temporary_file_name("weights.3.pt.tmp.4711"));
  EXPECT_TRUE(is_temporary_file_name("MANIFEST.json.tmp.1"));
  EXPECT_FALSE(is_temporary_file_name("weights.3.pt"));
  EXPECT_FALSE(is_temporary_file_name("notes.tmp."));
  EXPECT_FALSE(is_temporary_file_name("notes.tmp.x1"));
}

}  // namespace
}  // namespace heed
