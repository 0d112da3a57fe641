// heed data dates|reverse|toy-language: built-in generated tasks as TSV (toy-language also
// as "source ||| target" lines, with gold alignments); heed data split: a seeded
// train/valid/test split of a TSV corpus.
#include <iostream>

#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "data/corpus_reader.h"
#include "data/generators.h"
#include "data/split.h"
#include "data/toy_language.h"
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
  ToyLanguageOptions toy_language;
  std::string alignments;      // toy-language: gold alignments file
  std::string format = "tsv";  // toy-language: tsv | pairs
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

bool is_stdout(const std::string& out) { return out.empty() || out == "-"; }

void emit_text(const std::string& text, const std::string& out) {
  if (is_stdout(out)) {
    std::cout << text << std::flush;
  } else {
    write_file_atomically(out, text);
  }
}

void emit(const std::vector<SentencePair>& pairs, const std::string& out) { emit_text(to_tsv(pairs), out); }

// Pairs as --format says, gold alignments to --alignments, or beside a pairs file --out
// with its extension replaced by ".align".
void run_toy_language(const DataOptions& o) {
  if (o.format != "tsv" && o.format != "pairs") {
    throw Error("--format must be tsv or pairs, got '" + o.format + "'");
  }
  std::string alignments = o.alignments;
  if (alignments.empty() && !is_stdout(o.out)) {
    alignments = std::filesystem::path(o.out).replace_extension(".align").string();
  }
  if (alignments == "-" && is_stdout(o.out)) {
    throw Error("--alignments - needs --out FILE: pairs and alignments cannot both go to stdout");
  }
  if (!alignments.empty() && alignments == o.out) {
    throw Error("--alignments and --out are the same file: " + o.out);
  }
  const std::vector<AlignedPair> aligned = generate_toy_language(o.count, o.seed, o.toy_language);
  std::vector<SentencePair> pairs;
  pairs.reserve(aligned.size());
  for (const AlignedPair& a : aligned) pairs.push_back(a.pair);
  emit_text(o.format == "pairs" ? to_pairs_text(pairs) : to_tsv(pairs), o.out);
  if (alignments.empty()) {
    spdlog::info("gold alignments not written: pairs go to stdout and --alignments is not given");
  } else {
    emit_text(to_alignments_text(aligned), alignments);
    if (alignments != "-") spdlog::info("{} gold alignments in {}", aligned.size(), alignments);
  }
}

void add_common(CLI::App* command, DataOptions& options) {
  command->add_option("--count", options.count, "number of pairs")->capture_default_str();
  command->add_option("--seed", options.seed, "random seed")->capture_default_str();
  command->add_option("--out", options.out, "output TSV file (default: stdout)");
  add_threads_option(command);
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

  auto* toy = data->add_subcommand(
      "toy-language", "English-like sentences -> a verb-final toy language, with gold word alignments");
  add_common(toy, *options);
  toy->add_option("--format", options->format,
                  "tsv (source<TAB>target) or pairs (source ||| target)")
      ->capture_default_str();
  toy->add_option("--alignments", options->alignments,
                  "gold alignments, Pharaoh i-j per line (default: --out with extension .align; "
                  "none when writing to stdout)");
  toy->add_option("--min-adjectives", options->toy_language.min_adjectives,
                  "adjectives per subject/object noun phrase, at least")
      ->capture_default_str();
  toy->add_option("--max-adjectives", options->toy_language.max_adjectives,
                  "adjectives per subject/object noun phrase, at most (<= 5)")
      ->capture_default_str();
  toy->add_option("--prepositional-phrase-rate", options->toy_language.prepositional_phrase_rate,
                  "probability of a prepositional phrase")
      ->capture_default_str();
  toy->callback([options] { run_toy_language(*options); });

  auto split_options = std::make_shared<SplitOptions>();
  auto* split = data->add_subcommand(
      "split", "split a TSV corpus into DIR/train.tsv, valid.tsv, test.tsv (by source sentence, seeded)");
  split->add_option("--input", split_options->input, "TSV corpus")->required();
  split->add_option("--valid", split_options->valid, "validation pairs (at least)")->capture_default_str();
  split->add_option("--test", split_options->test, "test pairs (at least)")->capture_default_str();
  split->add_option("--seed", split_options->seed, "random seed")->capture_default_str();
  split->add_option("--out", split_options->out, "output directory")->required();
  add_threads_option(split);
  split->add_flag("--skip-bad-lines", split_options->skip_bad_lines, "skip (and count) malformed input lines");
  split->callback([split_options] { run_split(*split_options); });
}

}  // namespace heed
