#include "commands/config_file.h"

#include <algorithm>

#include "data/corpus_reader.h"
#include "util/error.h"

namespace heed {

namespace {
std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t");
  return text.substr(begin, end - begin + 1);
}

// The file's entries as command-line arguments for `command`.
std::vector<std::string> config_arguments(const CLI::App& command, const std::string& path) {
  std::vector<std::string> arguments;
  const auto lines = read_lines(path);
  for (size_t number = 1; number <= lines.size(); ++number) {
    std::string line = lines[number - 1];
    // Drop comments outside quotes.
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '"') quoted = !quoted;
      if (line[i] == '#' && !quoted) {
        line.erase(i);
        break;
      }
    }
    line = trim(line);
    if (line.empty() || line.front() == '[') continue;
    const auto equals = line.find('=');
    if (equals == std::string::npos) throw Error(at_line(path, number, "expected key = value"));
    std::string key = trim(line.substr(0, equals));
    std::string value = trim(line.substr(equals + 1));
    std::replace(key.begin(), key.end(), '_', '-');
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (key == "config") throw Error(at_line(path, number, "a config file cannot include another"));
    const CLI::Option* option = command.get_option_no_throw("--" + key);
    if (key.empty() || option == nullptr) {
      throw Error(at_line(path, number, "unknown option '" + key + "' for heed " + command.get_name()));
    }
    if (option->get_expected_min() == 0) {  // a flag
      if (value == "true") {
        arguments.push_back("--" + key);
      } else if (value != "false") {
        throw Error(at_line(path, number, key + " must be true or false"));
      }
      continue;
    }
    arguments.push_back("--" + key);
    arguments.push_back(value);
  }
  return arguments;
}
}  // namespace

std::vector<std::string> expand_config_files(const CLI::App& app, const std::string& command,
                                             std::vector<std::string> args) {
  const auto at = std::find(args.begin() + std::min<size_t>(1, args.size()), args.end(), command);
  if (at == args.end()) return args;
  const CLI::App* subcommand = app.get_subcommand(command);
  std::vector<std::string> from_files, rest;
  for (auto it = at + 1; it != args.end(); ++it) {
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
  std::vector<std::string> expanded(args.begin(), at + 1);
  expanded.insert(expanded.end(), from_files.begin(), from_files.end());
  expanded.insert(expanded.end(), rest.begin(), rest.end());
  return expanded;
}

}  // namespace heed
