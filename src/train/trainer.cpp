#include "train/trainer.h"

#include <torch/optim/adam.h>
#include <torch/serialize.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <csignal>
#include <cmath>
#include <filesystem>
#include <optional>
#include <random>

#include "data/batching.h"
#include "data/encoding.h"
#include "data/uniform_int.h"
#include "model_dir/manifest.h"
#include "parallel/gradient_reducer.h"
#include "train/checkpoint_average.h"
#include "train/cross_entropy.h"
#include "train/evaluation.h"
#include "train/fused_adam.h"
#include "train/interrupt.h"
#include "train/progress_reporter.h"
#include "train/training_state.h"
#include "util/atomic_file.h"
#include "util/checksum.h"
#include "util/error.h"
#include "util/threads.h"

namespace heed {

namespace {

using Clock = std::chrono::steady_clock;

// How long the other ranks wait for what rank 0 does alone (reading and writing the model
// directory): a disk, not a peer, sets that time.
constexpr std::chrono::seconds kRootWorkPatience{3600};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
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

// Target tokens per second of the training steps of this run. The first steps of a run
// are left out (allocator and cache warm-up), as the reference benchmark measures it.
class ThroughputMeter {
 public:
  void add(double seconds, int64_t tokens) {
    if (++steps_ == kIgnoredSteps + 1) {
      seconds_ = 0.0;
      tokens_ = 0;
    }
    seconds_ += seconds;
    tokens_ += tokens;
  }
  double tokens_per_s() const { return seconds_ > 0 ? static_cast<double>(tokens_) / seconds_ : 0.0; }
  bool empty() const { return steps_ == 0; }

 private:
  static constexpr int64_t kIgnoredSteps = 5;
  int64_t steps_ = 0;
  double seconds_ = 0.0;
  int64_t tokens_ = 0;
};

// What the ranks of a distributed run agree on after each update: each rank's view is
// summed, so any rank that saw a signal or the end of the time budget stops them all.
struct AgreedFlags {
  bool interrupted = false;
  bool out_of_time = false;
  bool save_due = false;  // rank 0's clock decides --save-every-minutes
};

// Why a run stopped.
struct Stop {
  std::string reason;
  bool interrupted = false;  // SIGINT/SIGTERM
};

class TrainingRun {
 public:
  TrainingRun(LoadedModel& model, const std::vector<SentencePair>& train_pairs,
              const std::vector<SentencePair>& valid_pairs, const TrainOptions& options, Communicator& comm)
      : model_(model),
        valid_pairs_(valid_pairs),
        options_(options),
        comm_(comm),
        optimizer_(model.model->parameters(),
                   torch::optim::AdamOptions(options.lr).betas({options.adam_beta1, options.adam_beta2})) {
    const TextCodec codec{model.source_tokenizer.get(), &model.source_vocab,
                          model.target_tokenizer.get(), &model.target_vocab};
    examples_ = encode_pairs(train_pairs, codec);
    batches_ = make_batches(examples_, options.batch_tokens);
    for (const auto& batch : batches_) {
      int64_t tokens = 0;
      for (size_t i : batch) tokens += static_cast<int64_t>(examples_[i].target.size()) + 1;  // with </s>
      batch_target_tokens_.push_back(tokens);
    }
    if (comm_.distributed()) {
      // For benchmarks: HEED_GRADIENT_OVERLAP=0 sums the gradients after the backward pass.
      const char* overlap = std::getenv("HEED_GRADIENT_OVERLAP");
      reducer_ = std::make_unique<GradientReducer>(model.model->parameters(), comm_,
                                                   GradientReducer::kDefaultBucketBytes,
                                                   overlap == nullptr || std::string(overlap) != "0");
    }
  }

