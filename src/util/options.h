// Declared options: each option is declared once, beside the field that holds it, and
// every use is derived from that declaration.
//
// A configuration struct lists its options in a member template
//
//   template <class Visitor> void declare(Visitor& v) {
//     v(emb, {"emb", "embedding size, both sides", at_least(1)});
//     v(lr_schedule, {"lr_schedule", "learning-rate schedule"}, kLrScheduleNames);
//   }
//
// and the field's initializer is the option's default. From that one list come
//   - the JSON of config.json (options_to_json) and its validated reading
//     (OptionReader: types, ranges, unknown keys), used for model hyperparameters,
//     training options, per-model training defaults and --resume;
//   - the command-line flags and recipe keys (OptionSpec, bound by commands/ to CLI11):
//     key `attention_size` is the flag `--attention-size` and the recipe key
//     `attention-size`;
//   - the listing of `heed models`.
// A renamed key therefore renames its flag, its recipe key and its JSON key together, and
// an old name in a stored file is an error naming it, never silently ignored.
#pragma once

#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/error.h"

namespace heed {

// A closed or half-open interval of numbers; an integer option rounds nothing.
struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;  // (min, max] instead of [min, max]
};

inline Range at_least(double min) { return {min, std::numeric_limits<double>::infinity(), false}; }
inline Range above(double min) { return {min, std::numeric_limits<double>::infinity(), true}; }
inline Range between(double min, double max) { return {min, max, false}; }

// What a declaration says besides its type and default.
struct OptionInfo {
  const char* key;   // JSON key; the flag is "--" + key with '-' for '_'
  const char* help;  // one line for --help and `heed models`
  Range range = {};  // numbers only
};

// The names of an enum's values, in the order help lists them. One table per enum is
// the only place its spellings live (parse_enum and enum_name read it).
template <class E>
using EnumNames = std::vector<std::pair<std::string, E>>;

template <class E>
E parse_enum(const EnumNames<E>& names, const std::string& text, const std::string& what) {
  std::string known;
  for (const auto& [name, value] : names) {
    if (name == text) return value;
    known += (known.empty() ? "" : ", ") + name;
  }
  throw Error("unknown " + what + " '" + text + "' (known: " + known + ")");
}

template <class E>
const std::string& enum_name(const EnumNames<E>& names, E value) {
  for (const auto& entry : names) {
    if (entry.second == value) return entry.first;
  }
  throw Error("enum value without a name");  // a table that misses a value: a bug
}

enum class OptionType { Integer, Real, Boolean, Choice };

// An option as the outside world sees it: for flags, recipes and listings.
struct OptionSpec {
  std::string key;
  OptionType type = OptionType::Integer;
  std::string help;
  nlohmann::json default_value;       // the declared default
  Range range;                        // Integer / Real
  std::vector<std::string> choices;   // Choice
  std::vector<std::string> used_by;   // models that declare it (hyperparameters only)

  std::string flag() const;  // "--attention-size"
};

// "attention_size" -> "--attention-size"
std::string flag_name(const std::string& key);

// "must be an integer >= 1", "must be a number in [0, 0.99]", "must be one of a, b".
std::string requirement(const OptionSpec& spec);

// Collects the declarations of a struct, defaults taken from its current values.
class SpecCollector {
 public:
  void operator()(int64_t& field, const OptionInfo& info) { add(info, OptionType::Integer, field); }
  void operator()(uint64_t& field, const OptionInfo& info) { add(info, OptionType::Integer, field); }
  void operator()(double& field, const OptionInfo& info) { add(info, OptionType::Real, field); }
  void operator()(bool& field, const OptionInfo& info) { add(info, OptionType::Boolean, field); }
  template <class E>
  void operator()(E& field, const OptionInfo& info, const EnumNames<E>& names) {
    OptionSpec& spec = add(info, OptionType::Choice, enum_name(names, field));
    for (const auto& entry : names) spec.choices.push_back(entry.first);
  }
  std::vector<OptionSpec> specs;

 private:
  OptionSpec& add(const OptionInfo& info, OptionType type, nlohmann::json default_value);
};

// Writes the declared fields as JSON, in declaration order of keys (nlohmann sorts them).
class JsonWriter {
 public:
  template <class T>
  void operator()(T& field, const OptionInfo& info) { json[info.key] = field; }
  template <class E>
  void operator()(E& field, const OptionInfo& info, const EnumNames<E>& names) {
    json[info.key] = enum_name(names, field);
  }
  nlohmann::json json = nlohmann::json::object();
};

// Sets the declared fields named in a JSON object, checking type and range; finish()
// rejects keys no declaration read. Errors are heed::Error naming the flag
// ("--hidden must be an integer >= 1 (got 0)").
class OptionReader {
 public:
  // unknown_key(key) words the error for a key nothing declared.
  OptionReader(const nlohmann::json& values, std::string (*unknown_key)(const std::string& key, const std::string& context),
               std::string context);

  void operator()(int64_t& field, const OptionInfo& info);
  void operator()(uint64_t& field, const OptionInfo& info);
  void operator()(double& field, const OptionInfo& info);
  void operator()(bool& field, const OptionInfo& info);
  template <class E>
  void operator()(E& field, const OptionInfo& info, const EnumNames<E>& names) {
    const nlohmann::json* item = take(info.key);
    if (item == nullptr) return;
    if (!item->is_string()) fail(info, names_requirement(names), *item);
    for (const auto& [name, value] : names) {
      if (name == item->get<std::string>()) {
        field = value;
        return;
      }
    }
    fail(info, names_requirement(names), *item);
  }
  void finish() const;

 private:
  const nlohmann::json* take(const char* key);
  [[noreturn]] static void fail(const OptionInfo& info, const std::string& requirement, const nlohmann::json& got);
  template <class E>
  static std::string names_requirement(const EnumNames<E>& names) {
    std::string known;
    for (const auto& entry : names) known += (known.empty() ? "" : ", ") + entry.first;
    return "must be one of " + known;
  }
  // unsigned_field: the value is stored in a uint64_t field (integers above INT64_MAX fit).
  void read_integer(int64_t& field, const OptionInfo& info, double min, bool unsigned_field);

  const nlohmann::json& values_;
  std::string (*unknown_key_)(const std::string&, const std::string&);
  std::string context_;
  std::set<std::string> seen_;
};

// The integer a JSON value holds: a JSON integer that fits int64_t, or a number without a
// fractional part within +-9e15 (3.0 from a hand-edited file). heed::Error "WHAT must be
// an integer (got VALUE)" otherwise. Every integer a stored file holds is read through it:
// nlohmann's get<int64_t>() of a number outside int64_t's range is undefined behaviour.
int64_t json_integer(const nlohmann::json& value, const std::string& what);

template <class Config>
std::vector<OptionSpec> option_specs() {
  Config defaults;
  SpecCollector collector;
  defaults.declare(collector);
  return collector.specs;
}

template <class Config>
nlohmann::json options_to_json(const Config& config) {
  Config copy = config;
  JsonWriter writer;
  copy.declare(writer);
  return writer.json;
}

// Sets the options named in `values` (a JSON object, or null for none) on `config`.
template <class Config>
void set_options(Config& config, const nlohmann::json& values,
                 std::string (*unknown_key)(const std::string&, const std::string&), const std::string& context) {
  OptionReader reader(values, unknown_key, context);
  config.declare(reader);
  reader.finish();
}

}  // namespace heed
