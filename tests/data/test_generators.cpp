// Tests for the built-in generated tasks (dates, reverse).
//
// The dates tests carry their own small parser and weekday computation, written
// independently of the generator, and parse every surface format back.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <ostream>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "data/generators.h"
#include "data/uniform_int.h"
#include "util/error.h"

namespace heed {
namespace {

// ---------------------------------------------------------------------------
// Independent date helpers

struct Ymd {
  int y = 0, m = 0, d = 0;
  bool operator==(const Ymd& o) const { return y == o.y && m == o.m && d == o.d; }
  bool operator<(const Ymd& o) const { return std::tie(y, m, d) < std::tie(o.y, o.m, o.d); }
};

std::ostream& operator<<(std::ostream& os, const Ymd& v) {
  return os << v.y << "-" << v.m << "-" << v.d;
}

bool leap(int y) { return y % 400 == 0 || (y % 100 != 0 && y % 4 == 0); }

int month_length(int y, int m) {
  const int lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return lengths[m - 1] + (m == 2 && leap(y) ? 1 : 0);
}

// Weekday name by counting days from the anchor 1970-01-01 (a thursday).
std::string weekday_name(const Ymd& v) {
  long days = 0;  // v minus 1970-01-01
  for (int y = 1970; y < v.y; ++y) days += leap(y) ? 366 : 365;
  for (int y = v.y; y < 1970; ++y) days -= leap(y) ? 366 : 365;
  for (int m = 1; m < v.m; ++m) days += month_length(v.y, m);
  days += v.d - 1;
  static const char* names[] = {"thursday", "friday",  "saturday", "sunday",
                                "monday",   "tuesday", "wednesday"};
  return names[((days % 7) + 7) % 7];
}

std::string iso(const Ymd& v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", v.y, v.m, v.d);
  return buf;
}

const std::vector<std::string> kMonthNames = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

int month_index(const std::string& name) {  // 1-based; full or 3-letter name
  for (int i = 0; i < 12; ++i) {
    if (name == kMonthNames[i] || name == kMonthNames[i].substr(0, 3)) return i + 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Format templates. Each token becomes one capture group:
//   WEEKDAY / WKD   full / 3-letter weekday     MONTH / MON  full / 3-letter month
//   D / DD          day without / with zero pad M / MM       month without / with zero pad
//   DTH             ordinal day ("3rd")         YY / YYYY    2-digit (pivot 50) / 4-digit year

const std::map<std::string, std::string> kTemplates = {
    {"d month yyyy", "D MONTH YYYY"},
    {"dd month yyyy", "DD MONTH YYYY"},
    {"month d, yyyy", "MONTH D, YYYY"},
    {"month d yyyy", "MONTH D YYYY"},
    {"weekday, month d, yyyy", "WEEKDAY, MONTH D, YYYY"},
    {"wkd, mon d, yyyy", "WKD, MON D, YYYY"},
    {"m/d/yy", "M/D/YY"},
    {"mm/dd/yyyy", "MM/DD/YYYY"},
    {"dd.mm.yy", "DD.MM.YY"},
    {"dd.mm.yyyy", "DD.MM.YYYY"},
    {"the dth of month yyyy", "the DTH of MONTH YYYY"},
    {"mon d, yyyy", "MON D, YYYY"},
    {"d mon yyyy", "D MON YYYY"},
    {"month dth, yyyy", "MONTH DTH, YYYY"},
    {"weekday d month yyyy", "WEEKDAY D MONTH YYYY"},
    {"dth month yyyy", "DTH MONTH YYYY"},
};

const std::vector<std::pair<std::string, std::string>> kTokens = {
    // Longest tokens first so "MONTH" is not read as "MON" + "TH", etc.
    {"WEEKDAY", "(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"},
    {"MONTH",
     "(january|february|march|april|may|june|july|august|september|october|november|december)"},
    {"YYYY", "([0-9]{4})"},
    {"WKD", "(mon|tue|wed|thu|fri|sat|sun)"},
    {"MON", "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"},
    {"DTH", "([1-9][0-9]?)(st|nd|rd|th)"},
    {"YY", "([0-9]{2})"},
    {"DD", "([0-9]{2})"},
    {"MM", "([0-9]{2})"},
    {"D", "([1-9][0-9]?)"},
    {"M", "([1-9][0-9]?)"},
};

std::string expected_suffix(int d) {  // English ordinal rule
  if (d >= 11 && d <= 13) return "th";
  switch (d % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
  }
}

struct Template {
  std::regex re;
  std::vector<std::string> fields;  // token per capture (DTH adds a "SUFFIX" capture)
};

Template compile_template(const std::string& spec) {
  Template t;
  std::string pattern;
  size_t i = 0;
  while (i < spec.size()) {
    bool matched = false;
    for (const auto& [token, re] : kTokens) {
      if (spec.compare(i, token.size(), token) == 0) {
        pattern += re;
        t.fields.push_back(token);
        if (token == "DTH") t.fields.push_back("SUFFIX");
        i += token.size();
        matched = true;
        break;
      }
    }
    if (matched) continue;
    const char c = spec[i++];
    if (c == '.' || c == '/') pattern += '\\';
    pattern += c;
  }
  t.re = std::regex(pattern);
  return t;
}

// Parses `text` with one template; nullopt on any mismatch or inconsistency
// (bad ordinal suffix, wrong weekday, impossible date, leading-zero rules).
std::optional<Ymd> parse_with(const Template& t, const std::string& text) {
  std::smatch match;
  if (!std::regex_match(text, match, t.re)) return std::nullopt;
  Ymd v;
  std::string weekday, suffix;
  for (size_t k = 0; k < t.fields.size(); ++k) {
    const std::string& f = t.fields[k];
    const std::string s = match[k + 1].str();
    if (f == "WEEKDAY") weekday = s;
    if (f == "WKD") weekday = s;
    if (f == "MONTH" || f == "MON") v.m = month_index(s);
    if (f == "D" || f == "DD" || f == "DTH") v.d = std::stoi(s);
    if (f == "M" || f == "MM") v.m = std::stoi(s);
    if (f == "SUFFIX") suffix = s;
    if (f == "YYYY") v.y = std::stoi(s);
    if (f == "YY") {
      const int yy = std::stoi(s);
      v.y = yy >= 50 ? 1900 + yy : 2000 + yy;
    }
  }
  if (v.y < 1950 || v.y > 2049 || v.m < 1 || v.m > 12 || v.d < 1 ||
      v.d > month_length(v.y, v.m)) {
    return std::nullopt;
  }
  if (!suffix.empty() && suffix != expected_suffix(v.d)) return std::nullopt;
  if (!weekday.empty()) {
    const std::string full = weekday_name(v);
    if (weekday != full && weekday != full.substr(0, 3)) return std::nullopt;
  }
  return v;
}

// Templates indexed like date_format_names().
std::vector<Template> compiled_templates() {
  std::vector<Template> out;
  for (const std::string& name : date_format_names()) out.push_back(compile_template(kTemplates.at(name)));
  return out;
}

// Dates that exercise leap days, ordinal suffixes and range ends, plus random ones.
std::vector<Ymd> test_dates() {
  std::vector<Ymd> dates = {{1950, 1, 1}, {2049, 12, 31}, {1999, 12, 31}, {2000, 1, 1},
                            {2000, 2, 29}, {1970, 1, 1},  {1969, 12, 31}, {2001, 3, 3}};
  for (int y = 1952; y <= 2048; y += 4) dates.push_back({y, 2, 29});
  for (int d : {1, 2, 3, 4, 9, 10, 11, 12, 13, 20, 21, 22, 23, 24, 30, 31}) {
    for (int m : {1, 3, 5, 7, 8, 10, 12}) dates.push_back({1950 + (d * 7 + m * 13) % 100, m, d});
  }
  std::mt19937 rng(12345);
  for (int i = 0; i < 1500; ++i) {
    Ymd v;
    v.y = 1950 + static_cast<int>(rng() % 100);
    v.m = 1 + static_cast<int>(rng() % 12);
    v.d = 1 + static_cast<int>(rng() % static_cast<unsigned>(month_length(v.y, v.m)));
    dates.push_back(v);
  }
  return dates;
}

std::optional<Ymd> parse_iso(const std::string& s) {
  static const std::regex re("([0-9]{4})-([0-9]{2})-([0-9]{2})");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  return Ymd{std::stoi(m[1]), std::stoi(m[2]), std::stoi(m[3])};
}

// ---------------------------------------------------------------------------
// Dates

TEST(DateFormats, NamesMatchTheTestTemplates) {
  const std::vector<std::string> names = date_format_names();
  EXPECT_GE(names.size(), 14u);
  EXPECT_EQ(names.size(), kTemplates.size());
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const std::string& name : names) EXPECT_EQ(kTemplates.count(name), 1u) << name;
}

TEST(DateFormats, ExamplesRenderExactly) {
  // 1979-05-03 was a thursday, 1970-05-30 a saturday, 2011-10-08 a saturday.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"d month yyyy", "3 may 1979"},
      {"dd month yyyy", "03 may 1979"},
      {"month d, yyyy", "may 3, 1979"},
      {"month d yyyy", "may 3 1979"},
      {"weekday, month d, yyyy", "thursday, may 3, 1979"},
      {"wkd, mon d, yyyy", "thu, may 3, 1979"},
      {"m/d/yy", "5/3/79"},
      {"mm/dd/yyyy", "05/03/1979"},
      {"dd.mm.yy", "03.05.79"},
      {"dd.mm.yyyy", "03.05.1979"},
      {"the dth of month yyyy", "the 3rd of may 1979"},
      {"mon d, yyyy", "may 3, 1979"},
      {"d mon yyyy", "3 may 1979"},
      {"month dth, yyyy", "may 3rd, 1979"},
      {"weekday d month yyyy", "thursday 3 may 1979"},
      {"dth month yyyy", "3rd may 1979"},
  };
  const std::vector<std::string> names = date_format_names();
  for (const auto& [name, expected] : cases) {
    const auto it = std::find(names.begin(), names.end(), name);
    ASSERT_NE(it, names.end()) << name;
    EXPECT_EQ(format_date(1979, 5, 3, static_cast<size_t>(it - names.begin())), expected);
  }
  EXPECT_EQ(format_date(1970, 3, 3, 4), "tuesday, march 3, 1970");
  EXPECT_EQ(format_date(1970, 3, 3, 5), "tue, mar 3, 1970");
  EXPECT_EQ(format_date(1970, 5, 30, 6), "5/30/70");
  EXPECT_EQ(format_date(2011, 10, 8, 8), "08.10.11");
  EXPECT_EQ(format_date(2011, 10, 8, 14), "saturday 8 october 2011");
  EXPECT_EQ(format_date(2005, 9, 4, 5), "sun, sep 4, 2005");
  EXPECT_EQ(format_date(2005, 9, 4, 6), "9/4/05");
  EXPECT_EQ(format_date(2049, 12, 31, 9), "31.12.2049");
  EXPECT_EQ(format_date(1950, 1, 1, 8), "01.01.50");
}

TEST(DateFormats, OrdinalSuffixes) {
  const std::map<int, std::string> expected = {
      {1, "1st"},   {2, "2nd"},   {3, "3rd"},   {4, "4th"},   {10, "10th"}, {11, "11th"},
      {12, "12th"}, {13, "13th"}, {14, "14th"}, {20, "20th"}, {21, "21st"}, {22, "22nd"},
      {23, "23rd"}, {24, "24th"}, {30, "30th"}, {31, "31st"}};
  for (const auto& [day, ord] : expected) {
    EXPECT_EQ(format_date(2011, 1, day, 10), "the " + ord + " of january 2011");
    EXPECT_EQ(format_date(2011, 1, day, 15), ord + " january 2011");
  }
}

TEST(DateFormats, IndependentWeekdayAnchor) {
  // Sanity-check the test's own weekday helper against well-known dates.
  EXPECT_EQ(weekday_name({1970, 1, 1}), "thursday");
  EXPECT_EQ(weekday_name({2000, 1, 1}), "saturday");
  EXPECT_EQ(weekday_name({1969, 7, 20}), "sunday");
  EXPECT_EQ(weekday_name({2001, 9, 11}), "tuesday");
  EXPECT_EQ(weekday_name({1950, 1, 1}), "sunday");
  EXPECT_EQ(weekday_name({2049, 12, 31}), "friday");
}

TEST(DateFormats, EveryFormatParsesBackToTheSameDate) {
  const std::vector<Template> templates = compiled_templates();
  const std::vector<Ymd> dates = test_dates();
  for (size_t f = 0; f < templates.size(); ++f) {
    for (const Ymd& v : dates) {
      const std::string text = format_date(v.y, v.m, v.d, f);
      const std::optional<Ymd> back = parse_with(templates[f], text);
      ASSERT_TRUE(back.has_value()) << "format " << f << " '" << text << "' for " << v;
      ASSERT_EQ(*back, v) << "format " << f << " '" << text << "'";
    }
  }
}

TEST(DateFormats, WeekdaysAreCorrect) {
  const std::vector<std::string> names = date_format_names();
  for (const Ymd& v : test_dates()) {
    const std::string wd = weekday_name(v);
    EXPECT_EQ(format_date(v.y, v.m, v.d, 4).substr(0, wd.size() + 1), wd + ",");
    EXPECT_EQ(format_date(v.y, v.m, v.d, 5).substr(0, 4), wd.substr(0, 3) + ",");
    EXPECT_EQ(format_date(v.y, v.m, v.d, 14).substr(0, wd.size() + 1), wd + " ");
  }
}

TEST(DateFormats, RejectsBadInput) {
  const size_t n = date_format_names().size();
  EXPECT_THROW(format_date(2000, 1, 1, n), std::exception);
  EXPECT_THROW(format_date(1949, 12, 31, 0), std::exception);
  EXPECT_THROW(format_date(2050, 1, 1, 0), std::exception);
  EXPECT_THROW(format_date(2001, 2, 29, 0), std::exception);
  EXPECT_THROW(format_date(2000, 13, 1, 0), std::exception);
  EXPECT_THROW(format_date(2000, 4, 31, 0), std::exception);
  EXPECT_THROW(format_date(2000, 1, 0, 0), std::exception);
  EXPECT_NO_THROW(format_date(2000, 2, 29, 0));
}

TEST(GenerateDates, Golden) {
  const std::vector<SentencePair> pairs = generate_dates(3, 1);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].source, "saturday 2 january 1960");
  EXPECT_EQ(pairs[0].target, "1960-01-02");
  EXPECT_EQ(pairs[1].source, "sunday 15 january 1956");
  EXPECT_EQ(pairs[1].target, "1956-01-15");
  EXPECT_EQ(pairs[2].source, "08.10.2047");
  EXPECT_EQ(pairs[2].target, "2047-10-08");
}