  // The state of the last save besides the weights, which the caller loaded with the
  // model directory (under the directory lock, so from the same save).
  void resume() {
    const std::string& dir = options_.out_dir;
    manifest_ = directory_manifest(dir);
    const Manifest& m = *manifest_;
    try {
      const std::string optimizer_path = model_file(dir, m, roles::kOptimizer);
      try {
        torch::serialize::InputArchive archive;
        archive.load_from(optimizer_path, options_.device);
        optimizer_.load(archive);
      } catch (const c10::Error& e) {
        throw Error(optimizer_path + ": not an optimizer state of this model: " + e.what_without_backtrace());
      }
      const std::string progress_path = model_file(dir, m, roles::kProgress);
      try {
        state_ = TrainingState::from_json(nlohmann::json::parse(read_file(progress_path)), progress_path);
      } catch (const nlohmann::json::exception& e) {
        throw Error(progress_path + ": not valid JSON: " + e.what());
      }
      // Format-1 directories from before rng.pt continue with the seeded generator.
      if (m.has(roles::kRng)) load_rng_state(model_file(dir, m, roles::kRng));
      if (m.has(roles::kTrainLog)) state_.log = read_training_log(model_file(dir, m, roles::kTrainLog));
    } catch (const Error& e) {
      throw Error("cannot resume from " + dir + ": " + e.what());
    }
    // Saves from before progress recorded it: the log's last row is this step's
    // validation when the save was made there.
    if (state_.validated_step < 0 && !state_.log.empty() && state_.log.back().step == state_.step) {
      state_.validated_step = state_.step;
    }
    if (m.format_version >= 2 && state_.step != m.step) {
      throw Error("cannot resume from " + dir + ": the manifest's step " + std::to_string(m.step) +
                  " differs from progress step " + std::to_string(state_.step));
    }
    // What killed runs left behind (files of an unfinished save, temporary files).
    if (m.format_version >= 2) remove_unnamed_files(dir, m);
    saved_step_ = state_.step;
    spdlog::info("resuming from {} at step {} (epoch {})", dir, state_.step, state_.epoch + 1);
  }

  // Every rank starts from rank 0's state: the same data (checked), the same weights,
  // and on --resume the same optimizer and progress. Collective; nothing to do alone.
  void synchronize(bool resumed) {
    if (!comm_.distributed()) return;
    comm_.wait_for_root(kRootWorkPatience);  // rank 0's resume or first save
    check_same_data();
    for (auto& tensor : model_.model->parameters()) comm_.broadcast(tensor);
    for (auto& tensor : model_.model->buffers()) comm_.broadcast(tensor);
    if (resumed) {
      std::string optimizer_bytes;
      if (comm_.is_root()) {
        torch::serialize::OutputArchive archive;
        optimizer_.save(archive);
        std::ostringstream out;
        archive.save_to(out);
        optimizer_bytes = out.str();
      }
      optimizer_bytes = comm_.broadcast_bytes(optimizer_bytes);
      const std::string progress = comm_.broadcast_bytes(comm_.is_root() ? state_.to_json().dump() : "");
      if (!comm_.is_root()) {
        std::istringstream in(optimizer_bytes);
        torch::serialize::InputArchive archive;
        archive.load_from(in, options_.device);
        optimizer_.load(archive);
        state_ = TrainingState::from_json(nlohmann::json::parse(progress), "rank 0's progress");
      }
    }
    if (!comm_.is_root()) {
      saved_step_ = state_.step;
      // Dropout draws differ per rank (rank 0 keeps the saved generator).
      torch::manual_seed(options_.seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(comm_.rank()) * 1000003ULL +
                         static_cast<uint64_t>(state_.step));
    }
  }

  // A new model's first save, before any step: a run killed at any moment leaves a
  // directory that loads and resumes.
  void save_initial_state() {
    saved_step_ = state_.step;
    last_save_ = Clock::now();
    write_save(/*best=*/false);  // rank 0 alone, before the others join in synchronize()
  }

  // All ranks must read the same sentence pairs: they follow one batch schedule.
  void check_same_data() const {
    uint32_t crc = 0;
    for (const auto& example : examples_) {
      crc = crc32c(example.source.data(), example.source.size() * sizeof(int64_t), crc);
      crc = crc32c(example.target.data(), example.target.size() * sizeof(int64_t), crc);
    }
    uint32_t valid_crc = 0;
    for (const auto& pair : valid_pairs_) {
      valid_crc = crc32c(pair.source.c_str(), pair.source.size() + 1, valid_crc);
      valid_crc = crc32c(pair.target.c_str(), pair.target.size() + 1, valid_crc);
    }
    const std::string mine = fmt::format("{} training pairs (CRC-32C {:08x}), {} validation pairs (CRC-32C {:08x})",
                                         examples_.size(), crc, valid_pairs_.size(), valid_crc);
    const auto all = comm_.all_gather_bytes(mine);
    for (size_t r = 1; r < all.size(); ++r) {
      if (all[r] != all[0]) {
        throw Error("rank " + std::to_string(r) + " read other data than rank 0 (" + all[r] + " against " + all[0] +
                    "): every process must read the same --train and --valid files");
      }
    }
  }

