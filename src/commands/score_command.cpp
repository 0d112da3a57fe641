// heed score: sacreBLEU-exact corpus BLEU or chrF of any hypothesis file against one
// reference file. The score is the first number printed, then sacreBLEU's signature
// and (BLEU) the n-gram precisions, brevity penalty and lengths.
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "commands/commands.h"
#include "commands/validators.h"
#include "commands/runtime_options.h"
#include "metrics/bleu.h"
#include "util/pytext.h"
#include "util/error.h"
#include "util/line_reader.h"
#include "data/corpus_reader.h"

namespace heed {

namespace {
struct ScoreOptions {
  std::string reference;
  std::string hypotheses = "-";
  std::string metric = "bleu";
  BleuOptions bleu;
  bool json = false;
};

void run_score(const ScoreOptions& o) {
  if (o.metric != "bleu" && o.metric != "chrf") throw Error("--metric must be bleu or chrf (got '" + o.metric + "')");
  if (o.reference == "-" && o.hypotheses == "-") {
    throw Error("--ref - reads the references from standard input; give the hypotheses with --hyp FILE");
  }
  // Read as sacreBLEU reads them (BOM kept, lines end at "\n" in files), so both score
  // the same segments.
  const std::vector<std::string> references = read_lines_as_sacrebleu(o.reference);
  const std::vector<std::string> hypotheses = read_lines_as_sacrebleu(o.hypotheses);
  if (references.empty()) throw Error(input_name(o.reference) + " holds no references: nothing to score");
  // sacreBLEU refuses an empty (or all-whitespace) reference rather than scoring it.
  for (size_t k = 0; k < references.size(); ++k) {
    if (pytext::rstrip(references[k]).empty()) {
      throw Error(at_line(input_name(o.reference), k + 1, "empty reference (sacreBLEU refuses these too)"));
    }
  }
  if (hypotheses.size() != references.size()) {
    throw Error("the hypotheses (" + input_name(o.hypotheses) + ") have " + std::to_string(hypotheses.size()) +
                " lines but " + input_name(o.reference) + " has " + std::to_string(references.size()));
  }
  if (o.metric == "chrf") {
    const ChrfScore chrf = corpus_chrf(hypotheses, references, {o.bleu.lowercase});
    if (o.json) {
      std::cout << nlohmann::json{{"name", "chrF2"}, {"score", chrf.score}, {"signature", chrf.signature}}.dump()
                << std::endl;
    } else {
      std::printf("%.2f  chrF2|%s\n", chrf.score, chrf.signature.c_str());
    }
    return;
  }
  const BleuScore bleu = corpus_bleu(hypotheses, references, o.bleu);
  if (o.json) {
    std::cout << nlohmann::json{{"name", "BLEU"},         {"score", bleu.score},
                                {"signature", bleu.signature}, {"precisions", bleu.precisions},
                                {"bp", bleu.brevity_penalty},  {"ratio", bleu.ratio},
                                {"hyp_len", bleu.hyp_len},     {"ref_len", bleu.ref_len}}
                     .dump()
              << std::endl;
    return;
  }
  std::printf("%.2f  BLEU|%s  %.1f/%.1f/%.1f/%.1f (BP = %.3f ratio = %.3f hyp_len = %zu ref_len = %zu)\n",
              bleu.score, bleu.signature.c_str(), bleu.precisions[0], bleu.precisions[1], bleu.precisions[2],
              bleu.precisions[3], bleu.brevity_penalty, bleu.ratio, bleu.hyp_len, bleu.ref_len);
}
}  // namespace

void add_score_command(CLI::App& app) {
  auto o = std::make_shared<ScoreOptions>();
  auto* cmd = app.add_subcommand(
      "score", "Score hypotheses (stdin) against references with sacreBLEU's BLEU or chrF");
  cmd->add_option("--ref", o->reference, "reference file, one sentence per line")->required();
  cmd->add_option("--hyp", o->hypotheses, "hypothesis file (default: standard input)");
  cmd->add_option("--metric", o->metric, "bleu or chrf (chrF2)")->capture_default_str();
  add_choice_option(cmd, "--tokenize", o->bleu.tokenize, kBleuTokenizerNames, "BLEU tokenizer",
                    "BLEU tokenizer; none for pre-tokenised text");
  cmd->add_flag("--lowercase", o->bleu.lowercase, "case-insensitive scoring");
  cmd->add_flag("--json", o->json, "print one JSON object");
  add_threads_option(cmd);
  cmd->callback([o] { run_score(*o); });
}

}  // namespace heed
