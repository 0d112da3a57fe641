#include "util/options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace heed {

namespace {
// Numbers in messages as a user would type them: 1, 0.99, 1e-06.
std::string number(double value) { return fmt::format("{}", value); }

std::string range_requirement(const Range& range, bool integer) {
  const std::string what = integer ? "an integer" : "a number";
  const bool has_min = std::isfinite(range.min), has_max = std::isfinite(range.max);
  if (has_min && has_max) {
    return "must be " + what + " in " + (range.min_exclusive ? "(" : "[") + number(range.min) + ", " +
           number(range.max) + "]";
  }
  if (has_min) return "must be " + what + (range.min_exclusive ? " > " : " >= ") + number(range.min);
  if (has_max) return "must be " + what + " <= " + number(range.max);
  return "must be " + what;
}

bool in_range(double value, const Range& range) {
  if (std::isnan(value)) return false;
  if (range.min_exclusive ? value <= range.min : value < range.min) return false;
  return value <= range.max;
}
}  // namespace

std::string flag_name(const std::string& key) {
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string OptionSpec::flag() const { return flag_name(key); }

std::string requirement(const OptionSpec& spec) {
  switch (spec.type) {
    case OptionType::Integer: return range_requirement(spec.range, true);
    case OptionType::Real: return range_requirement(spec.range, false);
    case OptionType::Boolean: return "must be true or false";
    case OptionType::Choice: {
      std::string known;
      for (const auto& choice : spec.choices) known += (known.empty() ? "" : ", ") + choice;
      return "must be one of " + known;
    }
  }
  return "";
}

OptionSpec& SpecCollector::add(const OptionInfo& info, OptionType type, nlohmann::json default_value) {
  OptionSpec spec;
  spec.key = info.key;
  spec.type = type;
  spec.help = info.help;
  spec.default_value = std::move(default_value);
  spec.range = info.range;
  specs.push_back(std::move(spec));
  return specs.back();
}

OptionReader::OptionReader(const nlohmann::json& values,
                           std::string (*unknown_key)(const std::string&, const std::string&), std::string context)
    : values_(values), unknown_key_(unknown_key), context_(std::move(context)) {
  if (!values_.is_null() && !values_.is_object()) throw Error(context_ + ": options must be a JSON object");
}

const nlohmann::json* OptionReader::take(const char* key) {
  if (values_.is_null() || !values_.contains(key)) return nullptr;
  seen_.insert(key);
  return &values_.at(key);
}

void OptionReader::fail(const OptionInfo& info, const std::string& requirement, const nlohmann::json& got) {
  throw Error(flag_name(info.key) + " " + requirement + " (got " + got.dump() + ")");
}

namespace {

// The integer a JSON number holds exactly: 3.0 from a hand-edited file is one, 3.5 is
// not. None when it does not fit an int64_t, except with `wrap_unsigned`: an unsigned
// value above INT64_MAX is kept bit for bit (for uint64_t fields).
std::optional<int64_t> whole_number(const nlohmann::json& value, bool wrap_unsigned) {
  if (value.is_number_unsigned()) {
    const uint64_t number = value.get<uint64_t>();
    if (!wrap_unsigned && number > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(number);
  }
  if (value.is_number_integer()) return value.get<int64_t>();
  // Not static_cast<int64_t>(get<double>()) of any double: near INT64_MAX that rounds up
  // to 2^63, out of range (undefined behaviour).
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (std::nearbyint(number) == number && std::fabs(number) < 9e15) return static_cast<int64_t>(number);
  }
  return std::nullopt;
}

}  // namespace

void OptionReader::read_integer(int64_t& field, const OptionInfo& info, double min, bool unsigned_field) {
  const nlohmann::json* item = take(info.key);
  if (item == nullptr) return;
  Range range = info.range;
  range.min = std::max(range.min, min);
  const std::optional<int64_t> value = whole_number(*item, unsigned_field);
  if (!value || !in_range(item->get<double>(), range)) fail(info, range_requirement(range, true), *item);
  field = *value;
}

int64_t json_integer(const nlohmann::json& value, const std::string& what) {
  if (const auto number = whole_number(value, /*wrap_unsigned=*/false)) return *number;
  throw Error(what + " must be an integer (got " + value.dump() + ")");
}

void OptionReader::operator()(int64_t& field, const OptionInfo& info) {
  read_integer(field, info, -std::numeric_limits<double>::infinity(), false);
}

void OptionReader::operator()(uint64_t& field, const OptionInfo& info) {
  int64_t value = static_cast<int64_t>(field);
  read_integer(value, info, 0.0, true);
  field = static_cast<uint64_t>(value);
}

void OptionReader::operator()(double& field, const OptionInfo& info) {
  const nlohmann::json* item = take(info.key);
  if (item == nullptr) return;
  if (!item->is_number() || !in_range(item->get<double>(), info.range)) {
    fail(info, range_requirement(info.range, false), *item);
  }
  field = item->get<double>();
}

void OptionReader::operator()(bool& field, const OptionInfo& info) {
  const nlohmann::json* item = take(info.key);
  if (item == nullptr) return;
  if (!item->is_boolean()) fail(info, "must be true or false", *item);
  field = item->get<bool>();
}

void OptionReader::finish() const {
  if (values_.is_null()) return;
  for (const auto& item : values_.items()) {
    if (!seen_.count(item.key())) throw Error(unknown_key_(item.key(), context_));
  }
}

}  // namespace heed
