// heed data dates|reverse: built-in generated tasks as TSV.
#include <iostream>

#include "commands/commands.h"
#include "data/corpus_reader.h"
#include "data/generators.h"
#include "util/atomic_file.h"

namespace heed {

namespace {
struct DataOptions {
  size_t count = 1000;
  uint64_t seed = 1;
  std::string out;
  ReverseOptions reverse;
};

void emit(const std::vector<SentencePair>& pairs, const std::string& out) {
  const std::string text = to_tsv(pairs);
  if (out.empty() || out == "-") {
    std::cout << text << std::flush;
  } else {
    write_file_atomically(out, text);
  }
}

void add_common(CLI::App* command, DataOptions& options) {
  command->add_option("--count", options.count, "number of pairs")->capture_default_str();
  command->add_option("--seed", options.seed, "random seed")->capture_default_str();
  command->add_option("--out", options.out, "output TSV file (default: stdout)");
}
}  // namespace

void add_data_command(CLI::App& app) {
  auto* data = app.add_subcommand("data", "Generate a built-in task as TSV (source<TAB>target)");
  data->require_subcommand(1);
  auto options = std::make_shared<DataOptions>();

  auto* dates = data->add_subcommand("dates", "human-readable dates -> ISO YYYY-MM-DD");
  add_common(dates, *options);
  dates->callback([options] { emit(generate_dates(options->count, options->seed), options->out); });

  auto* reverse = data->add_subcommand("reverse", "a sequence of symbols -> the sequence reversed");
  add_common(reverse, *options);
  reverse->add_option("--min-length", options->reverse.min_length)->capture_default_str();
  reverse->add_option("--max-length", options->reverse.max_length)->capture_default_str();
  reverse->add_option("--alphabet", options->reverse.alphabet_size, "number of symbols (<= 26)")
      ->capture_default_str();
  reverse->callback([options] {
    emit(generate_reverse(options->count, options->seed, options->reverse), options->out);
  });
}

}  // namespace heed