  TrainResult run() {
    InterruptGuard interrupt_guard;
    ProgressReporter reporter(options_.log_every_s);
    reporter_ = &reporter;
    start_ = Clock::now();
    spdlog::info("training {} ({} parameters) on {} pairs in {} batches per epoch", model_.config.model,
                 parameter_count(), examples_.size(), batches_.size());
    if (batches_per_update() > 1) {
      spdlog::info("{} batches per update ({} process{} x --accumulate {})", batches_per_update(), comm_.size(),
                   comm_.size() > 1 ? "es" : "", options_.accumulate);
    }
    // bf16 steps multiply in oneDNN on LibTorch's pool; validation (fp32) switches back.
    const ProductPoolScope product_pool(training_product_pool(options_.precision));
    model_.model->train();
    // A resumed run may have nothing left to do (its last save was its end).
    std::optional<Stop> stop = limit_reached();
    while (!stop) {
      if (options_.epochs > 0 && state_.epoch >= options_.epochs) {
        stop = Stop{"reached --epochs " + std::to_string(options_.epochs)};
        break;
      }
      const auto order = epoch_order(batches_.size(), options_.seed, state_.epoch);
      while (!stop && state_.next_batch < static_cast<int64_t>(order.size())) {
        train_update(order);
        stop = after_step();
      }
      if (state_.next_batch >= static_cast<int64_t>(order.size())) {
        state_.epoch += 1;
        state_.next_batch = 0;
        if (!stop && options_.valid_every == 0 && validate_and_save()) stop = patience_stop();
      }
    }
    // The final state is always saved (unless a save of this step was just made); it is
    // validated unless just done or interrupted.
    if (stop->interrupted || state_.validated_step == state_.step) {
      if (saved_step_ != state_.step) save(/*best=*/false);
    } else {
      validate_and_save();
    }
    // Averaging costs one more validation (a few seconds past --time-budget); a Ctrl-C
    // during the final validation skips it. Rank 0 averages alone: the others are done.
    if (comm_.is_root() && !stop->interrupted && !InterruptGuard::requested()) average_kept_checkpoints();
    reporter.finish();
    if (reduced_updates_ > 0) {
      // Time in the sums includes waiting for the slowest rank's backward pass.
      spdlog::info("gradient sums: {:.1f} ms per update on average ({:.1f} MB of float32 gradients in {} buckets, "
                   "{} of them started during the last backward pass)",
                   1000.0 * reduce_seconds_ / static_cast<double>(reduced_updates_),
                   static_cast<double>(reducer_->element_count()) * 4.0 / 1e6, reducer_->bucket_count(),
                   reducer_->started_early());
    }
    TrainResult result;
    result.steps = state_.step;
    result.epochs_completed = state_.epoch;
    result.best_score = state_.best_score;
    result.interrupted = stop->interrupted;
    result.stop_reason = stop->reason;
    spdlog::info("stopped: {}; {} steps, {} in all; model saved in {}", result.stop_reason, state_.step,
                 format_duration(elapsed()), options_.out_dir);
    return result;
  }

 private:
  bool has_validation() const { return !valid_pairs_.empty(); }

  // Batches in one update: --accumulate in each of the processes.
  int64_t batches_per_update() const { return options_.accumulate * comm_.size(); }

