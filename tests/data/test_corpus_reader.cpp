#include "support/temp_dir.h"
#include "data/corpus_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "util/error.h"

namespace heed {
namespace {

namespace fs = std::filesystem;

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs as_pairs(const Corpus& corpus) {
  Pairs out;
  for (const SentencePair& pair : corpus.pairs) out.emplace_back(pair.source, pair.target);
  return out;
}

class CorpusReaderTest : public ::testing::Test {
 protected:

  std::string write(const std::string& name, const std::string& contents) const {
    return dir_.write(name, contents);
  }

  // The heed::Error message thrown by `f`, or "" when it does not throw.
  template <typename F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  testing::TempDir dir_{"heed_corpus"};
};

TEST_F(CorpusReaderTest, TsvBasic) {
  const std::string file = write("a.tsv", "Kettles hum.\tLes bouilloires chantent.\nOwls read.\tLes hiboux lisent.\n");
  const Corpus corpus = read_tsv(file);
  EXPECT_EQ(as_pairs(corpus), (Pairs{{"Kettles hum.", "Les bouilloires chantent."}, {"Owls read.", "Les hiboux lisent."}}));
  EXPECT_EQ(corpus.skipped_lines, 0u);
}

TEST_F(CorpusReaderTest, TsvExtraColumnsIgnored) {
  const std::string file =
      write("a.tsv", "Kettles hum.\tLes bouilloires chantent.\tan attribution column\nMoss grows.\tLa mousse pousse.\tx\ty\n");
  EXPECT_EQ(as_pairs(read_tsv(file)), (Pairs{{"Kettles hum.", "Les bouilloires chantent."}, {"Moss grows.", "La mousse pousse."}}));
}

TEST_F(CorpusReaderTest, TsvBomCrlfCrAndNoFinalNewline) {
  EXPECT_EQ(as_pairs(read_tsv(write("bom.tsv", "\xEF\xBB\xBFOwls read.\tLes hiboux lisent.\n"))),
            (Pairs{{"Owls read.", "Les hiboux lisent."}}));
  EXPECT_EQ(as_pairs(read_tsv(write("crlf.tsv", "a\tb\r\nc\td\r\n"))), (Pairs{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(as_pairs(read_tsv(write("cr.tsv", "a\tb\rc\td\r"))), (Pairs{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(as_pairs(read_tsv(write("nofinal.tsv", "a\tb\nc\td"))), (Pairs{{"a", "b"}, {"c", "d"}}));
}

TEST_F(CorpusReaderTest, TsvBlankLinesSkippedAndFieldsTrimmed) {
  const std::string file = write("a.tsv", "\n  a b \t  c  \n\n   \n\r\nd\te\n\n");
  const Corpus corpus = read_tsv(file);
  EXPECT_EQ(as_pairs(corpus), (Pairs{{"a b", "c"}, {"d", "e"}}));
  EXPECT_EQ(corpus.skipped_lines, 0u);
}

TEST_F(CorpusReaderTest, TsvEmptyFile) {
  EXPECT_TRUE(read_tsv(write("empty.tsv", "")).pairs.empty());
}

TEST_F(CorpusReaderTest, TsvNonAsciiKept) {
  const std::string file = write("a.tsv", "It costs 5 €.\tÇa coûte 5 €.\n");
  EXPECT_EQ(as_pairs(read_tsv(file)), (Pairs{{"It costs 5 €.", "Ça coûte 5 €."}}));
}

TEST_F(CorpusReaderTest, TsvOneColumnErrorNamesFileAndLine) {
  const std::string file = write("a.tsv", "a\tb\n\nno tab here\n");
  EXPECT_EQ(error_of([&] { read_tsv(file); }), file + ":3: expected source<TAB>target, found 1 column");
}

TEST_F(CorpusReaderTest, TsvLineNumbersCountCrlfLinesOnce) {
  const std::string file = write("a.tsv", "a\tb\r\nc\td\r\nbad\r\n");
  EXPECT_EQ(error_of([&] { read_tsv(file); }), file + ":3: expected source<TAB>target, found 1 column");
}

TEST_F(CorpusReaderTest, TsvEmptySideErrors) {
  const std::string source = write("s.tsv", "a\tb\n  \tx\n");
  EXPECT_EQ(error_of([&] { read_tsv(source); }), source + ":2: empty source sentence");
  const std::string target = write("t.tsv", "x\t \tcomment\n");
  EXPECT_EQ(error_of([&] { read_tsv(target); }), target + ":1: empty target sentence");
}

TEST_F(CorpusReaderTest, TsvInvalidUtf8Error) {
  const std::string file = write("a.tsv", "a\tb\ncaf\xE9\tcoffee\n");
  EXPECT_EQ(error_of([&] { read_tsv(file); }), file + ":2: invalid UTF-8");
}

TEST_F(CorpusReaderTest, TsvSkipBadLinesCounts) {
  const std::string file =
      write("a.tsv", "a\tb\nonly one\n\tx\ny\t\ncaf\xE9\tc\nc\td\n\n");
  ReadOptions options;
  options.skip_bad_lines = true;
  const Corpus corpus = read_tsv(file, options);
  EXPECT_EQ(as_pairs(corpus), (Pairs{{"a", "b"}, {"c", "d"}}));
  EXPECT_EQ(corpus.skipped_lines, 4u);  // blank lines are not "bad"
}

TEST_F(CorpusReaderTest, MissingFileError) {
  const std::string file = dir_ / "missing.tsv";
  EXPECT_EQ(error_of([&] { read_tsv(file); }), "cannot open " + file);
  const std::string other = write("t.txt", "x\n");
  EXPECT_EQ(error_of([&] { read_parallel(file, other); }), "cannot open " + file);
  EXPECT_EQ(error_of([&] { read_parallel(other, file); }), "cannot open " + file);
  EXPECT_EQ(error_of([&] { read_lines(file); }), "cannot open " + file);
}

TEST_F(CorpusReaderTest, ParallelBasic) {
  const std::string src = write("s.txt", "\xEF\xBB\xBF Hello \r\n\r\nBye\r\n");
  const std::string tgt = write("t.txt", "Bonjour\n\n Au revoir\n");
  const Corpus corpus = read_parallel(src, tgt);
  EXPECT_EQ(as_pairs(corpus), (Pairs{{"Hello", "Bonjour"}, {"Bye", "Au revoir"}}));
  EXPECT_EQ(corpus.skipped_lines, 0u);
}

TEST_F(CorpusReaderTest, ParallelKeepsInnerTabs) {
  const std::string src = write("s.txt", "a\tb\n");
  const std::string tgt = write("t.txt", "c\rd");  // CR-only line ends
  EXPECT_THROW(read_parallel(src, tgt), Error);  // 1 line vs 2 lines
  const std::string tgt2 = write("t2.txt", "c d");
  EXPECT_EQ(as_pairs(read_parallel(src, tgt2)), (Pairs{{"a\tb", "c d"}}));
}

TEST_F(CorpusReaderTest, ParallelLineCountMismatch) {
  const std::string src = write("s.txt", "a\nb\nc\n");
  const std::string tgt = write("t.txt", "x\ny\n");
  EXPECT_EQ(error_of([&] { read_parallel(src, tgt); }),
            "parallel files differ in length: " + src + " has 3 lines but " + tgt + " has 2 lines");
  const std::string one = write("one.txt", "x");
  EXPECT_EQ(error_of([&] { read_parallel(one, tgt); }),
            "parallel files differ in length: " + one + " has 1 line but " + tgt + " has 2 lines");
}

TEST_F(CorpusReaderTest, ParallelMismatchThrowsEvenWhenSkipping) {
  const std::string src = write("s.txt", "a\nb\n");
  const std::string tgt = write("t.txt", "x\n");
  ReadOptions options;
  options.skip_bad_lines = true;
  EXPECT_THROW(read_parallel(src, tgt, options), Error);
}

TEST_F(CorpusReaderTest, ParallelTrailingBlankLinesIgnoredForCount) {
  const std::string src = write("s.txt", "a\nb\n\n\n");
  const std::string tgt = write("t.txt", "x\ny");
  EXPECT_EQ(as_pairs(read_parallel(src, tgt)), (Pairs{{"a", "x"}, {"b", "y"}}));
}

TEST_F(CorpusReaderTest, ParallelBlankOnOneSideErrors) {
  const std::string src = write("s.txt", "a\n \nc\n");
  const std::string tgt = write("t.txt", "x\ny\nz\n");
  EXPECT_EQ(error_of([&] { read_parallel(src, tgt); }),
            src + ":2: blank line, but " + tgt + " has text on this line");
  EXPECT_EQ(error_of([&] { read_parallel(tgt, src); }),
            src + ":2: blank line, but " + tgt + " has text on this line");
}

TEST_F(CorpusReaderTest, ParallelInvalidUtf8NamesTheBadFile) {
  const std::string src = write("s.txt", "a\nb\n");
  const std::string tgt = write("t.txt", "x\n\xC3\x28\n");
  EXPECT_EQ(error_of([&] { read_parallel(src, tgt); }), tgt + ":2: invalid UTF-8");
}

TEST_F(CorpusReaderTest, ParallelSkipBadLinesCounts) {
  const std::string src = write("s.txt", "a\n\nc\n\xFF\ne\n\n");
  const std::string tgt = write("t.txt", "x\ny\n\nw\nv\n\n");
  ReadOptions options;
  options.skip_bad_lines = true;
  const Corpus corpus = read_parallel(src, tgt, options);
  EXPECT_EQ(as_pairs(corpus), (Pairs{{"a", "x"}, {"e", "v"}}));
  EXPECT_EQ(corpus.skipped_lines, 3u);
}

TEST_F(CorpusReaderTest, ReadLinesKeepsBlankLines) {
  const std::string file = write("l.txt", "\xEF\xBB\xBF" "one\r\n\r\n  two  \rthree");
  EXPECT_EQ(read_lines(file), (std::vector<std::string>{"one", "", "  two  ", "three"}));
  EXPECT_EQ(read_lines(write("e.txt", "")), std::vector<std::string>{});
  EXPECT_EQ(read_lines(write("n.txt", "\n")), std::vector<std::string>{""});
}

TEST_F(CorpusReaderTest, ReadLinesInvalidUtf8) {
  const std::string file = write("l.txt", "ok\n\nbad \xED\xA0\x80\n");
  EXPECT_EQ(error_of([&] { read_lines(file); }), file + ":3: invalid UTF-8");
}

TEST_F(CorpusReaderTest, ToTsvRoundTrip) {
  const std::vector<SentencePair> pairs = {{"Hello, world!", "Bonjour, le monde !"}, {"Ça", "It"}};
  const std::string tsv = to_tsv(pairs);
  EXPECT_EQ(tsv, "Hello, world!\tBonjour, le monde !\nÇa\tIt\n");
  EXPECT_EQ(as_pairs(read_tsv(write("r.tsv", tsv))),
            (Pairs{{"Hello, world!", "Bonjour, le monde !"}, {"Ça", "It"}}));
}

TEST_F(CorpusReaderTest, ToTsvFlattensTabsAndLineBreaks) {
  EXPECT_EQ(to_tsv({{"a\tb", "c\nd\re"}}), "a b\tc d e\n");
  EXPECT_EQ(to_tsv({}), "");
}

TEST_F(CorpusReaderTest, LargeCorpusIsLinear) {
  std::string contents;
  for (int i = 0; i < 200000; ++i) contents += "source sentence " + std::to_string(i) + "\ttarget\n";
  const Corpus corpus = read_tsv(write("big.tsv", contents));
  ASSERT_EQ(corpus.pairs.size(), 200000u);
  EXPECT_EQ(corpus.pairs.back().source, "source sentence 199999");
}

}  // namespace
}  // namespace heed
