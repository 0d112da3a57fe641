// The "dates" task: human-readable dates -> ISO "YYYY-MM-DD".
#include <array>

#include <fmt/format.h>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/generators.h"
#include "data/uniform_int.h"

namespace heed {
namespace {

constexpr int kFirstYear = 1950;
constexpr int kLastYear = 2049;

const std::array<const char*, 12> kMonths = {"january", "february", "march",     "april",
                                             "may",     "june",     "july",      "august",
                                             "september", "october", "november", "december"};
const std::array<const char*, 12> kMonthsShort = {"jan", "feb", "mar", "apr", "may", "jun",
                                                  "jul", "aug", "sep", "oct", "nov", "dec"};
// Index 0 = sunday.
const std::array<const char*, 7> kWeekdays = {"sunday",   "monday", "tuesday", "wednesday",
                                              "thursday", "friday", "saturday"};
const std::array<const char*, 7> kWeekdaysShort = {"sun", "mon", "tue", "wed",
                                                   "thu", "fri", "sat"};

// Generation order; format_date's switch follows it.
const std::vector<std::string> kFormatNames = {
    "d month yyyy",            // 3 may 1979
    "dd month yyyy",           // 03 may 1979
    "month d, yyyy",           // may 3, 1979
    "month d yyyy",            // may 3 1979
    "weekday, month d, yyyy",  // tuesday, march 3, 1970
    "wkd, mon d, yyyy",        // tue, mar 3, 1970
    "m/d/yy",                  // 5/30/70
    "mm/dd/yyyy",              // 05/30/1970
    "dd.mm.yy",                // 08.10.11
    "dd.mm.yyyy",              // 30.05.1970
    "the dth of month yyyy",   // the 8th of october 2011
    "mon d, yyyy",             // oct 8, 2011
    "d mon yyyy",              // 8 oct 2011
    "month dth, yyyy",         // october 8th, 2011
    "weekday d month yyyy",    // saturday 8 october 2011
    "dth month yyyy",          // 8th october 2011
};

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 (proleptic Gregorian; H. Hinnant's algorithm).
int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int& y, int& m, int& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

// 0 = sunday; 1970-01-01 was a thursday.
int weekday(int y, int m, int d) {
  const int64_t w = (days_from_civil(y, m, d) + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

std::string num(int v) { return std::to_string(v); }

std::string two(int v) {  // zero-padded to two digits
  return (v < 10 ? "0" : "") + std::to_string(v);
}

std::string ordinal(int d) {
  const char* suffix = "th";
  if (d % 100 < 11 || d % 100 > 13) {
    if (d % 10 == 1) suffix = "st";
    if (d % 10 == 2) suffix = "nd";
    if (d % 10 == 3) suffix = "rd";
  }
  return std::to_string(d) + suffix;
}

std::string iso(int y, int m, int d) {
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

}  // namespace

std::vector<std::string> date_format_names() { return kFormatNames; }

std::string format_date(int year, int month, int day, size_t format_index) {
  if (year < kFirstYear || year > kLastYear || month < 1 || month > 12 || day < 1 ||
      day > days_in_month(year, month)) {
    throw std::invalid_argument("format_date: invalid date " + iso(year, month, day));
  }
  const std::string y = num(year), yy = two(year % 100), d = num(day), dd = two(day);
  const std::string mo = kMonths[month - 1], mon = kMonthsShort[month - 1];
  const int wd = weekday(year, month, day);
  const std::string wkday = kWeekdays[wd], wkd = kWeekdaysShort[wd];
  switch (format_index) {
    case 0: return d + " " + mo + " " + y;
    case 1: return dd + " " + mo + " " + y;
    case 2: return mo + " " + d + ", " + y;
    case 3: return mo + " " + d + " " + y;
    case 4: return wkday + ", " + mo + " " + d + ", " + y;
    case 5: return wkd + ", " + mon + " " + d + ", " + y;
    case 6: return num(month) + "/" + d + "/" + yy;
    case 7: return two(month) + "/" + dd + "/" + y;
    case 8: return dd + "." + two(month) + "." + yy;
    case 9: return dd + "." + two(month) + "." + y;
    case 10: return "the " + ordinal(day) + " of " + mo + " " + y;
    case 11: return mon + " " + d + ", " + y;
    case 12: return d + " " + mon + " " + y;
    case 13: return mo + " " + ordinal(day) + ", " + y;
    case 14: return wkday + " " + d + " " + mo + " " + y;
    case 15: return ordinal(day) + " " + mo + " " + y;
    default:
      throw std::invalid_argument("format_date: format index " + std::to_string(format_index) +
                                  " out of range");
  }
}

std::vector<SentencePair> generate_dates(size_t count, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const int64_t first = days_from_civil(kFirstYear, 1, 1);
  const uint64_t span = static_cast<uint64_t>(days_from_civil(kLastYear, 12, 31) - first + 1);
  std::vector<SentencePair> pairs;
  pairs.reserve(count);
  // Sequential draws (date, then format) make shorter runs prefixes of longer ones.
  for (size_t i = 0; i < count; ++i) {
    int y = 0, m = 0, d = 0;
    civil_from_days(first + static_cast<int64_t>(uniform_below(rng, span)), y, m, d);
    const size_t format = uniform_below(rng, kFormatNames.size());
    pairs.push_back({format_date(y, m, d, format), iso(y, m, d)});
  }
  return pairs;
}

}  // namespace heed