TEST(GenerateDates, DeterministicGivenSeed) {
  const auto a = generate_dates(500, 42);
  const auto b = generate_dates(500, 42);
  ASSERT_EQ(a.size(), 500u);
  ASSERT_EQ(b.size(), 500u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].source, b[i].source);
    EXPECT_EQ(a[i].target, b[i].target);
  }
  EXPECT_TRUE(generate_dates(0, 42).empty());
}

TEST(GenerateDates, DifferentSeedsDiffer) {
  const auto a = generate_dates(50, 1);
  const auto b = generate_dates(50, 2);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) same += a[i].source == b[i].source;
  EXPECT_LT(same, 5u);
}

TEST(GenerateDates, ShorterRunIsPrefixOfLonger) {
  const auto shorter = generate_dates(37, 9);
  const auto longer = generate_dates(400, 9);
  ASSERT_EQ(shorter.size(), 37u);
  for (size_t i = 0; i < shorter.size(); ++i) {
    EXPECT_EQ(shorter[i].source, longer[i].source);
    EXPECT_EQ(shorter[i].target, longer[i].target);
  }
}

TEST(GenerateDates, SourcesParseToTheirIsoTargetsAndCoverAllFormats) {
  const std::vector<Template> templates = compiled_templates();
  const auto pairs = generate_dates(5000, 2024);
  std::vector<size_t> unique_hits(templates.size(), 0);
  std::map<int, size_t> per_decade;
  for (const SentencePair& p : pairs) {
    const std::optional<Ymd> target = parse_iso(p.target);
    ASSERT_TRUE(target.has_value()) << p.target;
    ASSERT_EQ(iso(*target), p.target);  // exactly zero-padded ISO
    // Every template that accepts the source must agree with the target
    // (no ambiguity across formats); at least one must accept it.
    std::vector<size_t> accepting;
    for (size_t f = 0; f < templates.size(); ++f) {
      const std::optional<Ymd> parsed = parse_with(templates[f], p.source);
      if (!parsed) continue;
      EXPECT_EQ(*parsed, *target) << "'" << p.source << "' under format " << f;
      accepting.push_back(f);
    }
    ASSERT_FALSE(accepting.empty()) << "unparseable source '" << p.source << "'";
    if (accepting.size() == 1) ++unique_hits[accepting[0]];
    ++per_decade[(target->y - 1950) / 10];
    EXPECT_EQ(p.source, format_date(target->y, target->m, target->d, accepting[0]));
  }
  for (size_t f = 0; f < templates.size(); ++f) {
    EXPECT_GT(unique_hits[f], 0u) << "format never seen: " << date_format_names()[f];
  }
  // Uniform over 100 years: about 500 per decade (sd ~21).
  ASSERT_EQ(per_decade.size(), 10u);
  for (const auto& [decade, n] : per_decade) {
    EXPECT_GT(n, 400u) << "decade " << decade;
    EXPECT_LT(n, 600u) << "decade " << decade;
  }
}

