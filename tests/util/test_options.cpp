// Declared options (util/options.h): one declaration gives the defaults, the JSON in both
// directions with type and range checks, and the specs that flags and listings use.
#include <gtest/gtest.h>

#include "util/error.h"
#include "util/options.h"

namespace heed {
namespace {

enum class Colour { Red, Green };
const EnumNames<Colour> kColourNames = {{"red", Colour::Red}, {"green", Colour::Green}};

struct Example {
  int64_t width = 8;
  uint64_t seed = 1;
  double rate = 0.5;
  bool fancy = false;
  Colour colour = Colour::Green;

  template <class Visitor>
  void declare(Visitor& v) {
    v(width, {"width", "the width", at_least(1)});
    v(seed, {"seed", "a seed"});
    v(rate, {"rate", "a rate", between(0.0, 1.0)});
    v(fancy, {"fancy", "be fancy"});
    v(colour, {"colour", "a colour"}, kColourNames);
  }
};

std::string unknown(const std::string& key, const std::string& context) { return "no " + key + " in " + context; }

std::string error_of(const nlohmann::json& values) {
  Example example;
  try {
    set_options(example, values, unknown, "the example");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(DeclaredOptions, SpecsCarryKeyTypeDefaultRangeAndChoices) {
  const auto specs = option_specs<Example>();
  ASSERT_EQ(specs.size(), 5u);
  EXPECT_EQ(specs[0].key, "width");
  EXPECT_EQ(specs[0].type, OptionType::Integer);
  EXPECT_EQ(specs[0].default_value, 8);
  EXPECT_EQ(specs[0].range.min, 1.0);
  EXPECT_EQ(specs[2].type, OptionType::Real);
  EXPECT_EQ(specs[3].type, OptionType::Boolean);
  EXPECT_EQ(specs[3].default_value, false);
  EXPECT_EQ(specs[4].type, OptionType::Choice);
  EXPECT_EQ(specs[4].default_value, "green");
  EXPECT_EQ(specs[4].choices, (std::vector<std::string>{"red", "green"}));
  EXPECT_EQ(specs[0].flag(), "--width");
  EXPECT_EQ(flag_name("attention_size"), "--attention-size");
}

TEST(DeclaredOptions, JsonRoundTrips) {
  Example example;
  example.width = 3;
  example.seed = 18446744073709551615ULL;  // the largest seed survives
  example.rate = 0.25;
  example.fancy = true;
  example.colour = Colour::Red;
  const nlohmann::json json = options_to_json(example);
  EXPECT_EQ(json, (nlohmann::json{{"width", 3}, {"seed", 18446744073709551615ULL}, {"rate", 0.25}, {"fancy", true},
                                  {"colour", "red"}}));
  Example restored;
  set_options(restored, json, unknown, "the example");
  EXPECT_EQ(options_to_json(restored), json);
}

TEST(DeclaredOptions, ReadingSetsOnlyTheNamedKeys) {
  Example example;
  set_options(example, {{"rate", 1}}, unknown, "the example");  // an integer is a number
  EXPECT_EQ(example.rate, 1.0);
  EXPECT_EQ(example.width, 8);
  set_options(example, nlohmann::json(), unknown, "the example");  // null: nothing to set
  set_options(example, {{"width", 4.0}}, unknown, "the example");  // 4.0 is an integer
  EXPECT_EQ(example.width, 4);
}

TEST(DeclaredOptions, ErrorsNameTheFlagAndWhatItMustBe) {
  EXPECT_EQ(error_of({{"width", 0}}), "--width must be an integer >= 1 (got 0)");
  EXPECT_EQ(error_of({{"width", 2.5}}), "--width must be an integer >= 1 (got 2.5)");
  EXPECT_EQ(error_of({{"width", "wide"}}), "--width must be an integer >= 1 (got \"wide\")");
  EXPECT_EQ(error_of({{"seed", -1}}), "--seed must be an integer >= 0 (got -1)");
  EXPECT_EQ(error_of({{"rate", 1.5}}), "--rate must be a number in [0, 1] (got 1.5)");
  EXPECT_EQ(error_of({{"fancy", 1}}), "--fancy must be true or false (got 1)");
  EXPECT_EQ(error_of({{"colour", "blue"}}), "--colour must be one of red, green (got \"blue\")");
  EXPECT_EQ(error_of({{"height", 3}}), "no height in the example");
  EXPECT_EQ(error_of(nlohmann::json::array()), "the example: options must be a JSON object");
}

// Found by fuzz/fuzz_model_json.cpp: an integer above INT64_MAX passed the range check
// (done on its double) and then wrapped round, so config.json's "hidden":
// 18446744073709551615 built a model with hidden size -1.
TEST(DeclaredOptions, AnIntegerAboveInt64MaxIsOutOfRange) {
  EXPECT_EQ(error_of({{"width", 18446744073709551615ULL}}),
            "--width must be an integer >= 1 (got 18446744073709551615)");
  EXPECT_EQ(error_of({{"width", 9223372036854775808ULL}}), "--width must be an integer >= 1 (got 9223372036854775808)");
  // INT64_MAX itself fits (a signed JSON integer, as a flag's value arrives: reading it
  // through its double was undefined behaviour, 2^63 being out of range).
  Example example;
  set_options(example, {{"width", 9223372036854775807LL}, {"seed", 18446744073709551615ULL}}, unknown, "the example");
  EXPECT_EQ(example.width, 9223372036854775807LL);
  set_options(example, nlohmann::json::parse(R"({"width": 9223372036854775807})"), unknown, "the example");
  EXPECT_EQ(example.width, 9223372036854775807LL);
  EXPECT_EQ(example.seed, 18446744073709551615ULL);  // an unsigned option keeps the whole range
}

// Found by fuzz/fuzz_model_json.cpp: the model directory's files read their integers with
// nlohmann's get<int64_t>(), undefined behaviour for a number like 1e300.
TEST(JsonInteger, IntegersOnly) {
  EXPECT_EQ(json_integer(nlohmann::json(42), "n"), 42);
  EXPECT_EQ(json_integer(nlohmann::json(-7), "n"), -7);
  EXPECT_EQ(json_integer(nlohmann::json(3.0), "n"), 3);  // 3.0 from a hand-edited file
  EXPECT_EQ(json_integer(nlohmann::json(9223372036854775807LL), "n"), 9223372036854775807LL);
  const auto error_of_integer = [](const nlohmann::json& value) {
    try {
      json_integer(value, "f: step");
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of_integer(nlohmann::json::parse("1e300")), "f: step must be an integer (got 1e+300)");
  EXPECT_EQ(error_of_integer(2.5), "f: step must be an integer (got 2.5)");
  EXPECT_EQ(error_of_integer(18446744073709551615ULL), "f: step must be an integer (got 18446744073709551615)");
  EXPECT_EQ(error_of_integer("3"), "f: step must be an integer (got \"3\")");
  EXPECT_EQ(error_of_integer(nullptr), "f: step must be an integer (got null)");
}

TEST(DeclaredOptions, EnumNamesParseAndPrint) {
  EXPECT_EQ(parse_enum(kColourNames, "red", "colour"), Colour::Red);
  EXPECT_EQ(enum_name(kColourNames, Colour::Green), "green");
  try {
    parse_enum(kColourNames, "blue", "colour");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "unknown colour 'blue' (known: red, green)");
  }
}

TEST(DeclaredOptions, RequirementWording) {
  OptionSpec spec;
  spec.type = OptionType::Real;
  spec.range = above(0.0);
  EXPECT_EQ(requirement(spec), "must be a number > 0");
  spec.range = {};
  EXPECT_EQ(requirement(spec), "must be a number");
  spec.type = OptionType::Integer;
  spec.range = between(1, 4);
  EXPECT_EQ(requirement(spec), "must be an integer in [1, 4]");
}

}  // namespace
}  // namespace heed
