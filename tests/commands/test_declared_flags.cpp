// Flags made from declarations (commands/declared_flags.h): values are checked as they
// are parsed, and given() holds exactly what the command line set.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "commands/declared_flags.h"
#include "util/error.h"

namespace heed {
namespace {

struct Example {
  int64_t width = 8;
  double rate = 0.5;
  bool fancy = false;
  bool upright = true;
  template <class Visitor>
  void declare(Visitor& v) {
    v(width, {"width", "the width", at_least(1)});
    v(rate, {"rate", "a rate", above(0.0)});
    v(fancy, {"fancy", "be fancy"});
    v(upright, {"upright", "stand up"});
  }
};

nlohmann::json parse(std::vector<std::string> args, std::string* error = nullptr) {
  CLI::App app;
  DeclaredFlags flags;
  flags.add(&app, option_specs<Example>(), [](const OptionSpec& spec) { return spec.help; });
  std::reverse(args.begin(), args.end());
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    if (error != nullptr) *error = e.what();
    return nullptr;
  }
  return flags.given();
}

TEST(DeclaredFlags, GivenHoldsOnlyWhatTheCommandLineSet) {
  EXPECT_EQ(parse({}), nlohmann::json::object());
  EXPECT_EQ(parse({"--width", "3", "--fancy", "--upright", "false"}),
            (nlohmann::json{{"width", 3}, {"fancy", true}, {"upright", false}}));
  EXPECT_EQ(parse({"--rate", "0.25"}), (nlohmann::json{{"rate", 0.25}}));
}

TEST(DeclaredFlags, ValuesAreCheckedAsTheyAreParsed) {
  std::string error;
  EXPECT_TRUE(parse({"--rate", "-1"}, &error).is_null());
  EXPECT_EQ(error, "--rate: must be a number > 0 (got -1)");
  EXPECT_TRUE(parse({"--width", "1.5"}, &error).is_null());
  EXPECT_EQ(error, "--width: must be an integer >= 1 (got 1.5)");
  EXPECT_TRUE(parse({"--upright", "maybe"}, &error).is_null());
  EXPECT_EQ(error, "--upright: must be true or false (got maybe)");
}

TEST(DeclaredFlags, ParseOptionValueIsStrict) {
  const auto specs = option_specs<Example>();
  EXPECT_EQ(parse_option_value(specs[0], "12"), 12);
  EXPECT_THROW(parse_option_value(specs[0], "12abc"), Error);
  EXPECT_THROW(parse_option_value(specs[0], ""), Error);
  EXPECT_THROW(parse_option_value(specs[1], "nan"), Error);
  EXPECT_THROW(parse_option_value(specs[1], "inf"), Error);
  EXPECT_EQ(parse_option_value(specs[3], "0"), false);
}

}  // namespace
}  // namespace heed
