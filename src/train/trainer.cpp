#include "train/trainer.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "data/batching.h"
#include "data/encoding.h"
#include "data/uniform_int.h"
#include "train/checkpoint_average.h"
#include "train/cross_entropy.h"
#include "train/evaluation.h"
#include "train/fused_adam.h"
#include "train/interrupt.h"
#include "train/progress.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/threads.h"

namespace heed {

BestMetric parse_best_metric(const std::string& name) {
  if (name == "bleu") return BestMetric::Bleu;
  if (name == "exact") return BestMetric::ExactMatch;
  if (name == "loss") return BestMetric::Loss;
  throw Error("unknown --best-metric '" + name + "' (known: bleu, exact, loss)");
}

std::string best_metric_name(BestMetric metric) {
  switch (metric) {
    case BestMetric::Bleu: return "bleu";
    case BestMetric::ExactMatch: return "exact";
    case BestMetric::Loss: return "loss";
  }
  return "?";
}

nlohmann::json TrainOptions::to_json() const {
  return {{"epochs", epochs},
          {"max_steps", max_steps},
          {"time_budget", time_budget_s},
          {"batch_tokens", batch_tokens},
          {"lr", lr},
          {"adam_beta1", adam_beta1},
          {"adam_beta2", adam_beta2},
          {"clip_norm", clip_norm},
          {"label_smoothing", label_smoothing},
          {"precision", precision_name(precision)},
          {"lr_schedule", lr_schedule_name(lr_schedule)},
          {"warmup_steps", warmup_steps},
          {"plateau_factor", plateau_factor},
          {"plateau_patience", plateau_patience},
          {"average_checkpoints", average_checkpoints},
          {"valid_every", valid_every},
          {"patience", patience},
          {"best_metric", best_metric_name(best_metric)},
          {"seed", seed}};
}

void TrainOptions::set_from_json(const nlohmann::json& values) {
  for (const auto& [key, value] : values.items()) {
    try {
      if (key == "epochs") epochs = value.get<int64_t>();
      else if (key == "max_steps") max_steps = value.get<int64_t>();
      else if (key == "time_budget") time_budget_s = value.get<double>();
      else if (key == "batch_tokens") batch_tokens = value.get<int64_t>();
      else if (key == "lr") lr = value.get<double>();
      else if (key == "adam_beta1") adam_beta1 = value.get<double>();
      else if (key == "adam_beta2") adam_beta2 = value.get<double>();
      else if (key == "clip_norm") clip_norm = value.get<double>();
      else if (key == "label_smoothing") label_smoothing = value.get<double>();
      else if (key == "precision") precision = parse_precision(value.get<std::string>());
      else if (key == "lr_schedule") lr_schedule = parse_lr_schedule(value.get<std::string>());
      else if (key == "warmup_steps") warmup_steps = value.get<int64_t>();
      else if (key == "plateau_factor") plateau_factor = value.get<double>();
      else if (key == "plateau_patience") plateau_patience = value.get<int64_t>();
      else if (key == "average_checkpoints") average_checkpoints = value.get<int64_t>();
      else if (key == "valid_every") valid_every = value.get<int64_t>();
      else if (key == "patience") patience = value.get<int64_t>();
      else if (key == "best_metric") best_metric = parse_best_metric(value.get<std::string>());
      else if (key == "seed") seed = value.get<uint64_t>();
      else throw Error("unknown training option '" + key + "'");
    } catch (const nlohmann::json::exception& e) {
      throw Error("training option '" + key + "': " + e.what());
    }
  }
}

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

constexpr const char* kLogHeader =
    "step,epoch,train_loss,valid_loss,valid_exact,valid_bleu,tokens_per_s,elapsed_s";

// What --resume needs besides weights and optimizer state.
struct Progress {
  int64_t step = 0;
  int64_t epoch = 0;           // 0-based epoch in progress
  int64_t next_batch = 0;      // position in that epoch's batch order
  bool has_best = false;
  double best_score = 0.0;
  double best_loss = INFINITY;  // validation loss of the best checkpoint
  int64_t bad_validations = 0;
  double elapsed_s = 0.0;
  PlateauState plateau;
  std::vector<int64_t> checkpoints;  // steps of the kept checkpoints, oldest first
  nlohmann::json averaged;           // the result of averaging, once done
  std::vector<std::string> log_rows;