  // One update on the next group of the epoch's batches: batches_per_update() of them,
  // fewer at the end of an epoch. Rank r takes the group's batches r, r + N, r + 2N, ...,
  // so N processes compute what one process with --accumulate N does. The update's
  // gradient is that of the mean loss per target token over the whole group: each
  // batch's mean loss is weighted by its share of the group's target tokens, and the
  // ranks' gradients are summed. A loss that is not finite, or far above a uniform
  // guess's, stops training before the update reaches a save.
  void train_update(const std::vector<size_t>& order) {
    const auto update_start = Clock::now();  // tokens/s counts batching too
    const int64_t first = state_.next_batch;
    const int64_t group = std::min<int64_t>(batches_per_update(), static_cast<int64_t>(order.size()) - first);
    int64_t update_tokens = 0;
    for (int64_t j = 0; j < group; ++j) update_tokens += batch_target_tokens_[order[first + j]];
    set_learning_rate(state_.step + 1);
    optimizer_.clear_gradients();
    double local_loss = 0.0;  // this rank's share of the update's mean loss
    const int64_t ranks = comm_.size();
    for (int64_t j = comm_.rank(); j < group; j += ranks) {
      const Batch batch = make_batch(examples_, batches_[order[first + j]], options_.device);
      // Logits only at real target tokens: (N, V) against the N targets; float32 for the
      // loss whatever the precision of the products.
      torch::Tensor logits;
      {
        const MixedPrecisionScope mixed(options_.precision);
        logits = model_.model->forward(batch.source, batch.target_input, false, batch.target_mask).logits;
      }
      logits = logits.to(torch::kFloat);
      auto loss = softmax_cross_entropy(logits, batch.target_output.masked_select(batch.target_mask),
                                        options_.label_smoothing);
      const double weight = static_cast<double>(batch.target_tokens) / static_cast<double>(update_tokens);
      if (group > 1) loss = loss * weight;
      // The gradient sums may start during this rank's last backward pass of the update.
      if (reducer_ && j + ranks >= group) reducer_->prepare_final_backward();
      loss.backward();
      local_loss += loss.item<double>();
    }
    const double loss_value = agree_after_backward(local_loss);
    // Clipping scales the gradients inside the Adam update, not in a pass of its own.
    const double grad_scale =
        options_.clip_norm > 0 ? clip_coefficient(model_.model->parameters(), options_.clip_norm) : 1.0;
    check_loss(loss_value);
    optimizer_.step_scaled(grad_scale);
    state_.step += 1;
    state_.next_batch += group;
    window_loss_ += loss_value * static_cast<double>(update_tokens);
    window_tokens_ += update_tokens;
    throughput_.add(seconds_since(update_start), update_tokens);
    reporter_->update(snapshot(loss_value));
  }

  // Alone: the loss as it is. In a group: the gradients and the loss summed over the
  // ranks, and the flags every rank stops or saves on, in one small sum beside them.
  double agree_after_backward(double local_loss) {
    if (!comm_.distributed()) return local_loss;
    const bool out_of_time = options_.time_budget_s > 0 && elapsed() >= options_.time_budget_s;
    auto shared = torch::tensor({local_loss, InterruptGuard::requested() ? 1.0 : 0.0, out_of_time ? 1.0 : 0.0,
                                 comm_.is_root() && save_due_by_clock() ? 1.0 : 0.0},
                                torch::kFloat64);
    // Every rank starts its gradient buckets before the flags, so the operations pair up
    // in the same order whether or not a rank had a batch in this update.
    const auto reduce_start = Clock::now();
    reducer_->start();
    auto pending = comm_.all_reduce_sum_async(shared);
    reducer_->wait();
    pending.wait();
    reduce_seconds_ += seconds_since(reduce_start);
    reduced_updates_ += 1;
    agreed_.interrupted = shared[1].item<double>() > 0;
    agreed_.out_of_time = shared[2].item<double>() > 0;
    agreed_.save_due = shared[3].item<double>() > 0;
    return shared[0].item<double>();
  }

