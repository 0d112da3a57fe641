// Command-line value checks with short messages ("--lr: must be > 0 (got -1)").
#pragma once

#include <CLI/App.hpp>
#include <CLI/Validators.hpp>

#include <string>

#include "util/options.h"

namespace heed {

inline CLI::Validator positive() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          if (std::stod(value) > 0) return "";
        } catch (const std::exception&) {
        }
        return "must be > 0 (got " + value + ")";
      },
      "> 0");
}

inline CLI::Validator non_negative() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        try {
          if (std::stod(value) >= 0) return "";
        } catch (const std::exception&) {
        }
        return "must be >= 0 (got " + value + ")";
      },
      ">= 0");
}

// An option whose value is one name of an enum's table (util/options.h): parsed as it is
// read, "unknown WHAT 'x' (known: a, b)" otherwise; the help lists the names and the
// default.
template <class E>
CLI::Option* add_choice_option(CLI::App* command, const std::string& flag, E& field, const EnumNames<E>& names,
                               const std::string& what, const std::string& help) {
  std::string known;
  for (const auto& entry : names) known += (known.empty() ? "" : ", ") + entry.first;
  return command
      ->add_option_function<std::string>(
          flag, [&field, names, what](const std::string& text) { field = parse_enum(names, text, what); },
          help + " (" + known + "; default " + enum_name(names, field) + ")")
      ->type_name("NAME");
}

}  // namespace heed
