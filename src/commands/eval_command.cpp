// heed eval: exact match, corpus BLEU, chrF, and teacher-forced and free-running
// perplexity on a test set.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands/commands.h"
#include "commands/validators.h"
#include "commands/corpus_options.h"
#include "commands/runtime_options.h"
#include "train/evaluation.h"
#include "util/error.h"

namespace heed {

namespace {
struct EvalOptions {
  std::string model_dir;
  CorpusOptions test;
  bool json = false;
  EvaluationOptions evaluation;
  RuntimeOptions runtime;
  InferencePrecision precision;
};

void run_eval(const EvalOptions& o) {
  if (!o.test.given()) throw Error("test data is required: --test FILE.tsv or --test-src/--test-tgt");
  o.evaluation.search.validate();
  const torch::Device device = o.runtime.apply();
  const LoadedModel model = load_model_directory(o.model_dir, WhichWeights::Best, device);
  use_precision(model, o.precision, device);
  const Corpus test = o.test.read("--test", {});
  if (test.pairs.empty()) throw Error("--test holds no sentence pairs: nothing to score");
  EvaluationOptions evaluation = o.evaluation;
  evaluation.free_running = true;
  const EvaluationResult r = evaluate(model, test.pairs, evaluation);
  if (o.json) {
    nlohmann::json out = {{"sentences", r.sentences},
                          {"exact_match", r.exact_match},
                          {"bleu", r.bleu.score},
                          {"bleu_signature", r.bleu.signature},
                          {"chrf", r.chrf.score},
                          {"chrf_signature", r.chrf.signature},
                          {"teacher_forced_loss", r.loss},
                          {"teacher_forced_perplexity", r.perplexity},
                          {"free_running_loss", r.free_running_loss},
                          {"free_running_perplexity", r.free_running_perplexity}};
    std::cout << out.dump() << std::endl;
    return;
  }
  std::printf("sentences                  %zu\n", r.sentences);
  std::printf("exact match                %.2f%%\n", 100.0 * r.exact_match);
  std::printf("BLEU                       %.2f  (%s)\n", r.bleu.score, r.bleu.signature.c_str());
  std::printf("  precisions               %.1f/%.1f/%.1f/%.1f  BP %.3f  ratio %.3f  hyp_len %zu  ref_len %zu\n",
              r.bleu.precisions[0], r.bleu.precisions[1], r.bleu.precisions[2], r.bleu.precisions[3],
              r.bleu.brevity_penalty, r.bleu.ratio, r.bleu.hyp_len, r.bleu.ref_len);
  std::printf("chrF2                      %.2f  (%s)\n", r.chrf.score, r.chrf.signature.c_str());
  std::printf("teacher-forced perplexity  %.3f  (loss %.4f nats/token; reference prefix fed)\n", r.perplexity,
              r.loss);
  std::printf("free-running perplexity    %.3f  (loss %.4f nats/token; own greedy prefix fed)\n",
              r.free_running_perplexity, r.free_running_loss);
}
}  // namespace

void add_eval_command(CLI::App& app) {
  auto o = std::make_shared<EvalOptions>();
  auto* cmd = app.add_subcommand("eval", "Score a model on a test set: exact match, BLEU, perplexity");
  cmd->add_option("--model", o->model_dir, "model directory written by `heed train`")->required();
  add_corpus_options(cmd, "test", o->test, "test data");
  cmd->add_flag("--json", o->json, "print one JSON object");
  add_choice_option(cmd, "--tokenize", o->evaluation.bleu.tokenize, kBleuTokenizerNames, "BLEU tokenizer",
                    "BLEU tokenizer; none for pre-tokenised text");
  cmd->add_flag("--lowercase", o->evaluation.bleu.lowercase, "case-insensitive BLEU and chrF");
  cmd->add_option("--batch-size", o->evaluation.batch_size, "sentences per decoding batch")
      ->capture_default_str()->check(positive());
  add_search_options(cmd, o->evaluation.search);
  add_runtime_options(cmd, o->runtime);
  add_precision_option(cmd, o->precision);
  cmd->callback([o] { run_eval(*o); });
}

}  // namespace heed
