#include "util/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace heed {
namespace {

using Strings = std::vector<std::string>;

TEST(Utf8IsValid, AcceptsAsciiAndMultiByte) {
  EXPECT_TRUE(utf8::is_valid(""));
  EXPECT_TRUE(utf8::is_valid("plain ascii"));
  EXPECT_TRUE(utf8::is_valid("Ça coûte 5 €."));
  EXPECT_TRUE(utf8::is_valid("\xF0\x9F\x98\x80"));  // U+1F600
  EXPECT_TRUE(utf8::is_valid("\xF4\x8F\xBF\xBF"));  // U+10FFFF
  EXPECT_TRUE(utf8::is_valid("\xED\x9F\xBF"));      // U+D7FF, just below surrogates
  EXPECT_TRUE(utf8::is_valid(std::string("a\0b", 3)));
}

TEST(Utf8IsValid, RejectsMalformed) {
  EXPECT_FALSE(utf8::is_valid("\x80"));              // lone continuation
  EXPECT_FALSE(utf8::is_valid("abc\xC3"));           // truncated
  EXPECT_FALSE(utf8::is_valid("\xE2\x82"));          // truncated 3-byte
  EXPECT_FALSE(utf8::is_valid("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(utf8::is_valid("\xC1\xBF"));          // overlong
  EXPECT_FALSE(utf8::is_valid("\xE0\x80\xAF"));      // overlong 3-byte
  EXPECT_FALSE(utf8::is_valid("\xF0\x80\x80\xAF"));  // overlong 4-byte
  EXPECT_FALSE(utf8::is_valid("\xED\xA0\x80"));      // U+D800 surrogate
  EXPECT_FALSE(utf8::is_valid("\xF4\x90\x80\x80"));  // U+110000
  EXPECT_FALSE(utf8::is_valid("\xF5\x80\x80\x80"));
  EXPECT_FALSE(utf8::is_valid("\xFF"));
  EXPECT_FALSE(utf8::is_valid("\xC3("));            // bad continuation
  EXPECT_FALSE(utf8::is_valid("caf\xE9"));           // Latin-1 é
}

TEST(Utf8CodePoints, SplitsPerCodePoint) {
  EXPECT_EQ(utf8::code_points(""), Strings{});
  EXPECT_EQ(utf8::code_points("ab"), (Strings{"a", "b"}));
  EXPECT_EQ(utf8::code_points("Ça€\xF0\x9F\x98\x80!"),
            (Strings{"\xC3\x87", "a", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "!"}));
}

TEST(Utf8CodePoints, InvalidBytesComeOutOneByOne) {
  EXPECT_EQ(utf8::code_points("a\xFF\xC3"), (Strings{"a", "\xFF", "\xC3"}));
}

// Found by fuzz/fuzz_utf8.cpp: a well-formed-looking sequence that is overlong, a
// surrogate or above U+10FFFF consumed all its bytes as one U+FFFD, where utf8.h
// promises one byte per invalid step (so each bad byte becomes its own U+FFFD).
TEST(Utf8NextCodePoint, InvalidSequencesConsumeOneByte) {
  for (const char* bad : {"\xC0\xA0", "\xC1\xBF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF0\x80\x80\xAF",
                                "\xF4\x90\x80\x80", "\xF5\x80\x80\x80"}) {
    const utf8::CodePoint point = utf8::next_code_point(bad, 0);
    EXPECT_FALSE(point.valid) << bad;
    EXPECT_EQ(point.bytes, 1u) << bad;
    EXPECT_EQ(point.value, char32_t{0xFFFD}) << bad;
  }
  const utf8::CodePoint euro = utf8::next_code_point("\xE2\x82\xAC", 0);
  EXPECT_TRUE(euro.valid);
  EXPECT_EQ(euro.bytes, 3u);
  EXPECT_EQ(euro.value, char32_t{0x20AC});
}


}  // namespace
}  // namespace heed
