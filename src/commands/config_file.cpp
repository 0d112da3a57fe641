#include "commands/config_file.h"

#include <fmt/format.h>
#include <CLI/TypeTools.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>

#include "util/error.h"

namespace heed {

namespace {
std::string at(const std::string& path, const toml::source_region& where, const std::string& message) {
  return at_line(path, static_cast<size_t>(where.begin.line), message);
}

// A TOML value as the text a user would type after the flag.
std::string argument_text(const toml::node& value, const std::string& path, const std::string& key) {
  if (const auto* text = value.as_string()) return text->get();
  if (const auto* integer = value.as_integer()) return std::to_string(integer->get());
  if (const auto* real = value.as_floating_point()) return fmt::format("{}", real->get());
  throw Error(at(path, value.source(), key + ": expected a string, a number or true/false"));
}

// Whether CLI11 converts `text` to the type its name for the option says (INT, UINT,
// FLOAT), as it will when it parses the arguments, where the file and line are lost.
bool converts(const CLI::Option& option, const std::string& text) {
  const std::string type = option.get_type_name();
  if (type == "INT") {
    std::int64_t value = 0;
    return CLI::detail::lexical_cast(text, value);
  }
  if (type == "UINT") {
    std::uint64_t value = 0;
    return CLI::detail::lexical_cast(text, value);
  }
  if (type == "FLOAT") {
    double value = 0;
    return CLI::detail::lexical_cast(text, value);
  }
  return true;
}

// What the option's validators say of `text` ("" when it passes them all).
std::string validation_error(CLI::Option& option, std::string text) {
  for (int index = 0;; ++index) {
    CLI::Validator* validator = nullptr;
    try {
      validator = option.get_validator(index);
    } catch (const CLI::OptionNotFound&) {
      return "";
    }
    const std::string problem = (*validator)(text);
    if (!problem.empty()) return problem;
  }
}

// The file's entries as command-line arguments for `command`.
std::vector<std::string> config_arguments(CLI::App& command, const std::string& path) {
  if (std::filesystem::is_directory(path)) throw Error(path + " is a directory, not a config file");
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!std::filesystem::exists(path)) throw Error("cannot open " + path);
    throw Error(at(path, e.source(), std::string(e.description())));
  }
  // toml++ iterates keys in order of their names; the file's order is kept for the
  // command line, so a repeated option (none in TOML) or an error names the first line.
  std::vector<std::pair<std::string, const toml::node*>> entries;
  for (const auto& [key, value] : table) entries.emplace_back(std::string(key.str()), &value);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.second->source().begin.line < b.second->source().begin.line;
  });
  std::vector<std::string> arguments;
  for (const auto& [raw_key, value] : entries) {
    std::string key = raw_key;
    std::replace(key.begin(), key.end(), '_', '-');
    if (value->is_table() || value->is_array()) {
      throw Error(at(path, value->source(), key + ": tables and arrays are not options; write KEY = VALUE"));
    }
    if (key == "config") throw Error(at(path, value->source(), "a config file cannot include another"));
    CLI::Option* option = command.get_option_no_throw("--" + key);
    if (key.empty() || option == nullptr) {
      throw Error(at(path, value->source(), "unknown option '" + key + "' for heed " + command.get_name()));
    }
    if (option->get_expected_min() == 0) {  // a flag
      const auto* flag = value->as_boolean();
      if (flag == nullptr) throw Error(at(path, value->source(), key + " must be true or false"));
      if (flag->get()) arguments.push_back("--" + key);
      continue;
    }
    std::string text = value->as_boolean() ? (value->as_boolean()->get() ? "true" : "false")
                                           : argument_text(*value, path, key);
    // The option's own checks, here where the file and line are known.
    if (!converts(*option, text)) {
      const bool integer = option->get_type_name() != "FLOAT";
      throw Error(at(path, value->source(), "--" + key + ": expected " + (integer ? "an integer" : "a number") +
                                                " (got " + text + ")"));
    }
    const std::string problem = validation_error(*option, text);
    if (!problem.empty()) throw Error(at(path, value->source(), "--" + key + ": " + problem));
    arguments.push_back("--" + key);
    arguments.push_back(text);
  }
  return arguments;
}
}  // namespace

std::vector<std::string> expand_config_files(CLI::App& app, const std::string& command,
                                             std::vector<std::string> args) {
  const auto at_command = std::find(args.begin() + std::min<size_t>(1, args.size()), args.end(), command);
  if (at_command == args.end()) return args;
  CLI::App* subcommand = app.get_subcommand(command);
  std::vector<std::string> from_files, rest;
  for (auto it = at_command + 1; it != args.end(); ++it) {
    std::string path;
    if (*it == "--config") {
      if (it + 1 == args.end()) throw Error("--config needs a file");
      path = *++it;
    } else if (it->rfind("--config=", 0) == 0) {
      path = it->substr(9);
    } else {
      rest.push_back(*it);
      continue;
    }
    const auto entries = config_arguments(*subcommand, path);
    from_files.insert(from_files.end(), entries.begin(), entries.end());
  }
  std::vector<std::string> expanded(args.begin(), at_command + 1);
  expanded.insert(expanded.end(), from_files.begin(), from_files.end());
  expanded.insert(expanded.end(), rest.begin(), rest.end());
  return expanded;
}

}  // namespace heed