  nlohmann::json to_json() const {
    nlohmann::json json = {{"step", step},
                           {"epoch", epoch},
                           {"next_batch", next_batch},
                           {"has_best", has_best},
                           {"best_score", best_score},
                           {"best_loss", std::isfinite(best_loss) ? nlohmann::json(best_loss) : nlohmann::json()},
                           {"bad_validations", bad_validations},
                           {"elapsed_s", elapsed_s},
                           {"lr_scale", plateau.scale},
                           {"lr_bad_validations", plateau.bad_validations},
                           {"checkpoints", checkpoints}};
    if (!averaged.is_null()) json["averaged"] = averaged;
    return json;
  }
  static Progress from_json(const nlohmann::json& json) {
    Progress p;
    p.step = json.at("step").get<int64_t>();
    p.epoch = json.at("epoch").get<int64_t>();
    p.next_batch = json.at("next_batch").get<int64_t>();
    p.has_best = json.at("has_best").get<bool>();
    p.best_score = json.at("best_score").get<double>();
    p.bad_validations = json.at("bad_validations").get<int64_t>();
    p.elapsed_s = json.at("elapsed_s").get<double>();
    p.plateau.scale = json.value("lr_scale", 1.0);
    p.plateau.bad_validations = json.value("lr_bad_validations", int64_t{0});
    p.checkpoints = json.value("checkpoints", std::vector<int64_t>{});
    if (json.contains("best_loss") && json["best_loss"].is_number()) p.best_loss = json["best_loss"].get<double>();
    p.averaged = json.value("averaged", nlohmann::json());
    return p;
  }
};

std::string format_number(double value, int precision) {
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(precision);
  out << value;
  return out.str();
}

// The batch order of one epoch: a permutation drawn from (seed, epoch) alone, so a
// resumed run sees the same order.
std::vector<size_t> epoch_order(size_t batches, uint64_t seed, int64_t epoch) {
  std::vector<size_t> order(batches);
  for (size_t i = 0; i < batches; ++i) order[i] = i;
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(epoch));
  for (size_t i = batches; i > 1; --i) {
    std::swap(order[i - 1], order[uniform_below(rng, i)]);
  }
  return order;
}

std::string rng_path(const std::string& dir) { return dir + "/rng.pt"; }

void save_rng(const std::string& dir) {
  torch::serialize::OutputArchive archive;
  archive.write("cpu", at::detail::getDefaultCPUGenerator().get_state());
  write_atomically(rng_path(dir), [&](std::ostream& out) { archive.save_to(out); });
}

void load_rng(const std::string& dir) {
  if (!std::filesystem::exists(rng_path(dir))) return;
  torch::serialize::InputArchive archive;
  archive.load_from(rng_path(dir));
  torch::Tensor state;
  archive.read("cpu", state);
  auto generator = at::detail::getDefaultCPUGenerator();
  generator.set_state(state);
}

class TrainingRun {
 public:
  TrainingRun(LoadedModel& model, const std::vector<SentencePair>& train_pairs,
              const std::vector<SentencePair>& valid_pairs, const TrainOptions& options)
      : model_(model),
        valid_pairs_(valid_pairs),
        options_(options),
        optimizer_(model.model->parameters(),
                   torch::optim::AdamOptions(options.lr).betas({options.adam_beta1, options.adam_beta2})) {
    const TextCodec codec{model.source_tokenizer.get(), &model.source_vocab,
                          model.target_tokenizer.get(), &model.target_vocab};
    examples_ = encode_pairs(train_pairs, codec);
    batches_ = make_batches(examples_, options.batch_tokens);
  }

