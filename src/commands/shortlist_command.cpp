// heed shortlist: the vocabulary shortlist of a model from its training pairs
// (decode/shortlist.h), for `heed translate --shortlist FILE`.
#include <spdlog/spdlog.h>

#include "commands/commands.h"
#include "commands/corpus_options.h"
#include "commands/validators.h"
#include "decode/shortlist.h"
#include "util/error.h"

namespace heed {

namespace {
struct ShortlistCommandOptions {
  std::string model_dir;
  CorpusOptions train;
  std::string out;
  ShortlistOptions shortlist;
};

void run_shortlist(const ShortlistCommandOptions& o) {
  if (!o.train.given()) throw Error("--train FILE.tsv (or --train-src and --train-tgt) is required");
  const LoadedModel model = load_model_directory(o.model_dir, WhichWeights::Best, torch::kCPU);
  const Corpus corpus = o.train.read("--train", {});
  const Shortlist shortlist = Shortlist::build(model, corpus.pairs, o.shortlist);
  shortlist.save(o.out);
  spdlog::info("wrote {}: {} frequent target tokens, lists for {} source tokens, from {} pairs", o.out,
               shortlist.frequent().size(), shortlist.source_tokens(), corpus.pairs.size());
}
}  // namespace

void add_shortlist_command(CLI::App& app) {
  auto o = std::make_shared<ShortlistCommandOptions>();
  auto* cmd = app.add_subcommand(
      "shortlist", "Build a vocabulary shortlist from training pairs, for translate --shortlist");
  cmd->add_option("--model", o->model_dir, "model directory (its tokenizers and vocabularies)")->required();
  add_corpus_options(cmd, "train", o->train, "training pairs");
  cmd->add_option("--out", o->out, "shortlist file to write")->required();
  cmd->add_option("--frequent", o->shortlist.frequent, "most frequent target tokens, always allowed")
      ->capture_default_str()->check(non_negative());
  cmd->add_option("--per-source", o->shortlist.per_source, "target tokens kept per source token")
      ->capture_default_str()->check(positive());
  cmd->callback([o] { run_shortlist(*o); });
}

}  // namespace heed