  // Every reason to stop after a step, in the order they are checked: a signal, early
  // stopping at a step-scheduled validation, --max-steps, --time-budget.
  std::optional<Stop> after_step() {
    const bool interrupted = comm_.distributed() ? agreed_.interrupted : InterruptGuard::requested();
    const bool validation_due = options_.valid_every > 0 && state_.step % options_.valid_every == 0;
    // The update's --log-every row, unless a validation row (which carries the same loss) follows.
    if (options_.log_every > 0 && state_.step % options_.log_every == 0 && (interrupted || !validation_due)) {
      log_training_row();
    }
    if (interrupted) {
      const int signal = InterruptGuard::signal_number();
      return Stop{std::string("interrupted by ") +
                      (signal == SIGTERM ? "SIGTERM" : signal == SIGINT ? "SIGINT" : "a signal to another process"),
                  /*interrupted=*/true};
    }
    if (validation_due) {
      if (validate_and_save()) return patience_stop();
    } else if (save_due()) {
      save(/*best=*/!has_validation());
    }
    return limit_reached();
  }

  // --max-steps or --time-budget reached.
  std::optional<Stop> limit_reached() const {
    if (options_.max_steps > 0 && state_.step >= options_.max_steps) {
      return Stop{"reached --max-steps " + std::to_string(options_.max_steps)};
    }
    // Ranks read their clocks at different moments: they stop on the time they agreed
    // on after the update (before the first, on the saved time alone).
    const bool out_of_time = !comm_.distributed() ? elapsed() >= options_.time_budget_s
                             : throughput_.empty()  ? state_.elapsed_s >= options_.time_budget_s
                                                    : agreed_.out_of_time;
    if (options_.time_budget_s > 0 && out_of_time) {
      return Stop{fmt::format("reached --time-budget {:.0f}s", options_.time_budget_s)};
    }
    return std::nullopt;
  }

  // Cross-entropy of a uniform guess is ln(V); a loss far above it is a model that blew
  // up (an absurd --lr), not one that learns.
  void check_loss(double loss_value) const {
    const double bound = 100.0 + 10.0 * std::log(static_cast<double>(std::max<int64_t>(2, model_.target_vocab.size())));
    if (std::isfinite(loss_value) && loss_value <= bound) return;
    const std::string last_save =
        manifest_ ? "; the model directory keeps its save of step " + std::to_string(manifest_->step) : "";
    throw Error(fmt::format("training diverged: the loss is {} at step {} (a uniform guess scores {:.2f}); "
                            "try a lower --lr{}", loss_value, state_.step + 1,
                            std::log(static_cast<double>(model_.target_vocab.size())), last_save));
  }

  // A scheduled save (--save-every-steps, --save-every-minutes) is due.
  bool save_due() const {
    if (options_.save_every_steps > 0 && state_.step % options_.save_every_steps == 0) return true;
    return comm_.distributed() ? agreed_.save_due : save_due_by_clock();
  }
  bool save_due_by_clock() const {
    return options_.save_every_minutes > 0 && seconds_since(last_save_) >= 60.0 * options_.save_every_minutes;
  }

  Stop patience_stop() const { return Stop{"no improvement in " + std::to_string(options_.patience) + " validations"}; }

  // Set every step, so a resumed run follows the schedule even where the optimizer
  // state restored another value.
  void set_learning_rate(int64_t step) {
    const double lr = learning_rate(options_.schedule(), step, state_.plateau);
    for (auto& group : optimizer_.param_groups()) {
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    }
  }
  double elapsed() const { return state_.elapsed_s + seconds_since(start_); }

  int64_t parameter_count() const {
    int64_t count = 0;
    for (const auto& p : model_.model->parameters()) count += p.numel();
    return count;
  }

  ProgressSnapshot snapshot(double loss_value) const {
    ProgressSnapshot s;
    s.step = state_.step;
    s.epoch = state_.epoch + 1;
    s.loss = loss_value;
    s.tokens_per_s = throughput_.tokens_per_s();
    s.elapsed_s = elapsed();
    double fraction = -1.0;
    if (options_.time_budget_s > 0) fraction = std::max(fraction, s.elapsed_s / options_.time_budget_s);
    if (options_.max_steps > 0) {
      fraction = std::max(fraction, static_cast<double>(state_.step) / static_cast<double>(options_.max_steps));
    }
    if (options_.epochs > 0 && !batches_.empty()) {
      const double done = static_cast<double>(state_.epoch) +
                          static_cast<double>(state_.next_batch) / static_cast<double>(batches_.size());
      fraction = std::max(fraction, done / static_cast<double>(options_.epochs));
    }
    s.fraction_done = fraction;
    return s;
  }

