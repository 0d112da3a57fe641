// heed dump-attention: translate (or force-decode a reference) and write the attention
// of the produced translation as CSV (long format, or one matrix per file), and, on
// request, as heatmaps: --html FILE (one self-contained page, attention_html.h) and
// --svg DIR (one SVG per matrix, heatmap_svg.h). It runs the same search as `translate`
// (same flags), so the attention dumped is the attention of the translation `translate`
// prints; with --beam K --nbest N, of each of the N best.
//
// Outputs combine freely. The long CSV goes to --out FILE (or stdout) as before, except
// that with --html or --svg and neither --out nor --format matrix it is not written at
// all: stdout then stays empty instead of carrying a CSV nobody asked for (`--out -`
// still sends it to stdout).
//
// --aggregate words merges subword pieces (and characters) into words
// (word_aggregation.h: sum over a word's key pieces, mean over its query pieces; </s>
// stays explicit); --stats adds diagnostics (attention_stats.h) to every output.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "attention/attention_export.h"
#include "attention/attention_html.h"
#include "attention/heatmap_svg.h"
#include "attention/word_aggregation.h"
#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "data/corpus_reader.h"
#include "decode/translator.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/line_reader.h"
#include "util/output_check.h"

namespace heed {

namespace {
struct DumpOptions {
  std::string model_dir;
  std::string input = "-";
  std::string reference;
  std::string out;
  std::string format = "long";
  std::string out_dir;
  std::string html;     // --html FILE
  std::string svg_dir;  // --svg DIR
  std::string part;
  std::optional<int64_t> layer, head;
  bool average_heads = false;
  bool ranked = false;  // --beam or --nbest given: the hypothesis column / file-name rank
  std::string aggregate = "none";
  bool stats = false;
  double coverage_threshold = 0.1;
  TranslatorOptions translator;
  RuntimeOptions runtime;
  InferencePrecision precision;
};

void run_dump(DumpOptions& o) {
  if (o.format != "long" && o.format != "matrix") {
    throw Error("--format must be long or matrix (got '" + o.format + "')");
  }
  if (o.format == "matrix" && o.out_dir.empty()) throw Error("--format matrix needs --out-dir DIR");
  AttentionFilter filter;
  if (!o.part.empty()) filter.part = parse_attention_part(o.part);
  filter.layer = o.layer;
  filter.head = o.head;
  filter.average_heads = o.average_heads;
  if (o.aggregate != "none" && o.aggregate != "words") {
    throw Error("--aggregate must be none or words (got '" + o.aggregate + "')");
  }
  if (!(o.coverage_threshold > 0.0 && o.coverage_threshold <= 1.0)) {
    throw Error("--coverage-threshold must be in (0, 1] (got " + std::to_string(o.coverage_threshold) + ")");
  }
  StatsExport stats;
  if (o.stats) stats.threshold = o.coverage_threshold;

  const torch::Device device = o.runtime.apply();
  const LoadedModel model = load_model_directory(o.model_dir, WhichWeights::Best, device);
  use_precision(model, o.precision, device);
  check_attention_filter(model.model->attention_layout(), filter);
  o.translator.search.return_attention = true;
  const Translator translator(model, o.translator);

  // Per input line, its source text and its n-best list (one translation when
  // force-decoding).
  std::vector<std::string> sources;
  std::vector<std::vector<Translation>> translations;
  if (!o.reference.empty()) {
    if (o.ranked) throw Error("--beam and --nbest do not apply to --reference (the target is given)");
    const auto pairs = read_tsv(o.reference).pairs;
    for (const auto& pair : pairs) sources.push_back(pair.source);
    for (auto& translation : translator.force_decode(pairs)) {
      translations.push_back({std::move(translation)});
    }
  } else {
    LineReader reader(o.input);
    while (auto line = reader.next()) sources.push_back(std::move(*line));
    translations = translator.translate_nbest(sources);
  }
  struct Dumped {
    MatrixOwner owner;
    const std::string& source;
    const Translation& translation;
    std::vector<AttentionMatrix> matrices;
  };
  // Which sides are pieces to merge into words: by the model's tokenizers.
  const bool source_pieces = model.config.source_tokenizer.kind != TokenizerKind::Word;
  const bool target_pieces = model.config.target_tokenizer.kind != TokenizerKind::Word;
  auto matrices_of = [&](const Translation& translation) {
    auto matrices = attention_matrices(translation, filter);
    if (o.aggregate == "words") {
      for (auto& matrix : matrices) {
        const bool source_queries = matrix.part == AttentionPart::EncoderSelf;
        const bool source_keys = matrix.part != AttentionPart::DecoderSelf;
        matrix = aggregate_words(matrix, {source_queries ? source_pieces : target_pieces,
                                          source_keys ? source_pieces : target_pieces});
      }
    }
    return matrices;
  };
  // Every translation's matrices, computed once for all the outputs asked for.
  std::vector<Dumped> dumped;
  for (size_t i = 0; i < translations.size(); ++i) {
    for (size_t rank = 0; rank < translations[i].size(); ++rank) {
      const Translation& translation = translations[i][rank];
      const MatrixOwner owner{i, o.ranked ? std::optional<size_t>(rank) : std::nullopt};
      dumped.push_back(Dumped{owner, sources.at(i), translation, matrices_of(translation)});
    }
  }

  if (!o.svg_dir.empty()) {
    create_directories(o.svg_dir);
    for (const Dumped& d : dumped) write_svg_files(o.svg_dir, d.owner, d.matrices);
  }
  if (!o.html.empty()) {
    std::vector<HtmlSentence> sentences;
    for (const Dumped& d : dumped) {
      sentences.push_back({d.owner.sentence, d.owner.hypothesis, d.source, d.translation.text, d.matrices, stats});
    }
    const std::string model_name = model.config.model + " · " + o.model_dir;
    write_atomically(o.html, [&](std::ostream& out) { write_attention_html(out, model_name, sentences); });
  }
  if (o.format == "matrix") {
    create_directories(o.out_dir);
    for (const Dumped& d : dumped) write_matrix_csvs(o.out_dir, d.owner, d.matrices, stats);
    return;
  }
  const bool heatmaps_only = (!o.html.empty() || !o.svg_dir.empty()) && o.out.empty();
  if (heatmaps_only) return;
  std::ofstream file;
  if (!o.out.empty() && o.out != "-") {
    file.open(o.out);
    if (!file) throw Error("cannot write " + o.out);
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  write_long_csv_header(out, o.ranked, stats, o.precision.precision);
  for (const Dumped& d : dumped) write_long_csv_rows(out, d.owner, d.matrices, stats);
  check_written(out, file.is_open() ? o.out : "standard output");
  if (file.is_open()) {
    file.close();
    if (!file) throw Error("cannot write to " + o.out);
  }
}
}  // namespace

void add_dump_attention_command(CLI::App& app) {
  auto o = std::make_shared<DumpOptions>();
  auto* cmd = app.add_subcommand("dump-attention", "Write the attention of translations as CSV, HTML or SVG");
  cmd->add_option("--model", o->model_dir, "model directory written by `heed train`")->required();
  cmd->add_option("--input", o->input, "source sentences (default: stdin)");
  cmd->add_option("--reference", o->reference, "force-decode these source<TAB>target pairs instead");
  cmd->add_option("--out", o->out,
                  "long-format CSV file (default: stdout, but none at all with --html or --svg; "
                  "'-' for stdout)");
  cmd->add_option("--format", o->format, "long or matrix")->capture_default_str();
  cmd->add_option("--out-dir", o->out_dir, "directory for --format matrix");
  cmd->add_option("--html", o->html,
                  "also write heatmaps as one self-contained HTML page (no CSV on stdout then, "
                  "unless --out - is given)");
  cmd->add_option("--svg", o->svg_dir,
                  "also write one SVG heatmap per matrix into this directory (no CSV on stdout "
                  "then, unless --out - is given)");
  cmd->add_option("--part", o->part, "only this part: enc_self, dec_self or cross");
  cmd->add_option("--layer", o->layer, "only this layer (0-based)");
  cmd->add_option("--head", o->head, "only this head (0-based)");
  cmd->add_flag("--average-heads", o->average_heads, "one matrix per layer: the mean over heads");
  cmd->add_option("--aggregate", o->aggregate,
                  "words: merge subword pieces/characters into words (sum over key pieces, mean over "
                  "query pieces)")
      ->capture_default_str();
  cmd->add_flag("--stats", o->stats,
                "add diagnostics: row entropy, key coverage, mass on </s>, share of unattended source tokens");
  cmd->add_option("--coverage-threshold", o->coverage_threshold,
                  "--stats: a key is unattended when its largest weight is below this")
      ->capture_default_str();
  add_translator_options(cmd, o->translator);
  add_runtime_options(cmd, o->runtime);
  add_precision_option(cmd, o->precision);
  cmd->callback([o, cmd] {
    o->ranked = cmd->count("--beam") > 0 || cmd->count("--nbest") > 0;
    run_dump(*o);
  });
}

}  // namespace heed
