#include "decode/greedy_search.h"

#include <torch/nn/functional/activation.h>

#include <cmath>
#include <limits>

#include "decode/step_attention.h"
#include "text/vocabulary.h"

namespace heed {

void mask_never_output(torch::Tensor& log_probs) {
  const auto never_output = torch::tensor({Vocabulary::kPad, Vocabulary::kBos},
                                          torch::TensorOptions().dtype(torch::kInt64).device(log_probs.device()));
  log_probs.index_fill_(1, never_output, -std::numeric_limits<float>::infinity());
}

GreedyChoice greedy_choice(torch::Tensor& log_probs) {
  mask_never_output(log_probs);
  auto [scores, tokens] = log_probs.max(/*dim=*/1);
  return {tokens, scores};
}

std::vector<Hypothesis> greedy_search(Seq2SeqModel& model, const SourceBatch& source,
                                      const SearchOptions& options) {
  torch::NoGradGuard no_grad;
  const int64_t batch = source.ids.size(0);
  std::vector<Hypothesis> hypotheses(batch);
  if (batch == 0) return hypotheses;
  const auto lengths = source.lengths.to(torch::kCPU);
  const auto lengths_a = lengths.accessor<int64_t, 1>();

  auto state = model.start(source, options.return_attention);
  // Attention computed at start (enc_self), per row, before any reordering.
  std::vector<std::map<AttentionPart, std::vector<torch::Tensor>>> steps(batch);
  for (const auto& [part, weights] : state->source_attention.parts) {
    for (int64_t row = 0; row < batch; ++row) {
      hypotheses[row].attention.parts[part] = attention_of_row(weights, row, lengths_a[row], lengths_a[row]);
    }
  }

  std::vector<int64_t> limit(batch);
  for (int64_t row = 0; row < batch; ++row) {
    limit[row] = max_target_length(lengths_a[row], options);
  }
  std::vector<int64_t> active(batch);  // original row of each state row
  for (int64_t row = 0; row < batch; ++row) active[row] = row;
  auto tokens = torch::full({batch}, Vocabulary::kBos,
                            torch::TensorOptions().dtype(torch::kInt64).device(source.ids.device()));

  while (!active.empty()) {
    StepOutput out = model.step(*state, tokens, options.return_attention);
    const GreedyChoice best = greedy_choice(out.log_probs);
    const auto best_scores = best.scores.to(torch::kCPU);
    const auto best_tokens = best.tokens.to(torch::kCPU);
    const auto scores_a = best_scores.accessor<float, 1>();
    const auto tokens_a = best_tokens.accessor<int64_t, 1>();

    std::vector<int64_t> keep;
    std::vector<int64_t> kept_rows;
    for (size_t k = 0; k < active.size(); ++k) {
      const int64_t row = active[k];
      Hypothesis& hypothesis = hypotheses[row];
      const int64_t token = tokens_a[k];
      hypothesis.tokens.push_back(token);
      hypothesis.token_log_probs.push_back(scores_a[k]);
      hypothesis.score += scores_a[k];
      for (const auto& [part, weights] : out.attention.parts) {
        steps[row][part].push_back(weights[static_cast<int64_t>(k)]);  // (L, H, 1, K)
      }
      const bool finished = token == Vocabulary::kEos ||
                            static_cast<int64_t>(hypothesis.tokens.size()) >= limit[row];
      if (!finished) {
        keep.push_back(static_cast<int64_t>(k));
        kept_rows.push_back(row);
      }
    }
    if (kept_rows.empty()) break;
    auto next = best.tokens;
    if (kept_rows.size() != active.size()) {
      const auto index = torch::tensor(keep, torch::kInt64).to(source.ids.device());
      model.reorder(*state, index);
      next = next.index_select(0, index);
    }
    tokens = next;
    active = std::move(kept_rows);
  }

  for (int64_t row = 0; row < batch; ++row) {
    hypotheses[row].normalized_score = hypotheses[row].score;
    for (const auto& [part, pieces] : steps[row]) {
      hypotheses[row].attention.parts[part] = join_step_attention(part, pieces, lengths_a[row]);
    }
  }
  return hypotheses;
}

std::vector<Hypothesis> force_decode(Seq2SeqModel& model, const SourceBatch& source,
                                     const std::vector<std::vector<int64_t>>& targets,
                                     bool return_attention) {
  torch::NoGradGuard no_grad;
  const int64_t batch = source.ids.size(0);
  std::vector<Hypothesis> hypotheses(batch);
  if (batch == 0) return hypotheses;
  // <s> y1..yn as input, y1..yn </s> as output, padded.
  int64_t width = 0;
  for (const auto& target : targets) width = std::max(width, static_cast<int64_t>(target.size()) + 1);
  auto input = torch::full({batch, width}, Vocabulary::kPad, torch::kInt64);
  auto output = torch::full({batch, width}, Vocabulary::kPad, torch::kInt64);
  auto input_a = input.accessor<int64_t, 2>();
  auto output_a = output.accessor<int64_t, 2>();
  for (int64_t row = 0; row < batch; ++row) {
    input_a[row][0] = Vocabulary::kBos;
    const auto& target = targets[row];
    for (size_t t = 0; t < target.size(); ++t) {
      input_a[row][t + 1] = target[t];
      output_a[row][t] = target[t];
    }
    output_a[row][target.size()] = Vocabulary::kEos;
  }
  const auto device = source.ids.device();
  ForwardOutput forward = model.forward(source, input.to(device), return_attention);
  const auto log_probs = torch::log_softmax(forward.logits, /*dim=*/2)
                             .gather(2, output.to(device).unsqueeze(2))
                             .squeeze(2)
                             .to(torch::kCPU);  // (B, T)
  const auto log_probs_a = log_probs.accessor<float, 2>();
  const auto lengths = source.lengths.to(torch::kCPU);
  for (int64_t row = 0; row < batch; ++row) {
    Hypothesis& hypothesis = hypotheses[row];
    const int64_t length = static_cast<int64_t>(targets[row].size()) + 1;
    for (int64_t t = 0; t < length; ++t) {
      hypothesis.tokens.push_back(output_a[row][t]);
      hypothesis.token_log_probs.push_back(log_probs_a[row][t]);
      hypothesis.score += log_probs_a[row][t];
    }
    hypothesis.normalized_score = hypothesis.score;
    const int64_t source_length = lengths[row].item<int64_t>();
    for (const auto& [part, weights] : forward.attention.parts) {
      const int64_t queries = part == AttentionPart::EncoderSelf ? source_length : length;
      const int64_t keys = part == AttentionPart::DecoderSelf ? length : source_length;
      hypothesis.attention.parts[part] = attention_of_row(weights, row, queries, keys);
    }
  }
  return hypotheses;
}

}  // namespace heed
