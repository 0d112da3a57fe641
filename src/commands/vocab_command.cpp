// heed vocab: build the tokenizers and vocabularies of a corpus ahead of training
// (`heed train --vocab DIR` uses them), e.g. to share one SentencePiece model between
// runs or to inspect the pieces.
#include <spdlog/spdlog.h>

#include "commands/commands.h"
#include "commands/corpus_options.h"
#include "commands/runtime_options.h"
#include "commands/vocab_options.h"
#include "text/sentencepiece_api.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <filesystem>

namespace heed {

namespace {
struct VocabCommandOptions {
  CorpusOptions train;
  bool skip_bad_lines = false;
  std::string out;
  VocabFlags vocab;
  uint64_t seed = 1;
  RuntimeOptions runtime;
};

void run_vocab(const VocabCommandOptions& o) {
  if (!o.train.given()) throw Error("training data is required: --train FILE.tsv or --train-src/--train-tgt");
  o.runtime.apply();
  const VocabSpec spec = o.vocab.spec(o.seed, o.runtime.thread_count());
  if (spec.tokenizer.kind == TokenizerKind::SentencePiece) sentencepiece_api::api();  // before any work
  create_directories(o.out);
  const Corpus corpus = o.train.read("--train", {o.skip_bad_lines});
  spdlog::info("read {} pairs", corpus.pairs.size());
  const Vocabularies vocabularies = build_vocabularies(spec, corpus.pairs);
  save_vocabularies(o.out, vocabularies);
  log_vocabularies(vocabularies);
  spdlog::info("written to {}", o.out);
}
}  // namespace

void add_vocab_command(CLI::App& app) {
  auto o = std::make_shared<VocabCommandOptions>();
  auto* cmd = app.add_subcommand("vocab", "Build tokenizers and vocabularies from a corpus (for train --vocab)");
  add_corpus_options(cmd, "train", o->train, "training data");
  cmd->add_flag("--skip-bad-lines", o->skip_bad_lines, "skip (and count) malformed input lines");
  cmd->add_option("--out", o->out, "directory to write")->required();
  add_vocab_options(cmd, o->vocab);
  cmd->add_option("--seed", o->seed, "random seed (SentencePiece sampling)")->capture_default_str();
  add_runtime_options(cmd, o->runtime);
  cmd->callback([o] { run_vocab(*o); });
}

}  // namespace heed
