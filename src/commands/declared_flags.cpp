#include "commands/declared_flags.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace heed {

namespace {
bool is_flag(const OptionSpec& spec) {
  return spec.type == OptionType::Boolean && spec.default_value == false;
}

[[noreturn]] void reject(const OptionSpec& spec, const std::string& text) {
  throw Error(requirement(spec) + " (got " + text + ")");
}

bool in_range(double value, const Range& range) {
  if (std::isnan(value)) return false;
  if (range.min_exclusive ? value <= range.min : value < range.min) return false;
  return value <= range.max;
}
}  // namespace

nlohmann::json parse_option_value(const OptionSpec& spec, const std::string& text) {
  switch (spec.type) {
    case OptionType::Integer: {
      size_t used = 0;
      long long value = 0;
      try {
        value = std::stoll(text, &used);
      } catch (const std::exception&) {
        reject(spec, text);
      }
      if (used != text.size() || !in_range(static_cast<double>(value), spec.range)) reject(spec, text);
      return static_cast<int64_t>(value);
    }
    case OptionType::Real: {
      size_t used = 0;
      double value = 0;
      try {
        value = std::stod(text, &used);
      } catch (const std::exception&) {
        reject(spec, text);
      }
      if (used != text.size() || !std::isfinite(value) || !in_range(value, spec.range)) reject(spec, text);
      return value;
    }
    case OptionType::Boolean:
      if (text == "true" || text == "1") return true;
      if (text == "false" || text == "0") return false;
      reject(spec, text);
    case OptionType::Choice:
      for (const auto& choice : spec.choices) {
        if (choice == text) return text;
      }
      reject(spec, text);
  }
  reject(spec, text);
}

void DeclaredFlags::add(CLI::App* command, const std::vector<OptionSpec>& specs,
                        const std::function<std::string(const OptionSpec&)>& help) {
  for (const auto& spec : specs) {
    Bound& bound = bound_.emplace_back();
    bound.spec = spec;
    if (is_flag(spec)) {
      bound.option = command->add_flag(spec.flag(), bound.set, help(spec));
      continue;
    }
    static const char* const kTypeNames[] = {"INT", "NUMBER", "BOOL", "NAME"};
    const OptionSpec checked = spec;
    bound.option = command->add_option(spec.flag(), bound.text, help(spec))
                       ->check(CLI::Validator(
                           [checked](std::string& text) -> std::string {
                             try {
                               parse_option_value(checked, text);
                               return "";
                             } catch (const Error& e) {
                               return e.what();
                             }
                           },
                           "", ""))
                       ->type_name(kTypeNames[static_cast<int>(spec.type)]);
  }
}

nlohmann::json DeclaredFlags::given(const std::vector<OptionSpec>& specs) const {
  nlohmann::json values = nlohmann::json::object();
  for (const auto& bound : bound_) {
    if (bound.option->count() == 0) continue;
    if (!specs.empty() && std::none_of(specs.begin(), specs.end(),
                                       [&](const OptionSpec& s) { return s.key == bound.spec.key; })) {
      continue;
    }
    values[bound.spec.key] = is_flag(bound.spec) ? nlohmann::json(bound.set)
                                                 : parse_option_value(bound.spec, bound.text);
  }
  return values;
}

bool DeclaredFlags::was_given(const std::string& key) const {
  for (const auto& bound : bound_) {
    if (bound.spec.key == key) return bound.option->count() > 0;
  }
  return false;
}

}  // namespace heed
