// Text normalisation: the documented rules, one by one, and that every tokenizer applies them.
#include <gtest/gtest.h>

#include "text/normalize.h"
#include "text/tokenizer.h"

namespace heed {
namespace {

TEST(Normalize, UnicodeSpacesBecomePlainSpaces) {
  // U+00A0 no-break, U+202F narrow no-break (French "Bonjour !"), U+2009 thin, U+3000 ideographic.
  EXPECT_EQ(normalize_text("Bonjour\u202F! Vraiment\u00A0?"), "Bonjour ! Vraiment ?");
  EXPECT_EQ(normalize_text("a\u2009b\u3000c\u2028d"), "a b c d");
  EXPECT_EQ(normalize_text("a\tb\r\nc\vd\fe"), "a b c d e");
}

TEST(Normalize, ControlAndInvisibleCharactersAreDropped) {
  EXPECT_EQ(normalize_text(std::string("a\x01" "b\x7F" "c\x1B" "d")), "abcd");
  EXPECT_EQ(normalize_text("a\u0085b"), "a b");  // NEL is a line break: a space
  EXPECT_EQ(normalize_text("a\u0080b\u009Fc"), "abc");  // C1 controls
  EXPECT_EQ(normalize_text("\uFEFFword\u200Bpiece\u2060s\u00ADx"), "wordpiecesx");
  EXPECT_EQ(normalize_text(std::string("a\0b", 3)), "ab");
}

TEST(Normalize, JoinersThatChangeScriptsAreKept) {
  EXPECT_EQ(normalize_text("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645"),
            "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645");  // Persian ZWNJ
  EXPECT_EQ(normalize_text("\U0001F469\u200D\U0001F4BB"), "\U0001F469\u200D\U0001F4BB");  // ZWJ emoji
}

TEST(Normalize, SpaceRunsCollapseAndEndsAreTrimmed) {
  EXPECT_EQ(normalize_text("   two   spaces  \u00A0 here \t "), "two spaces here");
  EXPECT_EQ(normalize_text(" \u00A0\t"), "");
  EXPECT_EQ(normalize_text(""), "");
  EXPECT_EQ(normalize_text("\u200B a"), "a");  // a dropped character does not leave a space behind
}

TEST(Normalize, LowercaseIsTheLastStep) {
  EXPECT_EQ(normalize_text("\u00C9T\u00C9\u00A0ÜBER", {true}), "\u00E9t\u00E9 über");
  EXPECT_EQ(normalize_text("ABC", {false}), "ABC");
}

TEST(Normalize, EveryTokenizerNormalizesBeforeSplitting) {
  const auto word = make_tokenizer({TokenizerKind::Word, false});
  EXPECT_EQ(word->encode("Bonjour\u202F!\u00AD"), (std::vector<std::string>{"Bonjour", "!"}));
  const auto chars = make_tokenizer({TokenizerKind::Char, false});
  EXPECT_EQ(chars->encode(" a\u00A0\u00A0b\x01 "), (std::vector<std::string>{"a", "\u2581", "b"}));
}

}  // namespace
}  // namespace heed
