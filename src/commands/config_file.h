// `--config FILE` for a subcommand: a TOML file whose keys are the subcommand's long
// flag names (`batch-tokens = 2048`; `batch_tokens` works too), read with toml++.
//
// Values are TOML strings, integers, floats or booleans; `flag = true` gives a flag
// without a value, `flag = false` leaves it off. Tables and arrays are errors. The file's
// options are placed before the command line's, so the command line wins.
#pragma once

#include <CLI/App.hpp>

#include <string>
#include <vector>

namespace heed {

// Expands every `--config FILE` / `--config=FILE` that follows the subcommand named
// `command` in args (args[0] is the program) into the file's options. heed::Error
// "FILE:LINE: ..." for a TOML syntax error, an unknown key or a value of the wrong kind.
std::vector<std::string> expand_config_files(CLI::App& app, const std::string& command,
                                             std::vector<std::string> args);

}  // namespace heed
