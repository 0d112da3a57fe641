#include "commands/corpus_options.h"

#include "util/error.h"

namespace heed {

void add_corpus_options(CLI::App* command, const std::string& name, CorpusOptions& options,
                        const std::string& what) {
  command->add_option("--" + name, options.tsv, what + " as TSV: source<TAB>target");
  command->add_option("--" + name + "-src", options.source, what + ": source side, one sentence per line");
  command->add_option("--" + name + "-tgt", options.target, what + ": target side, line-aligned with --" + name + "-src");
}

Corpus CorpusOptions::read(const std::string& flag, const ReadOptions& options) const {
  if (!tsv.empty()) {
    if (!source.empty() || !target.empty()) {
      throw Error("give either " + flag + " or " + flag + "-src/" + flag + "-tgt, not both");
    }
    return read_tsv(tsv, options);
  }
  if (source.empty() != target.empty()) {
    throw Error(flag + "-src and " + flag + "-tgt must be given together");
  }
  return read_parallel(source, target, options);
}

}  // namespace heed
