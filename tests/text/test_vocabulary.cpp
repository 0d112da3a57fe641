#include "support/temp_dir.h"
#include "text/vocabulary.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "util/error.h"

namespace heed {
namespace {

namespace fs = std::filesystem;

using Strings = std::vector<std::string>;
using Ids = std::vector<int64_t>;

const Strings kSpecials = {"<pad>", "<unk>", "<s>", "</s>"};

Strings with_specials(const Strings& rest) {
  Strings out = kSpecials;
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

// Counts: the 5, a 4, cat 2, dog 2, Zebra 1, é 1
const std::vector<Strings> kSentences = {
    {"the", "cat", "a", "the"},
    {"a", "dog", "the", "é"},
    {"dog", "a", "cat", "the", "the"},
    {"Zebra", "a"},
};

class VocabularyTest : public ::testing::Test {
 protected:

  std::string write(const std::string& name, const std::string& contents) const {
    return dir_.write(name, contents);
  }

  std::string load_error(const std::string& file) const {
    try {
      Vocabulary::load(file);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  testing::TempDir dir_{"heed_vocab"};
};

TEST_F(VocabularyTest, DefaultHasOnlySpecials) {
  const Vocabulary vocab;
  EXPECT_EQ(vocab.size(), 4);
  EXPECT_EQ(vocab.tokens(), kSpecials);
  EXPECT_EQ(vocab.id("<pad>"), Vocabulary::kPad);
  EXPECT_EQ(vocab.id("<unk>"), Vocabulary::kUnk);
  EXPECT_EQ(vocab.id("<s>"), Vocabulary::kBos);
  EXPECT_EQ(vocab.id("</s>"), Vocabulary::kEos);
  EXPECT_EQ(vocab.id("anything"), Vocabulary::kUnk);
}

TEST_F(VocabularyTest, BuildOrdersByCountThenBytes) {
  const Vocabulary vocab = Vocabulary::build(kSentences, {});
  EXPECT_EQ(vocab.tokens(), with_specials({"the", "a", "cat", "dog", "Zebra", "é"}));
  EXPECT_EQ(vocab.id("the"), 4);
  EXPECT_EQ(vocab.id("é"), 9);
  EXPECT_EQ(vocab.token(5), "a");
  EXPECT_EQ(vocab.ids({"the", "dog", "unknown", "</s>"}), (Ids{4, 7, 1, 3}));
}

TEST_F(VocabularyTest, BuildIsDeterministicRegardlessOfInputOrder) {
  std::vector<Strings> reversed(kSentences.rbegin(), kSentences.rend());
  EXPECT_EQ(Vocabulary::build(reversed, {}).tokens(), Vocabulary::build(kSentences, {}).tokens());
}

TEST_F(VocabularyTest, MinCount) {
  VocabOptions options;
  options.min_count = 2;
  EXPECT_EQ(Vocabulary::build(kSentences, options).tokens(), with_specials({"the", "a", "cat", "dog"}));
  options.min_count = 5;
  EXPECT_EQ(Vocabulary::build(kSentences, options).tokens(), with_specials({"the"}));
  options.min_count = 6;
  EXPECT_EQ(Vocabulary::build(kSentences, options).tokens(), kSpecials);
  options.min_count = 0;  // same as 1
  EXPECT_EQ(Vocabulary::build(kSentences, options).size(), 10);
}

TEST_F(VocabularyTest, MaxSizeIncludesSpecials) {
  VocabOptions options;
  options.max_size = 7;
  EXPECT_EQ(Vocabulary::build(kSentences, options).tokens(), with_specials({"the", "a", "cat"}));
  options.max_size = 4;
  EXPECT_EQ(Vocabulary::build(kSentences, options).tokens(), kSpecials);
  options.max_size = 100;
  EXPECT_EQ(Vocabulary::build(kSentences, options).size(), 10);
  options.max_size = 3;
  EXPECT_THROW(Vocabulary::build(kSentences, options), Error);
}

TEST_F(VocabularyTest, SpecialTokensInDataAreNotDuplicated) {
  const Vocabulary vocab = Vocabulary::build({{"<unk>", "x", "</s>", "<s>", "<pad>"}}, {});
  EXPECT_EQ(vocab.tokens(), with_specials({"x"}));
}

TEST_F(VocabularyTest, TokenOutOfRangeThrows) {
  const Vocabulary vocab;
  EXPECT_THROW(vocab.token(4), std::out_of_range);
  EXPECT_THROW(vocab.token(-1), std::out_of_range);
}

TEST_F(VocabularyTest, FromTokensValidates) {
  const Vocabulary vocab = Vocabulary::from_tokens(with_specials({"b", "a"}));
  EXPECT_EQ(vocab.id("b"), 4);
  EXPECT_EQ(vocab.id("a"), 5);
  EXPECT_THROW(Vocabulary::from_tokens({"<pad>", "<unk>", "<s>"}), Error);
  EXPECT_THROW(Vocabulary::from_tokens({"<unk>", "<pad>", "<s>", "</s>"}), Error);
  EXPECT_THROW(Vocabulary::from_tokens(with_specials({"a", "a"})), Error);
  EXPECT_THROW(Vocabulary::from_tokens(with_specials({""})), Error);
  EXPECT_THROW(Vocabulary::from_tokens(with_specials({"a\nb"})), Error);
}

TEST_F(VocabularyTest, SaveLoadRoundTrip) {
  const Vocabulary vocab = Vocabulary::build(kSentences, {});
  const std::string file = dir_ / "vocab.txt";
  vocab.save(file);
  std::ifstream in(file, std::ios::binary);
  const std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(contents, "<pad>\n<unk>\n<s>\n</s>\nthe\na\ncat\ndog\nZebra\né\n");
  const Vocabulary loaded = Vocabulary::load(file);
  EXPECT_EQ(loaded.tokens(), vocab.tokens());
  EXPECT_EQ(loaded.id("dog"), 7);
  EXPECT_EQ(loaded.id("missing"), Vocabulary::kUnk);
}

TEST_F(VocabularyTest, LoadAcceptsCrlfAndMissingFinalNewline) {
  const std::string file = write("v.txt", "<pad>\r\n<unk>\r\n<s>\r\n</s>\r\nx\r\ny");
  EXPECT_EQ(Vocabulary::load(file).tokens(), with_specials({"x", "y"}));
}

TEST_F(VocabularyTest, LoadMissingFile) {
  const std::string file = dir_ / "nope.txt";
  EXPECT_EQ(load_error(file), "cannot open " + file);
}

TEST_F(VocabularyTest, LoadEmptyFile) {
  const std::string file = write("v.txt", "");
  EXPECT_EQ(load_error(file), file + ": empty vocabulary file");
}

TEST_F(VocabularyTest, LoadWrongSpecials) {
  const std::string swapped = write("swapped.txt", "<pad>\n<s>\n<unk>\n</s>\nx\n");
  EXPECT_EQ(load_error(swapped),
            swapped + ":2: expected <unk> (a vocabulary starts with <pad> <unk> <s> </s>), found \"<s>\"");
  const std::string words = write("words.txt", "the\na\ncat\n");
  EXPECT_EQ(load_error(words),
            words + ":1: expected <pad> (a vocabulary starts with <pad> <unk> <s> </s>), found \"the\"");
  const std::string short_file = write("short.txt", "<pad>\n<unk>\n");
  EXPECT_EQ(load_error(short_file),
            short_file + ":3: expected <s> (a vocabulary starts with <pad> <unk> <s> </s>), found end of file");
}

TEST_F(VocabularyTest, LoadDuplicateToken) {
  const std::string file = write("v.txt", "<pad>\n<unk>\n<s>\n</s>\nx\ny\nx\n");
  EXPECT_EQ(load_error(file), file + ":7: duplicate token \"x\" (first on line 5)");
}

TEST_F(VocabularyTest, LoadEmptyLine) {
  const std::string file = write("v.txt", "<pad>\n<unk>\n<s>\n</s>\n\nx\n");
  EXPECT_EQ(load_error(file), file + ":5: empty token");
}

}  // namespace
}  // namespace heed