  void resume() {
    // The caller loaded the last weights with the model directory; the rest is here.
    const std::string& dir = options_.out_dir;
    torch::serialize::InputArchive archive;
    try {
      archive.load_from(model_files::optimizer(dir), options_.device);
      optimizer_.load(archive);
      progress_ = Progress::from_json(nlohmann::json::parse(read_file(model_files::progress(dir))));
      load_rng(dir);
    } catch (const std::exception& e) {
      throw Error("cannot resume from " + dir + ": " + e.what());
    }
    std::ifstream log(model_files::train_log(dir));
    std::string line;
    std::getline(log, line);  // header
    while (std::getline(log, line)) {
      if (!line.empty()) progress_.log_rows.push_back(line);
    }
    spdlog::info("resuming from {} at step {} (epoch {})", dir, progress_.step, progress_.epoch + 1);
  }

  TrainResult run() {
    InterruptGuard interrupt_guard;
    ProgressReporter reporter(options_.log_every_s);
    reporter_ = &reporter;
    start_ = Clock::now();
    spdlog::info("training {} ({} parameters) on {} pairs in {} batches per epoch", model_.config.model,
                 parameter_count(), examples_.size(), batches_.size());
    TrainResult result;
    // bf16 steps multiply in oneDNN on LibTorch's pool; validation (fp32) switches back.
    const ProductPoolScope product_pool(training_product_pool(options_.precision));
    model_.model->train();
    bool stop = false;
    while (!stop) {
      if (options_.epochs > 0 && progress_.epoch >= options_.epochs) {
        result.stop_reason = "reached --epochs " + std::to_string(options_.epochs);
        break;
      }
      const auto order = epoch_order(batches_.size(), options_.seed, progress_.epoch);
      while (progress_.next_batch < static_cast<int64_t>(order.size())) {
        const auto step_start = Clock::now();  // tokens/s counts batching too
        const Batch batch = make_batch(examples_, batches_[order[progress_.next_batch]], options_.device);
        // Logits only at real target tokens: (N, V) against the N targets; float32 for the
        // loss whatever the precision of the products.
        torch::Tensor logits;
        {
          const MixedPrecisionScope mixed(options_.precision);
          logits = model_.model->forward(batch.source, batch.target_input, false, batch.target_mask).logits;
        }
        logits = logits.to(torch::kFloat);
        const auto loss = softmax_cross_entropy(logits, batch.target_output.masked_select(batch.target_mask),
                                                options_.label_smoothing);
        set_learning_rate(progress_.step + 1);
        optimizer_.clear_gradients();
        loss.backward();
        // Clipping scales the gradients inside the Adam update, not in a pass of its own.
        const double grad_scale =
            options_.clip_norm > 0 ? clip_coefficient(model_.model->parameters(), options_.clip_norm) : 1.0;
        optimizer_.step_scaled(grad_scale);
        const double loss_value = loss.item<double>();
        if (!std::isfinite(loss_value)) {
          throw Error("training diverged (loss is " + std::to_string(loss_value) +
                      " at step " + std::to_string(progress_.step + 1) + "); try a lower --lr");
        }
        progress_.step += 1;
        progress_.next_batch += 1;
        window_loss_ += loss_value * static_cast<double>(batch.target_tokens);
        window_tokens_ += batch.target_tokens;
        // Throughput restarts after the first steps of a run (allocator and cache
        // warm-up), as the reference benchmark measures it.
        if (++run_steps_ == kWarmupSteps + 1) {
          train_seconds_ = 0.0;
          train_tokens_ = 0;
        }
        train_seconds_ += seconds_since(step_start);
        train_tokens_ += batch.target_tokens;
        reporter.update(snapshot(loss_value));

        if (InterruptGuard::requested()) {
          stop = true;
          result.interrupted = true;
          result.stop_reason = std::string("interrupted by ") +
                               (InterruptGuard::signal_number() == SIGTERM ? "SIGTERM" : "SIGINT");
          break;
        }
        if (options_.valid_every > 0 && progress_.step % options_.valid_every == 0) {
          if (validate_and_save()) {
            stop = true;
            result.stop_reason = "no improvement in " + std::to_string(options_.patience) + " validations";
            break;
          }
        }
        if (options_.max_steps > 0 && progress_.step >= options_.max_steps) {
          stop = true;
          result.stop_reason = "reached --max-steps " + std::to_string(options_.max_steps);
          break;
        }
        if (options_.time_budget_s > 0 && elapsed() >= options_.time_budget_s) {
          stop = true;
          result.stop_reason = "reached --time-budget " + format_number(options_.time_budget_s, 0) + "s";
          break;
        }
      }
      if (progress_.next_batch >= static_cast<int64_t>(order.size())) {
        progress_.epoch += 1;
        progress_.next_batch = 0;
        if (!stop && options_.valid_every == 0 && validate_and_save()) {
          stop = true;
          result.stop_reason = "no improvement in " + std::to_string(options_.patience) + " validations";
        }
      }
    }
    // The final state is always saved; it is validated unless just done or interrupted.
    if (result.interrupted || last_validated_step_ == progress_.step) {
      save(/*best=*/!has_validation() && !result.interrupted);
    } else {
      validate_and_save();
    }
    // Averaging costs one more validation (a few seconds past --time-budget); a Ctrl-C
    // during the final validation skips it.
    if (!result.interrupted && !InterruptGuard::requested()) average_kept_checkpoints();
    reporter.finish();
    result.steps = progress_.step;
    result.epochs_completed = progress_.epoch;
    result.best_score = progress_.best_score;
    spdlog::info("stopped: {}; {} steps, {} in all; model saved in {}", result.stop_reason,
                 progress_.step, format_duration(elapsed()), options_.out_dir);
    return result;
  }

