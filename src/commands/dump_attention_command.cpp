// heed dump-attention: translate (or force-decode a reference) and write the attention
// of the produced translation as CSV (long format, or one matrix per file).
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "attention/attention_export.h"
#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "data/corpus_reader.h"
#include "decode/translator.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/line_reader.h"

namespace heed {

namespace {
struct DumpOptions {
  std::string model_dir;
  std::string input = "-";
  std::string reference;
  std::string out;
  std::string format = "long";
  std::string out_dir;
  std::string part;
  std::optional<int64_t> layer, head;
  bool average_heads = false;
  TranslatorOptions translator;
  RuntimeOptions runtime;
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

  const torch::Device device = o.runtime.apply();
  const LoadedModel model = load_model_directory(o.model_dir, WhichWeights::Best, device);
  o.translator.search.return_attention = true;
  const Translator translator(model, o.translator);

  std::vector<Translation> translations;
  if (!o.reference.empty()) {
    translations = translator.force_decode(read_tsv(o.reference).pairs);
  } else {
    std::vector<std::string> lines;
    LineReader reader(o.input);
    while (auto line = reader.next()) lines.push_back(std::move(*line));
    translations = translator.translate(lines);
  }

  if (o.format == "matrix") {
    create_directories(o.out_dir);
    for (size_t i = 0; i < translations.size(); ++i) {
      write_matrix_csvs(o.out_dir, i, attention_matrices(translations[i], filter));
    }
    return;
  }
  std::ofstream file;
  if (!o.out.empty() && o.out != "-") {
    file.open(o.out);
    if (!file) throw Error("cannot write " + o.out);
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  write_long_csv_header(out);
  for (size_t i = 0; i < translations.size(); ++i) {
    write_long_csv_rows(out, i, attention_matrices(translations[i], filter));
  }
  out.flush();
  if (!out) throw Error("cannot write " + (o.out.empty() ? std::string("stdout") : o.out));
}
}  // namespace

void add_dump_attention_command(CLI::App& app) {
  auto o = std::make_shared<DumpOptions>();
  auto* cmd = app.add_subcommand("dump-attention", "Write the attention of translations as CSV");
  cmd->add_option("--model", o->model_dir, "model directory written by `heed train`")->required();
  cmd->add_option("--input", o->input, "source sentences (default: stdin)");
  cmd->add_option("--reference", o->reference, "force-decode these source<TAB>target pairs instead");
  cmd->add_option("--out", o->out, "long-format CSV file (default: stdout)");
  cmd->add_option("--format", o->format, "long or matrix")->capture_default_str();
  cmd->add_option("--out-dir", o->out_dir, "directory for --format matrix");
  cmd->add_option("--part", o->part, "only this part: enc_self, dec_self or cross");
  cmd->add_option("--layer", o->layer, "only this layer (0-based)");
  cmd->add_option("--head", o->head, "only this head (0-based)");
  cmd->add_flag("--average-heads", o->average_heads, "one matrix per layer: the mean over heads");
  add_translator_options(cmd, o->translator);
  add_runtime_options(cmd, o->runtime);
  cmd->callback([o] { run_dump(*o); });
}

}  // namespace heed