  // The validation set scored as the best metric asks (fp32 products, eval mode); shared
  // among the ranks unless rank 0 validates alone (`shared` false).
  EvaluationResult validate(bool shared = true) {
    model_.model->eval();
    const ProductPoolScope fp32_products(ProductPool::Blas);
    EvaluationOptions evaluation;
    evaluation.batch_tokens = options_.batch_tokens;
    evaluation.batch_size = options_.valid_batch_size;
    const EvaluationResult result =
        shared ? evaluate_shared(model_, valid_pairs_, evaluation, comm_) : evaluate(model_, valid_pairs_, evaluation);
    model_.model->train();
    return result;
  }

  // Validates (when there is a validation set), logs a row, saves; returns true when
  // early stopping says to stop.
  bool validate_and_save() {
    state_.validated_step = state_.step;
    TrainingLogRow row = take_training_row();
    row.valid_loss = row.valid_exact = row.valid_bleu = NAN;
    bool improved = true;
    if (has_validation()) {
      const EvaluationResult result = validate();
      improved = state_.record_validation(metric_score(result), result.loss);
      if (record_validation(options_.schedule(), improved, state_.plateau)) {
        reporter_->message(fmt::format("no improvement in {} validations: learning rate now {:.3g}",
                                       options_.plateau_patience,
                                       learning_rate(options_.schedule(), state_.step + 1, state_.plateau)));
      }
      row.valid_loss = result.loss;
      row.valid_exact = 100.0 * result.exact_match;
      row.valid_bleu = result.bleu.score;
      reporter_->message(fmt::format(
          "validation at step {}: loss {:.4f}  ppl {:.2f}  exact {:.2f}%  BLEU {:.2f}{}", state_.step, result.loss,
          result.perplexity, 100.0 * result.exact_match, result.bleu.score,
          improved                ? "  (new best)"
          : options_.patience > 0 ? fmt::format("  (no improvement {}/{})", state_.bad_validations, options_.patience)
                                  : "  (no improvement)"));
    } else {
      reporter_->message(fmt::format("step {}: train loss {:.4f}", state_.step, row.train_loss));
    }
    row.tokens_per_s = throughput_.tokens_per_s();
    row.elapsed_s = elapsed();
    state_.log.push_back(row);
    if (options_.average_checkpoints >= 2) {
      // The checkpoint is this save's weights file; the oldest beyond K drop out of the
      // manifest, and their files go once no role names them.
      if (state_.checkpoints.empty() || state_.checkpoints.back() != state_.step) state_.checkpoints.push_back(state_.step);
      while (static_cast<int64_t>(state_.checkpoints.size()) > options_.average_checkpoints) {
        state_.checkpoints.erase(state_.checkpoints.begin());
      }
    }
    save(improved);
    return options_.patience > 0 && state_.bad_validations >= options_.patience;
  }

  // A --log-every row: the training loss since the previous row.
  void log_training_row() {
    TrainingLogRow row = take_training_row();
    row.valid_loss = row.valid_exact = row.valid_bleu = NAN;
    row.tokens_per_s = throughput_.tokens_per_s();
    row.elapsed_s = elapsed();
    state_.log.push_back(row);
  }

  // A new log row with the training loss since the previous row. A --log-every row of
  // this same step (an epoch's last update) gives way to the validation row.
  TrainingLogRow take_training_row() {
    TrainingLogRow row;
    row.step = state_.step;
    row.epoch = state_.epoch;
    row.train_loss = window_tokens_ > 0 ? window_loss_ / static_cast<double>(window_tokens_) : NAN;
    if (window_tokens_ == 0 && !state_.log.empty() && state_.log.back().step == state_.step) {
      row.train_loss = state_.log.back().train_loss;
      state_.log.pop_back();
    }
    window_loss_ = 0.0;
    window_tokens_ = 0;
    return row;
  }

