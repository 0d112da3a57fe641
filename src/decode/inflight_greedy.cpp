#include "decode/inflight_greedy.h"

#include <torch/torch.h>

#include "decode/greedy_search.h"
#include "text/vocabulary.h"
#include "util/error.h"

namespace heed {

void InflightGreedySearch::add(const SourceBatch& source, const std::vector<int64_t>& tags,
                               const SearchOptions& options) {
  options.validate();
  if (options.beam_size != 1 || options.return_attention) {
    throw Error("in-flight batching decodes greedily (beam 1) and without attention");
  }
  const int64_t batch = source.ids.size(0);
  if (static_cast<int64_t>(tags.size()) != batch) throw std::logic_error("InflightGreedySearch::add: one tag per row");
  if (batch == 0) return;
  torch::NoGradGuard no_grad;
  auto state = model_.start(source, /*return_attention=*/false);
  auto first = torch::full({batch}, Vocabulary::kBos, torch::TensorOptions().dtype(torch::kInt64).device(source.ids.device()));
  if (!state_) {
    state_ = std::move(state);
    tokens_ = first;
  } else {
    model_.append(*state_, *state);
    tokens_ = torch::cat({tokens_, first});
  }
  const auto lengths = source.lengths.to(torch::kCPU);
  const auto lengths_a = lengths.accessor<int64_t, 1>();
  for (int64_t row = 0; row < batch; ++row) {
    rows_.push_back({tags[row], max_target_length(lengths_a[row], options), options.length_penalty, Hypothesis()});
  }
}

std::vector<InflightGreedySearch::Finished> InflightGreedySearch::step() {
  std::vector<Finished> finished;
  if (rows_.empty()) return finished;
  torch::NoGradGuard no_grad;
  StepOutput out = model_.step(*state_, tokens_, /*return_attention=*/false);
  const GreedyChoice best = greedy_choice(out.log_probs);
  const auto scores = best.scores.to(torch::kCPU);
  const auto tokens = best.tokens.to(torch::kCPU);
  const auto scores_a = scores.accessor<float, 1>();
  const auto tokens_a = tokens.accessor<int64_t, 1>();
  std::vector<int64_t> keep;
  std::vector<Row> kept;
  for (size_t k = 0; k < rows_.size(); ++k) {
    Row& row = rows_[k];
    Hypothesis& h = row.hypothesis;
    h.tokens.push_back(tokens_a[k]);
    h.token_log_probs.push_back(scores_a[k]);
    h.score += scores_a[k];
    if (tokens_a[k] == Vocabulary::kEos || static_cast<int64_t>(h.tokens.size()) >= row.limit) {
      h.normalized_score = h.score / length_penalty(static_cast<int64_t>(h.tokens.size()), row.length_penalty);
      finished.push_back({row.tag, std::move(h)});
    } else {
      keep.push_back(static_cast<int64_t>(k));
      kept.push_back(std::move(row));
    }
  }
  if (kept.empty()) {
    clear();
  } else {
    tokens_ = best.tokens;
    if (kept.size() != rows_.size()) {
      const auto index = torch::tensor(keep, torch::kInt64).to(tokens_.device());
      model_.reorder(*state_, index);
      tokens_ = tokens_.index_select(0, index);
    }
    rows_ = std::move(kept);
  }
  return finished;
}

void InflightGreedySearch::clear() {
  rows_.clear();
  state_.reset();
  tokens_ = torch::Tensor();
}

}  // namespace heed
