// heed train: read corpora, build vocabularies and the model (through the registry),
// and train into a model directory.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "commands/commands.h"
#include "commands/validators.h"
#include "commands/corpus_options.h"
#include "commands/declared_flags.h"
#include "commands/runtime_options.h"
#include "commands/vocab_options.h"
#include "text/sentencepiece_api.h"
#include "models/registry.h"
#include "models/seq2seq_model.h"
#include "model_dir/new_model.h"
#include "parallel/communicator.h"
#include "parallel/launcher.h"
#include "train/train_options.h"
#include "train/trainer.h"
#include "util/atomic_file.h"
#include "util/directory_lock.h"
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
  int64_t max_length = kMaxSentenceTokens - 1;
  // Model hyperparameters and training options, from their declarations: only those
  // given are passed on; the model and the stored options supply the rest.
  DeclaredFlags declared;
  RuntimeOptions runtime;
  // Several processes (parallel/): --nproc, or torchrun's variables, or these flags.
  int nproc = 1;
  WorldSpec world;
};

// How long the other ranks wait for rank 0 to read the data and build (or load) the
// model: SentencePiece training on a large corpus takes minutes, not a --dist-timeout.
constexpr std::chrono::seconds kModelPatience{2 * 3600};

// Before the vocabularies are counted: a line too long in bytes to hold max_length
// tokens of at most 64 bytes each is dropped unread, so one absurd line (a file that is
// not a corpus) cannot fill the vocabulary with millions of entries.
std::vector<SentencePair> drop_huge_lines(std::vector<SentencePair> pairs, int64_t max_length) {
  const size_t limit = static_cast<size_t>(max_length) * 64;
  const size_t before = pairs.size();
  pairs.erase(std::remove_if(pairs.begin(), pairs.end(),
                             [&](const SentencePair& p) { return p.source.size() > limit || p.target.size() > limit; }),
              pairs.end());
  if (pairs.size() < before) {
    spdlog::warn("dropped {} pairs of more than {} bytes (--max-length {})", before - pairs.size(), limit, max_length);
  }
  return pairs;
}

std::vector<SentencePair> drop_long(std::vector<SentencePair> pairs, const LoadedModel& model,
                                    int64_t max_length) {
  std::vector<SentencePair> kept;
  for (auto& pair : pairs) {
    if (model.source_tokenizer->encode(pair.source).size() <= static_cast<size_t>(max_length) &&
        model.target_tokenizer->encode(pair.target).size() <= static_cast<size_t>(max_length)) {
      kept.push_back(std::move(pair));
    }
  }
  if (kept.size() < pairs.size()) {
    spdlog::info("dropped {} pairs longer than --max-length {}", pairs.size() - kept.size(), max_length);
  }
  return kept;
}

// The training options of this run, lowest precedence first: the declared defaults,
// then on --resume the options the model directory was trained with (so data order,
// limits and schedule continue), for a new model the registry's training defaults of
// that model; then the options given on the command line (and in --config files).
TrainOptions resolve_training_options(const TrainCommandOptions& o, const LoadedModel* resumed) {
  TrainOptions training;
  if (resumed != nullptr) {
    nlohmann::json stored = resumed->config.training;
    // Directories written before --lr-schedule existed: warm-up meant inverse-sqrt.
    if (!stored.contains("lr_schedule") && stored.value("warmup_steps", 0) > 0) stored["lr_schedule"] = "inverse-sqrt";
    try {
      training.set_from_json(stored);
    } catch (const Error& e) {
      throw Error(model_files::config(o.resume) + ": " + e.what());
    }
  } else {
    training.set_from_json(find_model(o.model).training_defaults);
  }
  training.set_from_json(o.declared.given(option_specs<TrainOptions>()));
  return training;
}

