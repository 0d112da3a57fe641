#include "decode/beam_search.h"

#include <algorithm>
#include <limits>
#include <numeric>

#include "decode/greedy_search.h"
#include "decode/step_attention.h"
#include "text/vocabulary.h"

namespace heed {

namespace {

constexpr double kNegativeInfinity = -std::numeric_limits<double>::infinity();

// A live hypothesis: one row of the decoder state. score -inf marks a padding row.
struct Live {
  std::vector<int64_t> tokens;
  std::vector<float> log_probs;
  double score = kNegativeInfinity;

  Live extended(int64_t token, float log_prob, double new_score) const {
    Live next{tokens, log_probs, new_score};
    next.tokens.push_back(token);
    next.log_probs.push_back(log_prob);
    return next;
  }
};

// A finished hypothesis whose attention is still to be traced: its last token was
// predicted at `step` by state row `row`.
struct Finished {
  Live hypothesis;
  double normalized_score;
  int64_t step;
  int64_t row;
};

// The attention of every state row at every step, and each row's row at the step
// before (the beam's backpointers), to trace a hypothesis's attention back.
class AttentionTrace {
 public:
  // step_attention: each part (rows, L, H, 1, keys); parents: per row, its row at the
  // previous step (empty at step 0).
  void add_step(AttentionMaps step_attention, std::vector<int64_t> parents) {
    steps_.push_back(std::move(step_attention));
    parents_.push_back(std::move(parents));
  }

  // The attention of the hypothesis whose last token was predicted at `step` by `row`:
  // per part (L, H, step + 1, keys).
  AttentionMaps trace(int64_t step, int64_t row, int64_t source_length) const {
    std::vector<int64_t> rows(static_cast<size_t>(step) + 1);
    rows[step] = row;
    for (int64_t t = step; t > 0; --t) rows[t - 1] = parents_[t][rows[t]];
    AttentionMaps maps;
    for (const auto& [part, unused] : steps_.front().parts) {
      std::vector<torch::Tensor> pieces;
      pieces.reserve(rows.size());
      for (int64_t t = 0; t <= step; ++t) pieces.push_back(steps_[t].parts.at(part)[rows[t]]);
      maps.parts[part] = join_step_attention(part, pieces, source_length);
    }
    return maps;
  }