  // Averages the kept checkpoints into model.avg.pt; when that scores better on the
  // validation data than the best checkpoint, it becomes model.best.pt. The model in
  // memory goes back to the last weights.
  void average_kept_checkpoints() {
    if (options_.average_checkpoints < 2 || state_.checkpoints.size() < 2) return;
    const std::string& dir = options_.out_dir;
    std::vector<std::string> paths;
    for (int64_t step : state_.checkpoints) {
      if (manifest_->has(roles::checkpoint(step))) {
        paths.push_back(model_file(dir, *manifest_, roles::checkpoint(step)));
      } else {
        spdlog::warn("the checkpoint of step {} is missing from {}; averaging the others", step, dir);
      }
    }
    if (paths.size() < 2) return;
    average_checkpoints(*model_.model, paths, options_.device);
    SaveTransaction save(dir, &*manifest_);
    for (const auto& [role, entry] : manifest_->files) save.keep(role);
    const std::string averaged = save.new_file("averaged", ".pt");
    save_weights(*model_.model, averaged);
    save.add(roles::kWeightsAveraged, averaged);
    nlohmann::json record = {{"checkpoints", state_.checkpoints}, {"step", state_.step}};
    if (has_validation()) {
      const EvaluationResult result = validate(/*shared=*/false);
      const double score = metric_score(result);
      // The average becomes the best model when it beats the best checkpoint on the best
      // metric or on validation loss: BLEU on a validation set of a thousand sentences
      // moves by about half a point between neighbouring checkpoints, the loss far less.
      // best_score stays the best single checkpoint's: a resumed run's early stopping and
      // plateau schedule compare checkpoints with checkpoints.
      const bool better = score > state_.best_score || result.loss < state_.best_loss;
      if (better) save.alias(roles::kWeightsBest, roles::kWeightsAveraged);
      record["score"] = score;
      record["loss"] = result.loss;
      record["bleu"] = result.bleu.score;
      record["exact"] = 100.0 * result.exact_match;
      record["became_best"] = better;
      reporter_->message(fmt::format("average of the last {} checkpoints: loss {:.4f}  exact {:.2f}%  BLEU {:.2f}{}",
                                     paths.size(), result.loss, 100.0 * result.exact_match, result.bleu.score,
                                     better ? "  (new best)" : "  (the best checkpoint stays)"));
    }
    state_.averaged = record;
    add_progress(save);
    commit(save);
    load_weights(*model_.model, model_file(dir, *manifest_, roles::kWeightsLast), options_.device);
    model_.model->train();
  }

  // The best-metric value of a result; higher is better.
  double metric_score(const EvaluationResult& result) const {
    switch (options_.best_metric) {
      case BestMetric::Bleu: return result.bleu.score;
      case BestMetric::ExactMatch: return 100.0 * result.exact_match;
      case BestMetric::Loss: return -result.loss;
    }
    return 0.0;
  }

  // This save's progress file (with the elapsed time up to now) and log.
  void add_progress(SaveTransaction& save) const {
    TrainingState snapshot = state_;
    snapshot.elapsed_s = elapsed();
    const std::string progress = save.new_file("progress", ".json");
    write_file_atomically(progress, snapshot.to_json().dump(2) + "\n");
    save.add(roles::kProgress, progress);
    const std::string log = save.new_file("train_log", ".csv");
    write_file_atomically(log, format_training_log(state_.log));
    save.add(roles::kTrainLog, log);
  }

  void commit(SaveTransaction& save) {
    manifest_ = save.commit(state_.step);
    last_save_ = Clock::now();
    // The log under a fixed name, for people and scripts; heed reads the manifest's.
    write_file_atomically(model_files::train_log_copy(options_.out_dir), format_training_log(state_.log));
  }

  // Saves the whole training state as one unit (model_dir/manifest.h): the weights as
  // the last (and, when `best`, the best) weights, the optimizer, the random generator,
  // progress and log; then the manifest. Files of a kept checkpoint stay.
  // Only rank 0 writes; the others keep count, and wait for it through the store, where
  // a slow disk is no reason to give up (a collective would wait only --dist-timeout).
  void save(bool best) {
    saved_step_ = state_.step;
    last_save_ = Clock::now();
    if (comm_.is_root()) write_save(best);
    comm_.wait_for_root(kRootWorkPatience);
  }

