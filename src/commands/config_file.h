// `--config FILE` for a subcommand: a file that mirrors its flags.
//
// Format (a TOML subset): `key = value` per line, keys are long flag names without the
// dashes (`batch-tokens = 2048`; `_` works too), values are numbers, true/false or
// strings (quoted or bare); `#` starts a comment; `[section]` lines are ignored.
// The file's options are placed before the command line's, so the command line wins.
#pragma once

#include <CLI/App.hpp>

#include <string>
#include <vector>

namespace heed {

// Expands every `--config FILE` / `--config=FILE` that follows the subcommand named
// `command` in args (args[0] is the program) into the file's options. heed::Error
// "FILE:LINE: ..." for unknown keys or malformed lines.
std::vector<std::string> expand_config_files(const CLI::App& app, const std::string& command,
                                             std::vector<std::string> args);

}  // namespace heed
