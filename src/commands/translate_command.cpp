// heed translate: stdin -> stdout, one translation per line, streaming.
//
// Lines are batched greedily: a batch is translated as soon as it is full or the next
// line has not arrived yet, so in a pipe fed line by line every translation appears
// before the next line is needed. Output order is input order; an empty line gives an
// empty line.
#include <iostream>

#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "decode/translator.h"
#include "util/line_reader.h"

namespace heed {

namespace {
struct TranslateCommandOptions {
  std::string model_dir;
  std::string input = "-";
  TranslatorOptions translator;
  RuntimeOptions runtime;
};

void run_translate(const TranslateCommandOptions& o) {
  const torch::Device device = o.runtime.apply();
  const LoadedModel model = load_model_directory(o.model_dir, WhichWeights::Best, device);
  const Translator translator(model, o.translator);
  LineReader reader(o.input);
  std::vector<std::string> batch;
  auto flush = [&] {
    for (const auto& translation : translator.translate(batch)) std::cout << translation.text << "\n";
    std::cout.flush();
    batch.clear();
  };
  while (auto line = reader.next()) {
    batch.push_back(std::move(*line));
    if (static_cast<int64_t>(batch.size()) >= o.translator.batch_size || !reader.ready()) flush();
  }
  flush();
}
}  // namespace

void add_translate_command(CLI::App& app) {
  auto o = std::make_shared<TranslateCommandOptions>();
  auto* cmd = app.add_subcommand("translate", "Translate sentences from stdin to stdout");
  cmd->add_option("--model", o->model_dir, "model directory written by `heed train`")->required();
  cmd->add_option("--input", o->input, "read sentences from FILE instead of stdin");
  add_translator_options(cmd, o->translator);
  add_runtime_options(cmd, o->runtime);
  cmd->callback([o] { run_translate(*o); });
}

}  // namespace heed