// ---------------------------------------------------------------------------
// Sampling helper

TEST(UniformBelow, StaysInRangeAndHitsEveryValue) {
  std::mt19937_64 rng(3);
  std::vector<size_t> counts(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const uint64_t v = uniform_below(rng, 7);
    ASSERT_LT(v, 7u);
    ++counts[v];
  }
  for (size_t c : counts) {
    EXPECT_GT(c, 850u);
    EXPECT_LT(c, 1150u);
  }
  EXPECT_EQ(uniform_below(rng, 1), 0u);
  EXPECT_THROW(uniform_below(rng, 0), std::exception);
}

// ---------------------------------------------------------------------------
// Reverse

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t space = s.find(' ', start);
    out.push_back(s.substr(start, space - start));
    if (space == std::string::npos) break;
    start = space + 1;
  }
  return out;
}

TEST(GenerateReverse, Golden) {
  const auto pairs = generate_reverse(3, 1);
  ASSERT_EQ(pairs.size(), 3u);
  EXPECT_EQ(pairs[0].source, "c k g e j i f i e q d");
  EXPECT_EQ(pairs[0].target, "d q e i f i j e g k c");
  EXPECT_EQ(pairs[1].source, "h a n j k d a d h i");
  EXPECT_EQ(pairs[2].source, "h o t r a k d f r i");
}

