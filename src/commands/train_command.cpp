// heed train: read corpora, build vocabularies and the model (through the registry),
// and train into a model directory.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "commands/commands.h"
#include "commands/validators.h"
#include "commands/corpus_options.h"
#include "commands/runtime_options.h"
#include "commands/vocab_options.h"
#include "text/sentencepiece_api.h"
#include "models/registry.h"
#include "train/new_model.h"
#include "train/trainer.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace heed {

namespace {

struct TrainCommandOptions {
  CorpusOptions train, valid;
  bool skip_bad_lines = false;
  std::string model = "gru-bahdanau";
  std::string out;
  std::string resume;
  std::string config;  // already expanded into options by main
  VocabFlags vocab;
  std::string vocab_dir;  // built by `heed vocab`
  size_t max_length = 0;
  // Model hyperparameters: only those given are passed on; the model supplies defaults.
  std::optional<int64_t> emb, hidden, layers, attention_size;
  std::optional<double> dropout;
  std::optional<bool> bidirectional;
  std::optional<int64_t> d_model, heads, ff, encoder_layers, decoder_layers;
  bool norm_first = false, learned_positions = false, tie_embeddings = false;
  std::string best_metric = "bleu";
  std::string lr_schedule;
  std::string precision;
  TrainOptions training;
  RuntimeOptions runtime;
};

nlohmann::json hyperparameters_from(const TrainCommandOptions& o) {
  nlohmann::json json = nlohmann::json::object();
  if (o.emb) json["emb"] = *o.emb;
  if (o.hidden) json["hidden"] = *o.hidden;
  if (o.layers) json["layers"] = *o.layers;
  if (o.attention_size) json["attention_size"] = *o.attention_size;
  if (o.dropout) json["dropout"] = *o.dropout;
  if (o.bidirectional) json["bidirectional"] = *o.bidirectional;
  if (o.d_model) json["d_model"] = *o.d_model;
  if (o.heads) json["heads"] = *o.heads;
  if (o.ff) json["ff"] = *o.ff;
  if (o.encoder_layers) json["encoder_layers"] = *o.encoder_layers;
  if (o.decoder_layers) json["decoder_layers"] = *o.decoder_layers;
  if (o.norm_first) json["norm_first"] = true;
  if (o.learned_positions) json["learned_positions"] = true;
  if (o.tie_embeddings) json["tie_embeddings"] = true;
  return json;
}

std::vector<SentencePair> drop_long(std::vector<SentencePair> pairs, const LoadedModel& model,
                                    size_t max_length) {
  if (max_length == 0) return pairs;
  std::vector<SentencePair> kept;
  for (auto& pair : pairs) {
    if (model.source_tokenizer->encode(pair.source).size() <= max_length &&
        model.target_tokenizer->encode(pair.target).size() <= max_length) {
      kept.push_back(std::move(pair));
    }
  }
  if (kept.size() < pairs.size()) {
    spdlog::info("dropped {} pairs longer than --max-length {}", pairs.size() - kept.size(), max_length);
  }
  return kept;
}

// Sets the training options in `values` (keys of TrainOptions::to_json) whose flag
// (`--` + the key with dashes) the command line did not give: on --resume the values the
// model directory was trained with (so data order, limits and schedule continue), for a
// new model the registry's training defaults of that model.
void take_unless_given(TrainOptions& training, const nlohmann::json& values, const CLI::App& cmd) {
  nlohmann::json taken = nlohmann::json::object();
  for (const auto& [key, value] : values.items()) {
    std::string flag = "--" + key;
    std::replace(flag.begin(), flag.end(), '_', '-');
    if (cmd.count(flag) == 0) taken[key] = value;
  }
  training.set_from_json(taken);
}

// Flags that would be silently ignored are errors.
void check_training_flags(const TrainCommandOptions& o, const CLI::App& cmd, bool resume) {
  const TrainOptions& t = o.training;
  if (t.lr_schedule == LrScheduleKind::Plateau && !o.valid.given()) {
    throw Error("--lr-schedule plateau needs validation data (--valid)");
  }
  if (t.lr_schedule != LrScheduleKind::Plateau && (cmd.count("--plateau-factor") + cmd.count("--plateau-patience")) > 0) {
    throw Error("--plateau-factor and --plateau-patience apply to --lr-schedule plateau only");
  }
  if (t.average_checkpoints == 1) throw Error("--average-checkpoints needs at least 2 checkpoints (or 0: off)");
  if (!o.vocab_dir.empty()) {
    for (const char* flag : {"--tokenizer", "--lowercase", "--min-count", "--max-vocab", "--vocab-size",
                             "--sp-model-type", "--shared-vocab"}) {
      if (cmd.count(flag) > 0) {
        throw Error(std::string(flag) + " cannot be combined with --vocab (the vocabulary directory fixes it)");
      }
    }
  }
  if (resume && !o.vocab_dir.empty()) throw Error("--vocab applies to a new model, not to --resume");
  if (t.precision == Precision::BFloat16) {
    if (!t.device.is_cpu()) throw Error("--precision bf16 is CPU mixed precision; train on --device cpu or with fp32");
    if (!cpu_has_native_bf16()) {
      spdlog::warn("this CPU has no AVX512-BF16: bf16 products are emulated and --precision bf16 runs slower than fp32");
    }
  }
}

void run_train(TrainCommandOptions& o, const CLI::App& cmd) {
  const torch::Device device = o.runtime.apply();
  o.training.best_metric = parse_best_metric(o.best_metric);  // on --resume, the stored one unless given
  if (!o.lr_schedule.empty()) o.training.lr_schedule = parse_lr_schedule(o.lr_schedule);
  if (!o.precision.empty()) o.training.precision = parse_precision(o.precision);
  const bool resume = !o.resume.empty();
  if (resume) {
    if (!o.out.empty() && o.out != o.resume) throw Error("--resume DIR trains into DIR; drop --out");
    o.out = o.resume;
  }
  if (o.out.empty()) throw Error("--out DIR is required (where the model directory is written)");
  if (!o.train.given()) throw Error("training data is required: --train FILE.tsv or --train-src/--train-tgt");
  LoadedModel model;
  if (resume) {
    model = load_model_directory(o.resume, WhichWeights::Last, device);
    nlohmann::json stored = model.config.training;
    // Directories written before --lr-schedule existed: warm-up meant inverse-sqrt.
    if (!stored.contains("lr_schedule") && stored.value("warmup_steps", 0) > 0) {
      stored["lr_schedule"] = "inverse-sqrt";
    }
    try {
      take_unless_given(o.training, stored, cmd);
    } catch (const Error& e) {
      throw Error(model_files::config(o.resume) + ": " + e.what());
    }
  }
  o.training.out_dir = o.out;
  o.training.device = device;
  if (o.training.epochs == 0 && o.training.max_steps == 0 && o.training.time_budget_s == 0) {
    o.training.epochs = 10;
  }

  if (!resume) {
    // Mistakes in the model options fail before any data is read.
    o.vocab.spec(o.training.seed, 1);
    check_hyperparameters(o.model, hyperparameters_from(o));
    take_unless_given(o.training, find_model(o.model).training_defaults, cmd);
    if (std::filesystem::exists(model_files::config(o.out))) {
      throw Error(o.out + " already holds a model; use --resume " + o.out + " or another --out");
    }
  }
  // Mistakes that do not need the data fail before it is read.
  check_training_flags(o, cmd, resume);
  std::optional<Vocabularies> prebuilt;
  if (!resume && !o.vocab_dir.empty()) {
    if (!std::filesystem::exists(vocab_files::description(o.vocab_dir))) {
      throw Error(o.vocab_dir + " is not a vocabulary directory (missing vocab.json; `heed vocab` writes one)");
    }
    prebuilt = load_vocabularies(o.vocab_dir);
  }
  if (!resume && o.vocab_dir.empty() && o.vocab.tokenizer == "sentencepiece") sentencepiece_api::api();
  create_directories(o.out);
  const ReadOptions read_options{o.skip_bad_lines};
  Corpus train = o.train.read("--train", read_options);
  Corpus valid;
  if (o.valid.given()) valid = o.valid.read("--valid", read_options);
  if (train.skipped_lines + valid.skipped_lines > 0) {
    spdlog::warn("skipped {} malformed lines (--skip-bad-lines)", train.skipped_lines + valid.skipped_lines);
  }
  spdlog::info("read {} training pairs{}", train.pairs.size(),
               o.valid.given() ? fmt::format(", {} validation pairs", valid.pairs.size()) : "");

  if (!resume) {
    NewModelSpec spec;
    spec.model = o.model;
    spec.hyperparameters = hyperparameters_from(o);
    spec.seed = o.training.seed;
    Vocabularies vocabularies;
    if (prebuilt) {
      vocabularies = std::move(*prebuilt);
      spdlog::info("vocabularies from {}", o.vocab_dir);
    } else {
      if (o.vocab.tokenizer == "sentencepiece") spdlog::info("training SentencePiece models");
      vocabularies = build_vocabularies(o.vocab.spec(o.training.seed, o.runtime.thread_count()),
                                        train.pairs);
    }
    log_vocabularies(vocabularies);
    model = create_model(spec, std::move(vocabularies));
  }
  train.pairs = drop_long(std::move(train.pairs), model, o.max_length);
  heed::train(model, train.pairs, valid.pairs, o.training, resume);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainCommandOptions>();
  auto* cmd = app.add_subcommand("train", "Train a model into a model directory");
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // Options come first from config files (expanded in main by expand_config_files), so
  // the command line, which follows them, wins: the last value of an option counts.
  cmd->add_option("--config", o->config, "read options from FILE (key = value, keys = long flag names)");
  add_corpus_options(cmd, "train", o->train, "training data");
  add_corpus_options(cmd, "valid", o->valid, "validation data");
  cmd->add_flag("--skip-bad-lines", o->skip_bad_lines, "skip (and count) malformed input lines");
  cmd->add_option("--model", o->model, "model name from `heed models`")->capture_default_str();
  cmd->add_option("--out", o->out, "model directory to write");
  cmd->add_option("--resume", o->resume, "continue training the model directory DIR");
  add_vocab_options(cmd, o->vocab);
  cmd->add_option("--vocab", o->vocab_dir, "use the tokenizers and vocabularies `heed vocab` wrote to DIR");
  cmd->add_option("--max-length", o->max_length, "drop training pairs longer than N tokens (0 = keep all)")
      ->capture_default_str();
  cmd->add_option("--emb", o->emb, "embedding size");
  cmd->add_option("--hidden", o->hidden, "gru-bahdanau: GRU hidden size");
  cmd->add_option("--layers", o->layers, "encoder/decoder layers");
  cmd->add_option("--attention-size", o->attention_size, "gru-bahdanau: units of the additive attention layer");
  cmd->add_option("--dropout", o->dropout, "dropout probability");
  cmd->add_option("--bidirectional", o->bidirectional, "gru-bahdanau: bidirectional encoder (true/false)");
  cmd->add_option("--d-model", o->d_model, "transformer: model width");
  cmd->add_option("--heads", o->heads, "transformer: attention heads");
  cmd->add_option("--ff", o->ff, "transformer: feed-forward width");
  cmd->add_option("--encoder-layers", o->encoder_layers, "transformer: encoder layers (default --layers)");
  cmd->add_option("--decoder-layers", o->decoder_layers, "transformer: decoder layers (default --layers)");
  cmd->add_flag("--norm-first", o->norm_first, "transformer: pre-norm instead of post-norm");
  cmd->add_flag("--learned-positions", o->learned_positions, "transformer: learned position embeddings");
  cmd->add_flag("--tie-embeddings", o->tie_embeddings, "transformer: output layer shares the target embedding");
  cmd->add_option("--epochs", o->training.epochs, "epochs (0 = no limit; default 10 when no other limit)");
  cmd->add_option("--max-steps", o->training.max_steps, "stop after N updates (0 = no limit)");
  cmd->add_option("--time-budget", o->training.time_budget_s, "stop after SECONDS of wall-clock time");
  cmd->add_option("--batch-tokens", o->training.batch_tokens, "padded tokens per batch (default per model)")
      ->check(positive());
  cmd->add_option("--lr", o->training.lr, "Adam learning rate")->capture_default_str()->check(positive());
  cmd->add_option("--clip-norm", o->training.clip_norm, "max gradient norm (0 = off)")->capture_default_str();
  cmd->add_option("--adam-beta1", o->training.adam_beta1, "Adam: decay of the gradient mean")
      ->capture_default_str()->check(CLI::Range(0.0, 0.9999));
  cmd->add_option("--adam-beta2", o->training.adam_beta2,
                  "Adam: decay of the squared-gradient mean (default per model)")
      ->check(CLI::Range(0.0, 0.9999));
  cmd->add_option("--label-smoothing", o->training.label_smoothing, "label smoothing (0 = off)")
      ->capture_default_str()->check(CLI::Range(0.0, 0.999));
  cmd->add_option("--precision", o->precision,
                  "fp32, or bf16: matrix products in bfloat16 with float32 weights, optimizer and "
                  "loss (mixed precision; CPU; default fp32)");
  cmd->add_option("--lr-schedule", o->lr_schedule,
                  "constant, inverse-sqrt (decays as 1/sqrt(step) after warm-up) or plateau "
                  "(reduce-on-plateau; default per model)");
  cmd->add_option("--warmup-steps", o->training.warmup_steps, "linear warm-up to --lr over N updates (default per model)")
      ->check(non_negative());
  cmd->add_option("--plateau-factor", o->training.plateau_factor, "plateau: lr multiplier on a plateau")
      ->capture_default_str()->check(CLI::Range(0.01, 0.99));
  cmd->add_option("--plateau-patience", o->training.plateau_patience,
                  "plateau: validations without improvement before the lr is reduced")
      ->capture_default_str()->check(positive());
  cmd->add_option("--average-checkpoints", o->training.average_checkpoints,
                  "keep the last K validated checkpoints and average them at the end (0 = off)")
      ->capture_default_str()->check(non_negative());
  cmd->add_option("--valid-every", o->training.valid_every, "validate every N steps (0 = every epoch)")
      ->capture_default_str();
  cmd->add_option("--patience", o->training.patience, "stop after N validations without improvement (0 = never)")
      ->capture_default_str();
  cmd->add_option("--best-metric", o->best_metric, "bleu, exact or loss")->capture_default_str();
  cmd->add_option("--seed", o->training.seed, "random seed")->capture_default_str();
  add_runtime_options(cmd, o->runtime);
  cmd->callback([o, cmd] { run_train(*o, *cmd); });
}

}  // namespace heed
