// Command-line value checks with short messages ("--lr: must be > 0 (got -1)").
#pragma once

#include <CLI/Validators.hpp>

#include <string>

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

}  // namespace heed