TEST(GenerateReverse, TargetIsReversedSourceWithinOptions) {
  ReverseOptions options;
  options.min_length = 2;
  options.max_length = 6;
  options.alphabet_size = 5;
  const auto pairs = generate_reverse(2000, 11, options);
  ASSERT_EQ(pairs.size(), 2000u);
  std::set<size_t> lengths;
  std::set<std::string> symbols;
  for (const SentencePair& p : pairs) {
    std::vector<std::string> src = split(p.source);
    const std::vector<std::string> tgt = split(p.target);
    ASSERT_GE(src.size(), 2u) << p.source;
    ASSERT_LE(src.size(), 6u) << p.source;
    lengths.insert(src.size());
    for (const std::string& s : src) {
      ASSERT_EQ(s.size(), 1u) << p.source;
      ASSERT_GE(s[0], 'a');
      ASSERT_LE(s[0], 'e');
      symbols.insert(s);
    }
    std::reverse(src.begin(), src.end());
    ASSERT_EQ(src, tgt) << p.source << " -> " << p.target;
  }
  EXPECT_EQ(lengths, (std::set<size_t>{2, 3, 4, 5, 6}));
  EXPECT_EQ(symbols, (std::set<std::string>{"a", "b", "c", "d", "e"}));
}

TEST(GenerateReverse, DefaultsAndEdgeOptions) {
  for (const SentencePair& p : generate_reverse(300, 5)) {
    const auto src = split(p.source);
    EXPECT_GE(src.size(), 3u);
    EXPECT_LE(src.size(), 12u);
    for (const std::string& s : src) EXPECT_TRUE(s[0] >= 'a' && s[0] < 'a' + 20) << s;
  }
  ReverseOptions fixed;
  fixed.min_length = fixed.max_length = 1;
  fixed.alphabet_size = 1;
  for (const SentencePair& p : generate_reverse(10, 5, fixed)) {
    EXPECT_EQ(p.source, "a");
    EXPECT_EQ(p.target, "a");
  }
  ReverseOptions full;
  full.alphabet_size = 26;
  std::set<char> seen;
  for (const SentencePair& p : generate_reverse(500, 5, full)) {
    for (const std::string& s : split(p.source)) seen.insert(s[0]);
  }
  EXPECT_EQ(seen.size(), 26u);
  EXPECT_EQ(*seen.begin(), 'a');
  EXPECT_EQ(*seen.rbegin(), 'z');
}

