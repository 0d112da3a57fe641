// Command-line flags made from option declarations (util/options.h).
//
// Each spec becomes one flag: `--KEY` with dashes, a flag without a value for a boolean
// that defaults to false (`--tie-embeddings`), a flag with a value otherwise
// (`--bidirectional false`, `--lr 0.002`). A value is checked against the declaration as
// it is parsed ("--lr: must be a number > 0 (got -1)"). After parsing, given() holds the
// options the command line and its --config files set, as JSON in the declared keys: the
// one record of "what the user asked for" that defaults, stored options and --resume
// are merged under.
#pragma once

#include <CLI/App.hpp>

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/options.h"

namespace heed {

class DeclaredFlags {
 public:
  // Adds a flag per spec to `command`; `help` words each spec's help line.
  void add(CLI::App* command, const std::vector<OptionSpec>& specs,
           const std::function<std::string(const OptionSpec&)>& help);

  // The given options among `specs` (all added ones when empty), as a JSON object.
  nlohmann::json given(const std::vector<OptionSpec>& specs = {}) const;
  bool was_given(const std::string& key) const;

 private:
  struct Bound {
    OptionSpec spec;
    CLI::Option* option = nullptr;
    std::string text;   // value options
    bool set = false;   // flags
  };
  std::deque<Bound> bound_;  // stable addresses: CLI11 writes into them
};

// The JSON value of `text` for `spec` (an integer, a number, true/false or a choice);
// heed::Error "--KEY must be ... (got TEXT)" when it is not one, or out of range.
nlohmann::json parse_option_value(const OptionSpec& spec, const std::string& text);

}  // namespace heed