 private:
  std::vector<AttentionMaps> steps_;
  std::vector<std::vector<int64_t>> parents_;
};

// Is the sentence finished? `finished` are its finished hypotheses, `best_live_score` the
// raw score of its best live one, `limit` its length limit.
bool search_is_over(const std::vector<Finished>& finished, double best_live_score, int64_t limit,
                    const SearchOptions& options) {
  const auto count = static_cast<int64_t>(finished.size());
  if (count >= options.beam_size) return true;
  if (count < options.nbest) return false;
  // The best a live hypothesis can still reach: its score only decreases and the length
  // penalty only grows, at most to lp(limit).
  const double bound = best_live_score / length_penalty(limit, options.length_penalty);
  std::vector<double> scores;
  for (const auto& f : finished) scores.push_back(f.normalized_score);
  std::nth_element(scores.begin(), scores.begin() + (options.nbest - 1), scores.end(), std::greater<>());
  return scores[options.nbest - 1] >= bound;
}

std::vector<Hypothesis> best_hypotheses(std::vector<Finished> finished, const AttentionTrace* trace,
                                        const AttentionMaps& source_attention, int64_t source_length,
                                        int64_t nbest) {
  std::stable_sort(finished.begin(), finished.end(), [](const Finished& a, const Finished& b) {
    return a.normalized_score > b.normalized_score;
  });
  finished.resize(std::min<size_t>(finished.size(), static_cast<size_t>(nbest)));
  std::vector<Hypothesis> hypotheses;
  for (auto& f : finished) {
    Hypothesis h;
    h.tokens = std::move(f.hypothesis.tokens);
    h.token_log_probs = std::move(f.hypothesis.log_probs);
    h.score = f.hypothesis.score;
    h.normalized_score = f.normalized_score;
    if (trace) {
      h.attention = trace->trace(f.step, f.row, source_length);
      for (const auto& [part, weights] : source_attention.parts) h.attention.parts[part] = weights;
    }
    hypotheses.push_back(std::move(h));
  }
  return hypotheses;
}

}  // namespace

std::vector<std::vector<Hypothesis>> beam_search(Seq2SeqModel& model, const SourceBatch& source,
                                                 const SearchOptions& options) {
  options.validate();
  torch::NoGradGuard no_grad;
  const int64_t batch = source.ids.size(0);
  std::vector<std::vector<Hypothesis>> results(batch);
  if (batch == 0) return results;
  const int64_t beam = options.beam_size;
  const torch::Device device = source.ids.device();
  const auto int64_on_device = torch::TensorOptions().dtype(torch::kInt64).device(device);
  const auto lengths = source.lengths.to(torch::kCPU);
  const auto lengths_a = lengths.accessor<int64_t, 1>();

  auto state = model.start(source, options.return_attention);
  std::vector<AttentionMaps> source_attention(batch);  // enc_self, per sentence
  for (const auto& [part, weights] : state->source_attention.parts) {
    for (int64_t b = 0; b < batch; ++b) {
      source_attention[b].parts[part] = attention_of_row(weights, b, lengths_a[b], lengths_a[b]);
    }
  }
  // One row per sentence at the first step (its K beams would all hold the same empty
  // hypothesis); K rows per sentence from the second step on, when the first step's K
  // best tokens are kept.
  int64_t rows_per_group = 1;
  std::vector<Live> live(static_cast<size_t>(batch));
  for (auto& hypothesis : live) hypothesis.score = 0.0;
  std::vector<int64_t> active(batch);  // the sentence of each group of rows_per_group state rows
  std::iota(active.begin(), active.end(), 0);
  std::vector<std::vector<Finished>> finished(batch);
  AttentionTrace trace;
  std::vector<int64_t> parents;  // of the current rows, at the previous step
  auto tokens = torch::full({batch}, Vocabulary::kBos, int64_on_device);

  for (int64_t step = 0; !active.empty(); ++step) {
    StepOutput out = model.step(*state, tokens, options.return_attention);
    mask_never_output(out.log_probs);
    if (options.return_attention) trace.add_step(std::move(out.attention), std::move(parents));
    const auto groups = static_cast<int64_t>(active.size());
    const int64_t vocab = out.log_probs.size(1);

    // Two-stage top-k, exact: a sentence's 2K best candidates are among each row's own
    // 2K best tokens. Row scores are added in double, so the order within a row is the
    // order of its log-probabilities (greedy's order).
    const int64_t width = std::min(2 * beam, vocab);
    auto [row_log_probs, row_tokens] = out.log_probs.topk(width, /*dim=*/1);  // (N, W)
    std::vector<double> row_scores(live.size());
    for (size_t r = 0; r < live.size(); ++r) row_scores[r] = live[r].score;
    const auto scores = torch::from_blob(row_scores.data(), {static_cast<int64_t>(live.size()), 1},
                                         torch::kFloat64)
                            .to(device);
    const auto candidates = (row_log_probs.to(torch::kFloat64) + scores).view({groups, rows_per_group * width});
    auto [top_scores, top_positions] = candidates.topk(std::min(2 * beam, rows_per_group * width), /*dim=*/1);
    const auto top_scores_cpu = top_scores.to(torch::kCPU);
    const auto top_positions_cpu = top_positions.to(torch::kCPU);
    const auto row_log_probs_cpu = row_log_probs.to(torch::kCPU);
    const auto row_tokens_cpu = row_tokens.to(torch::kCPU);
    const auto top_scores_a = top_scores_cpu.accessor<double, 2>();
    const auto top_positions_a = top_positions_cpu.accessor<int64_t, 2>();
    const auto row_log_probs_a = row_log_probs_cpu.accessor<float, 2>();
    const auto row_tokens_a = row_tokens_cpu.accessor<int64_t, 2>();

    std::vector<Live> next_live;
    std::vector<int64_t> next_parents, next_tokens, next_active;
    for (int64_t g = 0; g < groups; ++g) {
      const int64_t sentence = active[g];
      auto& done = finished[sentence];
      const size_t first = next_live.size();
      for (int64_t c = 0; c < top_scores_cpu.size(1); ++c) {
        const double score = top_scores_a[g][c];
        if (!(score > kNegativeInfinity)) break;  // sorted: only padding rows and masked tokens follow
        const int64_t row = g * rows_per_group + top_positions_a[g][c] / width;
        const int64_t column = top_positions_a[g][c] % width;
        const int64_t token = row_tokens_a[row][column];
        const float log_prob = row_log_probs_a[row][column];
        if (token == Vocabulary::kEos) {
          if (c < beam) {
            Live hypothesis = live[row].extended(token, log_prob, score);
            const double normalized =
                score / length_penalty(static_cast<int64_t>(hypothesis.tokens.size()), options.length_penalty);
            done.push_back({std::move(hypothesis), normalized, step, row});
          }
        } else if (static_cast<int64_t>(next_live.size() - first) < beam) {
          next_live.push_back(live[row].extended(token, log_prob, score));
          next_parents.push_back(row);
          next_tokens.push_back(token);
        }
      }
      const int64_t limit = max_target_length(lengths_a[sentence], options);
      bool over = next_live.size() == first;  // nothing left to extend (a tiny vocabulary)
      if (!over && step + 1 >= limit) {
        // Cut at the length limit: the live hypotheses finish without </s>.
        for (size_t k = first; k < next_live.size(); ++k) {
          const double normalized =
              next_live[k].score / length_penalty(static_cast<int64_t>(next_live[k].tokens.size()),
                                                  options.length_penalty);
          done.push_back({std::move(next_live[k]), normalized, step, next_parents[k]});
        }
        over = true;
      }
      if (!over) over = search_is_over(done, next_live[first].score, limit, options);
      if (over) {
        next_live.resize(first);
        next_parents.resize(first);
        next_tokens.resize(first);
        results[sentence] = best_hypotheses(std::move(done), options.return_attention ? &trace : nullptr,
                                            source_attention[sentence], lengths_a[sentence], options.nbest);
        continue;
      }
      while (static_cast<int64_t>(next_live.size() - first) < beam) {  // padding rows
        next_live.emplace_back();
        next_parents.push_back(next_parents[first]);
        next_tokens.push_back(Vocabulary::kEos);
      }
      next_active.push_back(sentence);
    }
    if (next_active.empty()) break;

    bool identity = next_parents.size() == live.size();
    for (size_t r = 0; identity && r < next_parents.size(); ++r) identity = next_parents[r] == static_cast<int64_t>(r);
    if (!identity) {
      const auto index = torch::tensor(next_parents, torch::kInt64).to(device);
      // The same sentences in the same places: rows only move among their own sentence's.
      if (next_active == active && rows_per_group == beam) {
        model.reorder_within_sources(*state, index);
      } else {
        model.reorder(*state, index);
      }
    }
    tokens = torch::tensor(next_tokens, torch::kInt64).to(device);
    live = std::move(next_live);
    parents = std::move(next_parents);
    active = std::move(next_active);
    rows_per_group = beam;
  }
  return results;
}

}  // namespace heed