// Flags that would be silently ignored are errors.
void check_training_flags(const TrainCommandOptions& o, const TrainOptions& t, const CLI::App& cmd, bool resume) {
  if (t.lr_schedule == LrScheduleKind::Plateau && !o.valid.given()) {
    throw Error("--lr-schedule plateau needs validation data (--valid)");
  }
  if (t.lr_schedule != LrScheduleKind::Plateau && (o.declared.was_given("plateau_factor") || o.declared.was_given("plateau_patience"))) {
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

// The corpora as this process reads them (each process of a run reads its own copy).
struct TrainingData {
  Corpus train, valid;
};

TrainingData read_training_data(const TrainCommandOptions& o) {
  const ReadOptions read_options{o.skip_bad_lines};
  TrainingData data;
  data.train = o.train.read("--train", read_options);
  if (o.valid.given()) data.valid = o.valid.read("--valid", read_options);
  if (data.train.skipped_lines + data.valid.skipped_lines > 0) {
    spdlog::warn("skipped {} malformed lines (--skip-bad-lines)", data.train.skipped_lines + data.valid.skipped_lines);
  }
  data.train.pairs = drop_huge_lines(std::move(data.train.pairs), o.max_length);
  if (data.train.pairs.empty()) throw Error("--train holds no sentence pairs of at most --max-length tokens");
  spdlog::info("read {} training pairs{}", data.train.pairs.size(),
               o.valid.given() ? fmt::format(", {} validation pairs", data.valid.pairs.size()) : "");
  return data;
}

// What rank 0 hands the other ranks: the resolved training options and the model's
// description, or the error that stopped rank 0 before it got there.
std::string model_handoff(const TrainOptions& training, const LoadedModel& model, bool resume) {
  return std::string(resume ? "resume" : "new") + "\n" + training.to_json().dump() + "\n" +
         pack_model_description(model);
}

// Ranks other than 0: the same data, rank 0's options and model; rank 0 writes the
// directory, so these need not see it.
void run_train_rank(TrainCommandOptions& o, const torch::Device& device, Communicator& comm) {
  TrainingData data = read_training_data(o);
  const std::string handoff = comm.share_from_root("model", "", kModelPatience);
  const size_t kind_end = handoff.find('\n');
  const std::string kind = handoff.substr(0, kind_end);
  if (kind != "new" && kind != "resume") throw Error("rank 0 stopped: " + handoff.substr(kind_end + 1));
  // Rank 0 decides: its directory is the one trained (or resumed).
  const bool resume = kind == "resume";
  const size_t options_end = handoff.find('\n', kind_end + 1);
  const nlohmann::json stored = nlohmann::json::parse(handoff.substr(kind_end + 1, options_end - kind_end - 1));
  TrainOptions training;
  training.set_from_json(stored);
  // The same command line everywhere: a flag this rank was given must agree with rank 0.
  const nlohmann::json given = o.declared.given(option_specs<TrainOptions>());
  for (const auto& [key, value] : given.items()) {
    if (stored.value(key, nlohmann::json()) != value) {
      throw Error("rank " + std::to_string(comm.rank()) + ": " + flag_name(key) + " " + value.dump() +
                  " differs from rank 0's " + stored.value(key, nlohmann::json()).dump() +
                  ": start every process with the same options");
    }
  }
  training.out_dir = o.out;
  training.device = device;
  LoadedModel model = unpack_model_description(handoff.substr(options_end + 1), device);
  data.train.pairs = drop_long(std::move(data.train.pairs), model, o.max_length);
  heed::train(model, data.train.pairs, data.valid.pairs, training, resume, comm);
}

// --nproc N: this command again, N times, as the ranks of one group.
void launch_local_workers(const TrainCommandOptions& o, const CLI::App& cmd) {
  if (std::getenv("WORLD_SIZE") != nullptr || cmd.count("--world-size") > 0 || cmd.count("--rank") > 0) {
    throw Error("--nproc starts its own processes; under torchrun or with --rank/--world-size, leave it out");
  }
  LaunchSpec spec;
  spec.processes = o.nproc;
  spec.timeout_s = o.world.timeout_s;
  spec.arguments = own_command_line();
  spec.arguments.push_back("--nproc=1");  // the last value of an option counts
  if (cmd.count("--threads") == 0) {
    spec.arguments.push_back("--threads=" + std::to_string(std::max(1, o.runtime.thread_count() / o.nproc)));
  }
  spdlog::info("starting {} training processes", o.nproc);
  run_workers(spec);
}

// The group this process belongs to: torchrun's variables, then the flags given.
WorldSpec resolve_world(const TrainCommandOptions& o, const CLI::App& cmd) {
  WorldSpec world = world_from_environment(o.world);
  if (cmd.count("--rank") > 0) world.rank = o.world.rank;
  if (cmd.count("--world-size") > 0) world.world_size = o.world.world_size;
  if (cmd.count("--master-addr") > 0) world.master_addr = o.world.master_addr;
  if (cmd.count("--master-port") > 0) world.master_port = o.world.master_port;
  world.timeout_s = o.world.timeout_s;
  check_world(world);
  return world;
}

void run_train_root(TrainCommandOptions& o, const CLI::App& cmd, const torch::Device& device, Communicator& comm,
                    bool resume);

void run_train(TrainCommandOptions& o, const CLI::App& cmd) {
  if (o.nproc > 1) {
    launch_local_workers(o, cmd);
    return;
  }
  const WorldSpec world = resolve_world(o, cmd);
  // Processes that share a machine share its cores, unless told otherwise.
  if (cmd.count("--threads") == 0 && world.distributed() && world.local_world_size > 1) {
    o.runtime.threads = std::max(1, o.runtime.thread_count() / world.local_world_size);
  }
  const torch::Device device = o.runtime.apply();
  const bool resume = !o.resume.empty();
  if (resume) {
    if (!o.out.empty() && o.out != o.resume) throw Error("--resume DIR trains into DIR; drop --out");
    o.out = o.resume;
  }
  if (o.out.empty()) throw Error("--out DIR is required (where the model directory is written)");
  if (!o.train.given()) throw Error("training data is required: --train FILE.tsv or --train-src/--train-tgt");
  std::unique_ptr<Communicator> comm = Communicator::join(world, device);
  if (comm->distributed()) {
    if (!comm->is_root()) {
      spdlog::set_level(spdlog::level::warn);  // rank 0 reports for all
      run_train_rank(o, device, *comm);
      return;
    }
    spdlog::info("rank 0 of {} training processes", comm->size());
  }
  try {
    run_train_root(o, cmd, device, *comm, resume);
  } catch (const std::exception& e) {
    // Ranks still waiting for the model are told why it will not come (later, they
    // notice rank 0's exit in their next collective operation).
    if (comm->distributed()) {
      try {
        comm->share_from_root("model", std::string("error\n") + e.what(), kModelPatience);
      } catch (const Error&) {
      }
    }
    throw;
  }
}

void run_train_root(TrainCommandOptions& o, const CLI::App& cmd, const torch::Device& device, Communicator& comm,
                    bool resume) {
  const nlohmann::json hyperparameters = o.declared.given(all_hyperparameters());
  LoadedModel model;
  // One writer per directory, from before the state is read until the last save.
  std::optional<DirectoryLock> lock;
  if (resume) {
    lock.emplace(o.resume);
    model = load_model_directory(o.resume, WhichWeights::Last, device);
    // The rest of the saved state is checked before the data is read; the trainer loads it.
    try {
      const Manifest saved = directory_manifest(o.resume);
      for (const char* role : {roles::kOptimizer, roles::kProgress}) model_file(o.resume, saved, role);
    } catch (const Error& e) {
      throw Error("cannot resume from " + o.resume + ": " + e.what());
    }
    for (const auto& [key, value] : hyperparameters.items()) {
      if (model.config.hyperparameters.value(key, nlohmann::json()) != value) {
        throw Error(flag_name(key) + " " + value.dump() + " differs from the model in " + o.resume +
                    "; --resume keeps the model's hyperparameters");
      }
    }
  } else {
    // Mistakes in the model options fail before any data is read.
    o.vocab.spec(1, 1);
    check_hyperparameters(o.model, hyperparameters);
    auto check_empty = [&] {
      if (holds_saved_model(o.out)) throw Error(o.out + " already holds a model; use --resume " + o.out + " or another --out");
    };
    check_empty();
    create_directories(o.out);
    lock.emplace(o.out);
    check_empty();  // now that no other run can be writing it
    if (std::filesystem::exists(model_files::config(o.out))) {
      spdlog::info("{} holds no complete save (an earlier run stopped before its first save); starting afresh", o.out);
    }
  }
  TrainOptions training = resolve_training_options(o, resume ? &model : nullptr);
  training.out_dir = o.out;
  training.device = device;
  if (training.epochs == 0 && training.max_steps == 0 && training.time_budget_s == 0) training.epochs = 10;

  // Mistakes that do not need the data fail before it is read.
  check_training_flags(o, training, cmd, resume);
  std::optional<Vocabularies> prebuilt;
  if (!resume && !o.vocab_dir.empty()) {
    if (!std::filesystem::exists(vocab_files::description(o.vocab_dir))) {
      throw Error(o.vocab_dir + " is not a vocabulary directory (missing vocab.json; `heed vocab` writes one)");
    }
    prebuilt = load_vocabularies(o.vocab_dir);
  }
  if (!resume && o.vocab_dir.empty() && o.vocab.tokenizer == "sentencepiece") sentencepiece_api::api();
  create_directories(o.out);
  TrainingData data = read_training_data(o);

  if (!resume) {
    NewModelSpec spec;
    spec.model = o.model;
    spec.hyperparameters = hyperparameters;
    spec.seed = training.seed;
    Vocabularies vocabularies;
    if (prebuilt) {
      vocabularies = std::move(*prebuilt);
      spdlog::info("vocabularies from {}", o.vocab_dir);
    } else {
      if (o.vocab.tokenizer == "sentencepiece") spdlog::info("training SentencePiece models");
      vocabularies = build_vocabularies(o.vocab.spec(training.seed, o.runtime.thread_count()),
                                        data.train.pairs);
    }
    log_vocabularies(vocabularies);
    model = create_model(spec, std::move(vocabularies));
  }
  if (comm.distributed()) comm.share_from_root("model", model_handoff(training, model, resume), kModelPatience);
  data.train.pairs = drop_long(std::move(data.train.pairs), model, o.max_length);
  heed::train(model, data.train.pairs, data.valid.pairs, training, resume, comm);
}

// "256", "inverse-sqrt", "false": a default as a user would type it.
std::string shown(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

// "gru-bahdanau: GRU hidden size per direction (default 256)"; a key several models
// declare lists each model's default.
std::string hyperparameter_help(const OptionSpec& spec) {
  std::string models, defaults;
  bool same = true;
  for (const auto& name : spec.used_by) {
    models += (models.empty() ? "" : ", ") + name;
    for (const auto& declared : find_model(name).hyperparameters) {
      if (declared.key != spec.key) continue;
      defaults += (defaults.empty() ? "" : ", ") + name + " " + shown(declared.default_value);
      same = same && declared.default_value == spec.default_value;
    }
  }
  if (same) defaults = shown(spec.default_value);
  const bool flag = spec.type == OptionType::Boolean && spec.default_value == false;
  return models + ": " + spec.help + (flag ? "" : " (default " + defaults + ")");
}

std::string training_option_help(const OptionSpec& spec) {
  for (const auto& entry : model_registry()) {
    if (entry.training_defaults.contains(spec.key)) return spec.help + " (default per model: heed models)";
  }
  return spec.help + " (default " + shown(spec.default_value) + ")";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto o = std::make_shared<TrainCommandOptions>();
  auto* cmd = app.add_subcommand("train", "Train a model into a model directory");
  cmd->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  // Options come first from config files (expanded in main by expand_config_files), so
  // the command line, which follows them, wins: the last value of an option counts.
  cmd->add_option("--config", o->config, "read options from a TOML FILE (keys = long flag names: lr = 0.002)");
  add_corpus_options(cmd, "train", o->train, "training data");
  add_corpus_options(cmd, "valid", o->valid, "validation data");
  cmd->add_flag("--skip-bad-lines", o->skip_bad_lines, "skip (and count) malformed input lines");
  cmd->add_option("--model", o->model, "model name from `heed models`")->capture_default_str();
  cmd->add_option("--out", o->out, "model directory to write");
  cmd->add_option("--resume", o->resume, "continue training the model directory DIR");
  add_vocab_options(cmd, o->vocab);
  cmd->add_option("--vocab", o->vocab_dir, "use the tokenizers and vocabularies `heed vocab` wrote to DIR");
  cmd->add_option("--max-length", o->max_length, "drop training pairs longer than N tokens")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, kMaxSentenceTokens - 1));
  o->declared.add(cmd, all_hyperparameters(), hyperparameter_help);
  o->declared.add(cmd, option_specs<TrainOptions>(), training_option_help);
  add_runtime_options(cmd, o->runtime);
  cmd->add_option("--nproc", o->nproc, "train on N processes of this machine (data-parallel; each with --threads "
                                       "threads, by default the cores shared out)")
      ->check(CLI::Range(1, 1024))->group("Several processes");
  cmd->add_option("--rank", o->world.rank, "this process's rank in [0, --world-size) (default: $RANK)")
      ->check(CLI::NonNegativeNumber)->group("Several processes");
  cmd->add_option("--world-size", o->world.world_size, "processes in the run (default: $WORLD_SIZE, else 1)")
      ->check(CLI::Range(1, 65536))->group("Several processes");
  cmd->add_option("--master-addr", o->world.master_addr, "host of rank 0 (default: $MASTER_ADDR, else 127.0.0.1)")
      ->group("Several processes");
  cmd->add_option("--master-port", o->world.master_port, "port of rank 0's rendezvous store (default: $MASTER_PORT, "
                                                          "else 29500)")
      ->check(CLI::Range(1, 65535))->group("Several processes");
  cmd->add_option("--dist-timeout", o->world.timeout_s, "seconds a process waits for the others before it gives up")
      ->capture_default_str()->check(CLI::PositiveNumber)->group("Several processes");
  cmd->callback([o, cmd] { run_train(*o, *cmd); });
}

}  // namespace heed