 private:
  bool has_validation() const { return !valid_pairs_.empty(); }

  // Set every step, so a resumed run follows the schedule even where the optimizer
  // state restored another value.
  void set_learning_rate(int64_t step) {
    const double lr = learning_rate(options_.schedule(), step, progress_.plateau);
    for (auto& group : optimizer_.param_groups()) {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
  }
  double elapsed() const { return progress_.elapsed_s + seconds_since(start_); }

  int64_t parameter_count() const {
    int64_t count = 0;
    for (const auto& p : model_.model->parameters()) count += p.numel();
    return count;
  }

  ProgressSnapshot snapshot(double loss_value) const {
    ProgressSnapshot s;
    s.step = progress_.step;
    s.epoch = progress_.epoch + 1;
    s.loss = loss_value;
    s.tokens_per_s = train_seconds_ > 0 ? static_cast<double>(train_tokens_) / train_seconds_ : 0.0;
    s.elapsed_s = elapsed();
    double fraction = -1.0;
    if (options_.time_budget_s > 0) fraction = std::max(fraction, s.elapsed_s / options_.time_budget_s);
    if (options_.max_steps > 0) {
      fraction = std::max(fraction, static_cast<double>(progress_.step) / static_cast<double>(options_.max_steps));
    }
    if (options_.epochs > 0 && !batches_.empty()) {
      const double done = static_cast<double>(progress_.epoch) +
                          static_cast<double>(progress_.next_batch) / static_cast<double>(batches_.size());
      fraction = std::max(fraction, done / static_cast<double>(options_.epochs));
    }
    s.fraction_done = fraction;
    return s;
  }

  // Validates (when there is a validation set), logs a row, saves; returns true when
  // early stopping says to stop.
  bool validate_and_save() {
    last_validated_step_ = progress_.step;
    const double train_loss = window_tokens_ > 0 ? window_loss_ / static_cast<double>(window_tokens_) : NAN;
    window_loss_ = 0.0;
    window_tokens_ = 0;
    const double tokens_per_s = train_seconds_ > 0 ? static_cast<double>(train_tokens_) / train_seconds_ : 0.0;
    std::string row = std::to_string(progress_.step) + "," + std::to_string(progress_.epoch) + "," +
                      (std::isfinite(train_loss) ? format_number(train_loss, 5) : "");
    bool improved = true;
    if (has_validation()) {
      model_.model->eval();
      const ProductPoolScope fp32_products(ProductPool::Blas);
      const EvaluationResult result = evaluate(model_, valid_pairs_, validation_options());
      model_.model->train();
      const double score = metric_score(result);
      improved = !progress_.has_best || score > progress_.best_score;
      if (improved) {
        progress_.has_best = true;
        progress_.best_score = score;
        progress_.best_loss = result.loss;
        progress_.bad_validations = 0;
      } else {
        progress_.bad_validations += 1;
      }
      if (record_validation(options_.schedule(), improved, progress_.plateau)) {
        reporter_->message(fmt::format("no improvement in {} validations: learning rate now {:.3g}",
                                       options_.plateau_patience,
                                       learning_rate(options_.schedule(), progress_.step + 1, progress_.plateau)));
      }
      row += "," + format_number(result.loss, 5) + "," + format_number(100.0 * result.exact_match, 2) +
             "," + format_number(result.bleu.score, 2);
      reporter_->message(fmt::format(
          "validation at step {}: loss {:.4f}  ppl {:.2f}  exact {:.2f}%  BLEU {:.2f}{}", progress_.step,
          result.loss, result.perplexity, 100.0 * result.exact_match, result.bleu.score,
          improved                ? "  (new best)"
          : options_.patience > 0 ? fmt::format("  (no improvement {}/{})", progress_.bad_validations,
                                                options_.patience)
                                  : "  (no improvement)"));
    } else {
      row += ",,,";
      reporter_->message(fmt::format("step {}: train loss {:.4f}", progress_.step, train_loss));
    }
    row += "," + format_number(tokens_per_s, 1) + "," + format_number(elapsed(), 1);
    progress_.log_rows.push_back(row);
    const std::vector<std::string> evicted = keep_checkpoint();
    save(improved);
    // Only now that progress.json no longer lists them: a crash in between leaves files
    // behind, never a list naming missing files.
    for (const auto& path : evicted) {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
    return options_.patience > 0 && progress_.bad_validations >= options_.patience;
  }

  // With --average-checkpoints K, the weights of every validation are kept in
  // checkpoints/step-N.pt, the last K of them. Returns the files that dropped out of the
  // list, for the caller to delete once the new list is saved.
  std::vector<std::string> keep_checkpoint() {
    if (options_.average_checkpoints < 2) return {};
    create_directories(options_.out_dir + "/checkpoints");
    save_weights(*model_.model, checkpoint_path(progress_.step));
    auto& kept = progress_.checkpoints;
    if (kept.empty() || kept.back() != progress_.step) kept.push_back(progress_.step);
    std::vector<std::string> evicted;
    while (static_cast<int64_t>(kept.size()) > options_.average_checkpoints) {
      evicted.push_back(checkpoint_path(kept.front()));
      kept.erase(kept.begin());
    }
    return evicted;
  }

  std::string checkpoint_path(int64_t step) const {
    return options_.out_dir + "/checkpoints/step-" + std::to_string(step) + ".pt";
  }

  // Averages the kept checkpoints into model.avg.pt; when that scores better on the
  // validation data than the best checkpoint, it becomes model.best.pt. The model in
  // memory goes back to the last weights.
  void average_kept_checkpoints() {
    if (options_.average_checkpoints < 2 || progress_.checkpoints.size() < 2) return;
    std::vector<std::string> paths;
    for (int64_t step : progress_.checkpoints) {
      if (std::filesystem::exists(checkpoint_path(step))) {
        paths.push_back(checkpoint_path(step));
      } else {
        spdlog::warn("checkpoint {} is missing; averaging the others", checkpoint_path(step));
      }
    }
    if (paths.size() < 2) return;
    average_checkpoints(*model_.model, paths, options_.device);
    const std::string& dir = options_.out_dir;
    save_weights(*model_.model, model_files::averaged_weights(dir));
    nlohmann::json record = {{"checkpoints", progress_.checkpoints}, {"step", progress_.step}};
    if (has_validation()) {
      model_.model->eval();
      const ProductPoolScope fp32_products(ProductPool::Blas);
      const EvaluationResult result = evaluate(model_, valid_pairs_, validation_options());
      const double score = metric_score(result);
      // The average becomes the best model when it beats the best checkpoint on the best
      // metric or on validation loss: BLEU on a validation set of a thousand sentences
      // moves by about half a point between neighbouring checkpoints, the loss far less.
      // best_score stays the best single checkpoint's: a resumed run's early stopping and
      // plateau schedule compare checkpoints with checkpoints.
      const bool better = score > progress_.best_score || result.loss < progress_.best_loss;
      if (better) save_weights(*model_.model, model_files::best_weights(dir));
      record["score"] = score;
      record["loss"] = result.loss;
      record["bleu"] = result.bleu.score;
      record["exact"] = 100.0 * result.exact_match;
      record["became_best"] = better;
      reporter_->message(fmt::format("average of the last {} checkpoints: loss {:.4f}  exact {:.2f}%  BLEU {:.2f}{}",
                                     paths.size(), result.loss, 100.0 * result.exact_match, result.bleu.score,
                                     better ? "  (new best)" : "  (the best checkpoint stays)"));
    }
    progress_.averaged = record;
    save_progress();
    load_weights(*model_.model, model_files::last_weights(dir), options_.device);
    model_.model->train();
  }

  EvaluationOptions validation_options() const {
    EvaluationOptions evaluation;
    evaluation.batch_tokens = options_.batch_tokens;
    evaluation.batch_size = options_.valid_batch_size;
    return evaluation;
  }

  // The best-metric value of a result; higher is better.
  double metric_score(const EvaluationResult& result) const {
    return options_.best_metric == BestMetric::Bleu         ? result.bleu.score
           : options_.best_metric == BestMetric::ExactMatch ? 100.0 * result.exact_match
                                                            : -result.loss;
  }

  // progress.json, with the elapsed time up to now.
  void save_progress() const {
    Progress snapshot = progress_;
    snapshot.elapsed_s = elapsed();
    write_file_atomically(model_files::progress(options_.out_dir), snapshot.to_json().dump(2) + "\n");
  }

  void save(bool best) {
    const std::string& dir = options_.out_dir;
    save_weights(*model_.model, model_files::last_weights(dir));
    if (best) save_weights(*model_.model, model_files::best_weights(dir));
    torch::serialize::OutputArchive archive;
    optimizer_.save(archive);
    write_atomically(model_files::optimizer(dir), [&](std::ostream& out) { archive.save_to(out); });
    save_rng(dir);
    save_progress();
    std::string log = std::string(kLogHeader) + "\n";
    for (const auto& row : progress_.log_rows) log += row + "\n";
    write_file_atomically(model_files::train_log(dir), log);
  }

  LoadedModel& model_;
  const std::vector<SentencePair>& valid_pairs_;
  TrainOptions options_;
  FusedAdam optimizer_;
  std::vector<EncodedPair> examples_;
  std::vector<std::vector<size_t>> batches_;
  Progress progress_;
  Clock::time_point start_;
  ProgressReporter* reporter_ = nullptr;
  double window_loss_ = 0.0;
  int64_t window_tokens_ = 0;
  double train_seconds_ = 0.0;
  int64_t train_tokens_ = 0;
  int64_t last_validated_step_ = -1;
  static constexpr int64_t kWarmupSteps = 5;
  int64_t run_steps_ = 0;
};

}  // namespace

TrainResult train(LoadedModel& model, const std::vector<SentencePair>& train_pairs,
                  const std::vector<SentencePair>& valid_pairs, const TrainOptions& options,
                  bool resume) {
  if (train_pairs.empty()) throw Error("the training data holds no sentence pairs");
  if (options.lr_schedule == LrScheduleKind::Plateau && valid_pairs.empty()) {
    throw Error("--lr-schedule plateau needs validation data (--valid)");
  }
  create_directories(options.out_dir);
  torch::manual_seed(options.seed);
  model.model->to(options.device);
  if (!resume) {
    model.config.training = options.to_json();
    save_config(options.out_dir, model.config);
    save_text_files(options.out_dir, model);
  }
  TrainingRun run(model, train_pairs, valid_pairs, options);
  if (resume) run.resume();
  TrainResult result = run.run();
  model.model->eval();
  return result;
}

}  // namespace heed
