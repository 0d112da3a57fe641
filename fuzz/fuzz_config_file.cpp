// `heed train --config FILE` (commands/config_file.h): arbitrary bytes as the TOML recipe.
//
// The subcommand is built as `heed train` builds its own (commands/train_command.cpp):
// the corpus and vocabulary options from their own files, every model hyperparameter and
// training option from their declarations (DeclaredFlags), and the remaining options of
// train_command.cpp / runtime_options.cpp with the same types and checks. Its callback,
// which would train, is not set. After expand_config_files the arguments go through
// CLI11 as in apps/heed.cpp.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "commands/config_file.h"
#include "commands/corpus_options.h"
#include "commands/declared_flags.h"
#include "commands/validators.h"
#include "commands/vocab_options.h"
#include "fuzz_support.h"
#include "models/registry.h"
#include "models/seq2seq_model.h"
#include "train/train_options.h"
#include "util/error.h"

namespace {

using heed::fuzz::Scratch;
using heed::fuzz::shown;

struct TrainFlags {
  std::string config, model = "gru-bahdanau", out, resume, vocab_dir, device = "cpu";
  heed::CorpusOptions train, valid;
  bool skip_bad_lines = false;
  heed::VocabFlags vocab;
  int64_t max_length = 0;
  int threads = 0;
  heed::DeclaredFlags declared;
};

std::string no_help(const heed::OptionSpec& spec) { return spec.help; }

const std::vector<heed::OptionSpec>& hyperparameter_specs() {
  static const std::vector<heed::OptionSpec> specs = heed::all_hyperparameters();
  return specs;
}
const std::vector<heed::OptionSpec>& training_specs() {
  static const std::vector<heed::OptionSpec> specs = heed::option_specs<heed::TrainOptions>();
  return specs;
}

void add_train(CLI::App& app, TrainFlags& o) {
  auto* cmd = app.add_subcommand("train", "Train a model into a model directory");
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  cmd->add_option("--config", o.config, "read options from a TOML FILE");
  heed::add_corpus_options(cmd, "train", o.train, "training data");
  heed::add_corpus_options(cmd, "valid", o.valid, "validation data");
  cmd->add_flag("--skip-bad-lines", o.skip_bad_lines, "skip (and count) malformed input lines");
  cmd->add_option("--model", o.model, "model name")->capture_default_str();
  cmd->add_option("--out", o.out, "model directory to write");
  cmd->add_option("--resume", o.resume, "continue training the model directory DIR");
  heed::add_vocab_options(cmd, o.vocab);
  cmd->add_option("--vocab", o.vocab_dir, "vocabulary directory");
  cmd->add_option("--max-length", o.max_length, "drop training pairs longer than N tokens")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, heed::kMaxSentenceTokens - 1));
  o.declared.add(cmd, hyperparameter_specs(), no_help);
  o.declared.add(cmd, training_specs(), no_help);
  // runtime_options.cpp (add_runtime_options) for training: --threads, --device.
  cmd->add_option("--threads", o.threads, "CPU threads (0 = all cores)")->check(heed::non_negative());
  cmd->add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::string path = Scratch::get().write("recipe.toml", bytes);
  CLI::App app{"heed"};
  app.require_subcommand(1);
  TrainFlags flags;
  add_train(app, flags);
  std::vector<std::string> args;
  try {
    args = heed::expand_config_files(app, "train", {"heed", "train", "--config", path, "--out", "x"});
  } catch (const heed::Error&) {
    return 0;  // a bad recipe: refused with FILE:LINE
  }
  // The recipe was accepted: every option it set must now parse, as the command line
  // that follows it would (config_file.h: errors in the file name FILE:LINE).
  FUZZ_CHECK(args.size() >= 4 && args[0] == "heed" && args[1] == "train", shown(bytes));
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  reversed.pop_back();
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::string arguments;
    for (const auto& arg : args) arguments += shown(arg, 60) + " ";
    FUZZ_CHECK(false, "accepted recipe " + shown(bytes) + " gives arguments " + arguments +
                          " that CLI11 refuses: " + e.what());
  } catch (const heed::Error&) {
    // A choice option's own check (add_choice_option) runs while parsing.
  }
  FUZZ_CHECK(flags.out == "x", shown(bytes));  // the command line still wins
  try {
    heed::TrainOptions options;
    options.set_from_json(flags.declared.given(training_specs()));
  } catch (const heed::Error&) {
  }
  return 0;
}
