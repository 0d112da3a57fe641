#include "util/csv.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/error.h"

namespace heed {
namespace {

using Strings = std::vector<std::string>;

TEST(CsvQuote, PlainFieldsUnchanged) {
  EXPECT_EQ(csv::quote("hello world"), "hello world");
  EXPECT_EQ(csv::quote(""), "");
  EXPECT_EQ(csv::quote("3.25"), "3.25");
}

TEST(CsvQuote, QuotesSpecialCharacters) {
  EXPECT_EQ(csv::quote("a,b"), "\"a,b\"");
  EXPECT_EQ(csv::quote("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv::quote("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(csv::quote("cr\r"), "\"cr\r\"");
}

TEST(CsvJoin, JoinsWithCommas) {
  EXPECT_EQ(csv::join({}), "");
  EXPECT_EQ(csv::join({"epoch", "loss", "bleu"}), "epoch,loss,bleu");
  EXPECT_EQ(csv::join({"1", "a,b", "", "\"q\""}), "1,\"a,b\",,\"\"\"q\"\"\"");
}

TEST(CsvParse, SimpleAndEmptyFields) {
  EXPECT_EQ(csv::parse_line("a,b,c"), (Strings{"a", "b", "c"}));
  EXPECT_EQ(csv::parse_line(""), (Strings{""}));
  EXPECT_EQ(csv::parse_line(",,"), (Strings{"", "", ""}));
  EXPECT_EQ(csv::parse_line("a,"), (Strings{"a", ""}));
  EXPECT_EQ(csv::parse_line(" a , b "), (Strings{" a ", " b "}));
}

TEST(CsvParse, QuotedFields) {
  EXPECT_EQ(csv::parse_line("\"a,b\",\"say \"\"hi\"\"\",\"\""), (Strings{"a,b", "say \"hi\"", ""}));
  EXPECT_EQ(csv::parse_line("\"x\",y"), (Strings{"x", "y"}));
  EXPECT_EQ(csv::parse_line("\"multi\nline\",z"), (Strings{"multi\nline", "z"}));
}

TEST(CsvParse, IgnoresTrailingLineEnd) {
  EXPECT_EQ(csv::parse_line("a,b\n"), (Strings{"a", "b"}));
  EXPECT_EQ(csv::parse_line("a,b\r\n"), (Strings{"a", "b"}));
  EXPECT_EQ(csv::parse_line("a,\"b\"\r\n"), (Strings{"a", "b"}));
}

TEST(CsvParse, MalformedThrows) {
  EXPECT_THROW(csv::parse_line("\"unterminated,b"), Error);
  EXPECT_THROW(csv::parse_line("\"a\"b,c"), Error);
}

TEST(CsvRoundTrip, JoinThenParse) {
  const std::vector<Strings> records = {
      {"plain"},
      {""},
      {"", ""},
      {"comma, inside", "quote \" inside", "both \",\""},
      {"new\nline", "crlf\r\nend", "\"", "\"\""},
      {"Ça coûte 5 €.", "1979-05-03", "tuesday, march 3, 1970"},
  };
  for (const Strings& fields : records) {
    EXPECT_EQ(csv::parse_line(csv::join(fields)), fields) << csv::join(fields);
  }
}

}  // namespace
}  // namespace heed
