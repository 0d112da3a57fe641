#include "text/tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace heed {
namespace {

using Strings = std::vector<std::string>;

std::unique_ptr<Tokenizer> word(bool lowercase = false) {
  return make_tokenizer({TokenizerKind::Word, lowercase});
}
std::unique_ptr<Tokenizer> chars(bool lowercase = false) {
  return make_tokenizer({TokenizerKind::Char, lowercase});
}

TEST(TokenizerKindNames, ParseAndName) {
  EXPECT_EQ(parse_tokenizer_kind("word"), TokenizerKind::Word);
  EXPECT_EQ(parse_tokenizer_kind("char"), TokenizerKind::Char);
  EXPECT_EQ(tokenizer_kind_name(TokenizerKind::Word), "word");
  EXPECT_EQ(tokenizer_kind_name(TokenizerKind::Char), "char");
  try {
    parse_tokenizer_kind("bpe");
    FAIL() << "expected heed::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "unknown tokenizer 'bpe' (known: word, char, sentencepiece)");
  }
}

TEST(WordTokenizer, HeaderExamples) {
  const auto tok = word();
  EXPECT_EQ(tok->encode("Hello, world!"), (Strings{"Hello", "￭,", "world", "￭!"}));
  EXPECT_EQ(tok->encode("1979-05-03"), (Strings{"1979", "￭-", "￭05", "￭-", "￭03"}));
}

TEST(WordTokenizer, PunctuationAndSpacing) {
  const auto tok = word();
  EXPECT_EQ(tok->encode("tuesday, march 3, 1970"),
            (Strings{"tuesday", "￭,", "march", "3", "￭,", "1970"}));
  EXPECT_EQ(tok->encode("(a) b"), (Strings{"(", "￭a", "￭)", "b"}));
  EXPECT_EQ(tok->encode("Don't stop..."), (Strings{"Don", "￭'", "￭t", "stop", "￭.", "￭.", "￭."}));
  EXPECT_EQ(tok->encode("a ! b"), (Strings{"a", "!", "b"}));
  EXPECT_EQ(tok->encode("  \t spaced \n  out  "), (Strings{"spaced", "out"}));
  EXPECT_EQ(tok->encode(""), Strings{});
  EXPECT_EQ(tok->encode("   "), Strings{});
}

TEST(WordTokenizer, NonAsciiIsPartOfWords) {
  const auto tok = word();
  EXPECT_EQ(tok->encode("Ça coûte 5 €."), (Strings{"Ça", "coûte", "5", "€", "￭."}));
  EXPECT_EQ(tok->encode("naïve«quote»"), (Strings{"naïve«quote»"}));
  EXPECT_EQ(tok->encode("日本語です。"), (Strings{"日本語です。"}));
}

TEST(WordTokenizer, Lowercase) {
  const auto tok = word(true);
  EXPECT_EQ(tok->encode("Ça COÛTE, OK"), (Strings{"ça", "coûte", "￭,", "ok"}));
  EXPECT_EQ(tok->decode(tok->encode("Hello, World!")), "hello, world!");
}

TEST(WordTokenizer, Decode) {
  const auto tok = word();
  EXPECT_EQ(tok->decode({"Hello", "￭,", "world", "￭!"}), "Hello, world!");
  EXPECT_EQ(tok->decode({}), "");
  EXPECT_EQ(tok->decode({"￭a", "b"}), "a b");  // leading joiner: no leading space
  EXPECT_EQ(tok->decode({"a", "", "b"}), "a b");  // empty tokens ignored
  EXPECT_EQ(tok->decode({"<unk>", "￭.", "</s>"}), "<unk>. </s>");
}

TEST(WordTokenizer, RoundTrips) {
  const auto tok = word();
  const Strings texts = {
      "Hello, world!",
      "1979-05-03",
      "tuesday, march 3, 1970",
      "Ça coûte 5 €.",
      "\"Quoted\" (text) [x] {y} a/b a_b 50% $3.50 #1 @me",
      "Don't stop... ok?!",
      "tab\tand\nnewline",
      "a",
      ".",
      "",
  };
  for (const std::string& text : texts) {
    std::string collapsed;  // whitespace runs -> one space, trimmed
    for (char c : text) {
      const bool space = c == ' ' || c == '\t' || c == '\n';
      if (space) {
        if (!collapsed.empty() && collapsed.back() != ' ') collapsed += ' ';
      } else {
        collapsed += c;
      }
    }
    if (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    EXPECT_EQ(tok->decode(tok->encode(text)), collapsed) << text;
  }
  EXPECT_EQ(tok->decode(tok->encode("  Hello ,   world  ! ")), "Hello , world !");
}

TEST(WordTokenizer, LiteralJoinerCharacter) {
  const auto tok = word();
  EXPECT_EQ(tok->encode("a ￭ b"), (Strings{"a", "￭", "b"}));
  EXPECT_EQ(tok->encode("a￭b"), (Strings{"a", "￭￭", "￭b"}));
  EXPECT_EQ(tok->encode("￭x"), (Strings{"￭", "￭x"}));
  for (const std::string text : {"a ￭ b", "a￭b", "￭x", "￭", "￭￭", "x ￭", "x￭ ￭y"}) {
    EXPECT_EQ(tok->decode(tok->encode(text)), text) << text;
  }
}

TEST(WordTokenizer, InvalidUtf8DoesNotCrash) {
  const auto tok = word(true);
  EXPECT_EQ(tok->encode("a\xFF" "b, c"), (Strings{"a\xFF" "b", "￭,", "c"}));
}

TEST(CharTokenizer, CodePoints) {
  const auto tok = chars();
  EXPECT_EQ(tok->encode("Ça va"), (Strings{"Ç", "a", "▁", "v", "a"}));
  EXPECT_EQ(tok->encode("5 €"), (Strings{"5", "▁", "€"}));
  EXPECT_EQ(tok->encode("日本\xF0\x9F\x98\x80"), (Strings{"日", "本", "\xF0\x9F\x98\x80"}));
  EXPECT_EQ(tok->encode(""), Strings{});
}

TEST(CharTokenizer, RoundTripIsExactUpToNormalisation) {
  const auto tok = chars();
  for (const std::string text : {"Hello, world!", "Ça coûte 5 €.", "1979-05-03", ""}) {
    EXPECT_EQ(tok->decode(tok->encode(text)), text) << text;
  }
  EXPECT_EQ(tok->decode(tok->encode("  two  spaces ")), "two spaces");  // text/normalize.h
  EXPECT_EQ(tok->decode({"a", "▁", "b", "▁"}), "a b ");
}

TEST(CharTokenizer, Lowercase) {
  const auto tok = chars(true);
  EXPECT_EQ(tok->encode("ÇA B"), (Strings{"ç", "a", "▁", "b"}));
  EXPECT_EQ(tok->decode(tok->encode("ÇA B")), "ça b");
}

}  // namespace
}  // namespace heed
