// --train / --train-src / --train-tgt style corpus options shared by commands.
#pragma once

#include <CLI/App.hpp>

#include <string>

#include "data/corpus_reader.h"

namespace heed {

struct CorpusOptions {
  std::string tsv;
  std::string source;
  std::string target;

  bool given() const { return !tsv.empty() || !source.empty() || !target.empty(); }
  // Reads the TSV or the file pair. `flag` ("--train") names the options in errors.
  Corpus read(const std::string& flag, const ReadOptions& options) const;
};

// Adds --NAME FILE.tsv, --NAME-src FILE, --NAME-tgt FILE.
void add_corpus_options(CLI::App* command, const std::string& name, CorpusOptions& options,
                        const std::string& what);

}  // namespace heed
