// heed translate: stdin -> stdout, one translation (or n-best list) per line, streaming.
//
// Lines are batched greedily: a batch is translated as soon as it is full or the next
// line has not arrived yet, so the command reads ahead at most one batch and, in a pipe
// fed line by line, every translation appears before the next line is needed. Output
// order is input order; an empty line gives an empty translation. Output formats and
// alignments: decode/output_format.h.
#include <spdlog/spdlog.h>

#include <chrono>
#include <iostream>

#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "decode/output_format.h"
#include "decode/translator.h"
#include "models/product_profile.h"
#include "text/vocabulary.h"
#include "util/error.h"
#include "util/line_reader.h"
#include "util/output_check.h"

namespace heed {

namespace {
struct TranslateCommandOptions {
  std::string model_dir;
  std::string input = "-";
  std::string output = "text";
  std::string alignment = "none";
  std::optional<int64_t> alignment_layer, alignment_head;
  TranslatorOptions translator;
  RuntimeOptions runtime;
  InferencePrecision precision;
  bool profile = false;
  std::string shortlist;
};

void run_translate(TranslateCommandOptions& o) {
  OutputOptions output;
  output.format = parse_output_format(o.output);
  output.alignment = parse_alignment_kind(o.alignment);
  output.alignment_head = {o.alignment_layer, o.alignment_head};
  output.all_hypotheses = o.translator.search.nbest > 1;
  if (output.format == OutputFormat::Text && o.translator.search.nbest > 1) {
    throw Error("--nbest " + std::to_string(o.translator.search.nbest) +
                " needs --output nbest or --output jsonl (text output has one line per input)");
  }
  o.translator.search.validate();
  o.translator.alignment = output.alignment_head;
  if (output.alignment != AlignmentKind::None) o.translator.search.return_attention = true;

  const torch::Device device = o.runtime.apply();
  const LoadedModel model = load_model_directory(o.model_dir, WhichWeights::Best, device);
  use_precision(model, o.precision, device);
  if (!o.shortlist.empty()) o.translator.shortlist = std::make_shared<const Shortlist>(Shortlist::load(o.shortlist, model));
  if (output.alignment != AlignmentKind::None || o.translator.replace_unknown) {
    check_alignment_head(model.model->attention_layout(), output.alignment_head);
  }
  const Translator translator(model, o.translator);
  // One bad line of a stream gets a warning and a translation, and the others go on.
  LineReader reader(o.input, InvalidUtf8::Replace);
  std::vector<std::string> batch;
  size_t id = 0;
  int64_t output_tokens = 0;  // of the best hypotheses, without </s>
  std::optional<ProductProfile> profile;
  if (o.profile) profile.emplace();
  const auto started = std::chrono::steady_clock::now();
  auto flush = [&] {
    const auto results = translator.translate_nbest(batch);
    for (size_t i = 0; i < results.size(); ++i) {
      for (int64_t token : results[i].front().hypothesis.tokens) output_tokens += token != Vocabulary::kEos;
      if (results[i].front().source_cropped) {
        spdlog::warn("{}:{}: longer than --max-source-tokens {}; its first {} tokens were translated",
                     reader.name(), id + 1, o.translator.max_source_tokens, o.translator.max_source_tokens);
      }
      write_translations(std::cout, id++, batch[i], results[i], output);
    }
    check_written(std::cout, "standard output");  // stop at once, not after the whole input
    batch.clear();
  };
  while (auto line = reader.next()) {
    if (reader.replaced_invalid()) {
      spdlog::warn("{}:{}: invalid UTF-8, each bad byte replaced by U+FFFD", reader.name(), reader.line_number());
    }
    batch.push_back(std::move(*line));
    if (static_cast<int64_t>(batch.size()) >= o.translator.batch_size || !reader.ready()) flush();
  }
  flush();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("translated {} sentences, {} output tokens in {:.3f} s: {:.2f} sentences/s, {:.1f} tokens/s", id,
               output_tokens, seconds, static_cast<double>(id) / seconds,
               static_cast<double>(output_tokens) / seconds);
  if (profile) {
    const ProductTotals products = profile->totals();
    spdlog::info("matrix products ({}): {} calls, {:.3f} s ({:.1f}% of the time), {:.2f} GFLOP, {:.1f} GFLOP/s",
                 precision_name(o.precision.precision), products.calls, products.seconds, 100.0 * products.seconds / seconds,
                 products.flops / 1e9, products.seconds > 0 ? products.flops / products.seconds / 1e9 : 0.0);
  }
}
}  // namespace

void add_translate_command(CLI::App& app) {
  auto o = std::make_shared<TranslateCommandOptions>();
  auto* cmd = app.add_subcommand("translate", "Translate sentences from stdin to stdout");
  cmd->add_option("--model", o->model_dir, "model directory written by `heed train`")->required();
  cmd->add_option("--input", o->input, "read sentences from FILE instead of stdin");
  add_translator_options(cmd, o->translator);
  cmd->add_option("--output", o->output, "text, nbest (ID ||| hypothesis ||| score) or jsonl")
      ->capture_default_str();
  cmd->add_option("--alignment", o->alignment,
                  "append alignments: hard (Pharaoh source-target pairs) or soft (source weights "
                  "per target token)")
      ->capture_default_str();
  cmd->add_option("--alignment-layer", o->alignment_layer,
                  "cross-attention layer the alignment reads (0-based; default: the penultimate)");
  cmd->add_option("--alignment-head", o->alignment_head,
                  "cross-attention head the alignment reads (0-based; default: the mean over heads)");
  cmd->add_flag("--replace-unk", o->translator.replace_unknown,
                "replace each <unk> in the output by the most attended source token");
  add_runtime_options(cmd, o->runtime);
  add_precision_option(cmd, o->precision);
  cmd->add_option("--shortlist", o->shortlist,
                  "vocabulary shortlist written by `heed shortlist`: each batch's output layer on its "
                  "candidate target tokens only");
  cmd->add_flag("--profile", o->profile,
                "log the time spent in the linear layers' matrix products and their GFLOP/s");
  cmd->callback([o] { run_translate(*o); });
}

}  // namespace heed