  void write_save(bool best) {
    const std::string& dir = options_.out_dir;
    SaveTransaction save(dir, manifest_ ? &*manifest_ : nullptr);
    if (manifest_) {
      for (const char* role : {roles::kConfig, roles::kSourceVocab, roles::kTargetVocab, roles::kSourceSentencePiece,
                               roles::kTargetSentencePiece, roles::kWeightsBest, roles::kWeightsAveraged}) {
        save.keep(role);
      }
    } else {
      add_description_files(save, dir);
    }
    const std::string weights = save.new_file("weights", ".pt");
    save_weights(*model_.model, weights);
    save.add(roles::kWeightsLast, weights);
    // Without validation there is no best: readers take the last weights.
    if (!has_validation()) save.drop(roles::kWeightsBest);
    if (best && has_validation()) save.alias(roles::kWeightsBest, roles::kWeightsLast);
    for (int64_t step : state_.checkpoints) {
      if (step == state_.step) {
        save.alias(roles::checkpoint(step), roles::kWeightsLast);
      } else {
        save.keep(roles::checkpoint(step));
      }
    }
    torch::serialize::OutputArchive archive;
    optimizer_.save(archive);
    const std::string optimizer = save.new_file("optimizer", ".pt");
    write_atomically(optimizer, [&](std::ostream& out) { archive.save_to(out); });
    save.add(roles::kOptimizer, optimizer);
    const std::string rng = save.new_file("rng", ".pt");
    save_rng_state(rng);
    save.add(roles::kRng, rng);
    add_progress(save);
    commit(save);
  }

  LoadedModel& model_;
  const std::vector<SentencePair>& valid_pairs_;
  TrainOptions options_;
  Communicator& comm_;
  FusedAdam optimizer_;
  std::unique_ptr<GradientReducer> reducer_;  // several processes only
  AgreedFlags agreed_;                         // of the last update (several processes)
  double reduce_seconds_ = 0.0;                // waiting for the gradient sums
  int64_t reduced_updates_ = 0;
  std::vector<EncodedPair> examples_;
  std::vector<std::vector<size_t>> batches_;
  std::vector<int64_t> batch_target_tokens_;  // per batch of batches_
  TrainingState state_;
  Clock::time_point start_ = Clock::now();
  ProgressReporter* reporter_ = nullptr;
  double window_loss_ = 0.0;  // training loss since the last log row, summed over tokens
  int64_t window_tokens_ = 0;
  ThroughputMeter throughput_;
  int64_t saved_step_ = -1;           // of the last save (rank 0 writes it)
  std::optional<Manifest> manifest_;  // of the last save, on rank 0
  Clock::time_point last_save_ = Clock::now();
};

}  // namespace

TrainResult train(LoadedModel& model, const std::vector<SentencePair>& train_pairs,
                  const std::vector<SentencePair>& valid_pairs, const TrainOptions& options,
                  bool resume, Communicator& communicator) {
  if (train_pairs.empty()) throw Error("the training data holds no sentence pairs");
  if (options.lr_schedule == LrScheduleKind::Plateau && valid_pairs.empty()) {
    throw Error("--lr-schedule plateau needs validation data (--valid)");
  }
  const bool writes = communicator.is_root();
  if (writes) create_directories(options.out_dir);
  torch::manual_seed(options.seed);
  model.model->to(options.device);
  if (!resume && writes) {
    model.config.training = options.to_json();
    // Short validation sources, for whoever explores the model later.
    model.config.examples.clear();
    for (const auto& pair : valid_pairs) {
      if (model.config.examples.size() == 5) break;
      if (!pair.source.empty() && pair.source.size() <= 200) model.config.examples.push_back(pair.source);
    }
    save_config(options.out_dir, model.config);
    save_text_files(options.out_dir, model);
  }
  TrainingRun run(model, train_pairs, valid_pairs, options, communicator);
  if (writes) {
    if (resume) {
      run.resume();
    } else {
      run.save_initial_state();
    }
  }
  run.synchronize(resume);
  TrainResult result = run.run();
  model.model->eval();
  return result;
}

TrainResult train(LoadedModel& model, const std::vector<SentencePair>& train_pairs,
                  const std::vector<SentencePair>& valid_pairs, const TrainOptions& options, bool resume) {
  Communicator alone;
  return train(model, train_pairs, valid_pairs, options, resume, alone);
}

}  // namespace heed
