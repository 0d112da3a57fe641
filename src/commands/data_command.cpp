// heed data dates|reverse: built-in generated tasks as TSV; heed data split: a seeded
// train/valid/test split of a TSV corpus.
#include <iostream>

#include "commands/commands.h"
#include "data/corpus_reader.h"
#include "data/generators.h"
#include "data/split.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <spdlog/spdlog.h>

#include <filesystem>

namespace heed {

namespace {
struct DataOptions {
  size_t count = 1000;
  uint64_t seed = 1;
  std::string out;
  ReverseOptions reverse;
};

struct SplitOptions {
  std::string input;
  size_t valid = 1000;
  size_t test = 1000;
  uint64_t seed = 1;
  std::string out;
  bool skip_bad_lines = false;
};

void run_split(const SplitOptions& o) {
  const Corpus corpus = read_tsv(o.input, {o.skip_bad_lines});
  const CorpusSplit split = split_by_source(corpus.pairs, o.valid, o.test, o.seed);
  create_directories(o.out);
  write_file_atomically(o.out + "/train.tsv", to_tsv(split.train));
  write_file_atomically(o.out + "/valid.tsv", to_tsv(split.valid));
  write_file_atomically(o.out + "/test.tsv", to_tsv(split.test));
  spdlog::info("{} pairs: {} train, {} valid, {} test (split by source sentence, seed {}) in {}",
               corpus.pairs.size(), split.train.size(), split.valid.size(), split.test.size(), o.seed, o.out);
}

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
  auto* data = app.add_subcommand("data", "Generate a built-in task as TSV (source<TAB>target), or split a corpus");
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

  auto split_options = std::make_shared<SplitOptions>();
  auto* split = data->add_subcommand(
      "split", "split a TSV corpus into DIR/train.tsv, valid.tsv, test.tsv (by source sentence, seeded)");
  split->add_option("--input", split_options->input, "TSV corpus")->required();
  split->add_option("--valid", split_options->valid, "validation pairs (at least)")->capture_default_str();
  split->add_option("--test", split_options->test, "test pairs (at least)")->capture_default_str();
  split->add_option("--seed", split_options->seed, "random seed")->capture_default_str();
  split->add_option("--out", split_options->out, "output directory")->required();
  split->add_flag("--skip-bad-lines", split_options->skip_bad_lines, "skip (and count) malformed input lines");
  split->callback([split_options] { run_split(*split_options); });
}

}  // namespace heed