TEST(GenerateReverse, DeterministicPrefixAndSeedSensitive) {
  const auto a = generate_reverse(200, 77);
  const auto b = generate_reverse(200, 77);
  const auto prefix = generate_reverse(20, 77);
  const auto c = generate_reverse(200, 78);
  size_t same = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].source, b[i].source);
    EXPECT_EQ(a[i].target, b[i].target);
    if (i < prefix.size()) {
      EXPECT_EQ(prefix[i].source, a[i].source);
    }
    same += a[i].source == c[i].source;
  }
  EXPECT_LT(same, 5u);
}

TEST(GenerateReverse, RejectsBadOptions) {
  ReverseOptions o;
  o.alphabet_size = 0;
  EXPECT_THROW(generate_reverse(1, 1, o), Error);
  o.alphabet_size = 27;
  EXPECT_THROW(generate_reverse(1, 1, o), Error);
  o = ReverseOptions{};
  o.min_length = 0;
  EXPECT_THROW(generate_reverse(1, 1, o), Error);
  o = ReverseOptions{};
  o.min_length = 5;
  o.max_length = 4;
  EXPECT_THROW(generate_reverse(1, 1, o), Error);
  o.max_length = 5;
  EXPECT_NO_THROW(generate_reverse(1, 1, o));
  o = ReverseOptions{};
  o.alphabet_size = 26;
  EXPECT_NO_THROW(generate_reverse(1, 1, o));
  // Bad options throw even when nothing would be generated.
  o.alphabet_size = 27;
  EXPECT_THROW(generate_reverse(0, 1, o), Error);
}

}  // namespace
}  // namespace heed
