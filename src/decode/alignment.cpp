#include "decode/alignment.h"

#include <fmt/format.h>


#include "util/error.h"

namespace heed {

namespace {
int64_t chosen_layer(const AlignmentHead& head, int64_t layers) {
  return head.layer.value_or(layers >= 2 ? layers - 2 : 0);
}
}  // namespace

int64_t alignment_layer(const AlignmentHead& head, int64_t layers) { return chosen_layer(head, layers); }

void check_alignment_head(const AttentionLayout& layout, const AlignmentHead& head) {
  const auto cross = layout.find(AttentionPart::Cross);
  if (cross == layout.end()) throw Error("this model has no cross-attention to align with");
  const int64_t layers = cross->second.layers, heads = cross->second.heads;
  const int64_t layer = chosen_layer(head, layers);
  if (layer < 0 || layer >= layers) {
    throw Error("--alignment-layer " + std::to_string(layer) + " is out of range: the model has " +
                std::to_string(layers) + " layer(s), 0-based");
  }
  if (head.head && (*head.head < 0 || *head.head >= heads)) {
    throw Error("--alignment-head " + std::to_string(*head.head) + " is out of range: the model has " +
                std::to_string(heads) + " head(s), 0-based");
  }
}

torch::Tensor alignment_matrix(const Hypothesis& hypothesis, const AlignmentHead& head) {
  if (!hypothesis.attention.has(AttentionPart::Cross)) {
    throw Error("the translation has no cross-attention to align with");
  }
  const auto& cross = hypothesis.attention.at(AttentionPart::Cross);  // (L, H, T, S)
  check_alignment_head({{AttentionPart::Cross, {cross.size(0), cross.size(1)}}}, head);
  const int64_t layer = chosen_layer(head, cross.size(0));
  const auto of_layer = cross[layer].to(torch::kCPU).to(torch::kFloat32);  // (H, T, S)
  return (head.head ? of_layer[*head.head] : of_layer.mean(/*dim=*/0)).contiguous();
}

std::vector<AlignmentLink> hard_alignment(const torch::Tensor& weights, bool target_ends_with_eos) {
  const int64_t targets = weights.size(0) - (target_ends_with_eos ? 1 : 0);
  const int64_t sources = weights.size(1) - 1;  // the source always ends with </s>
  std::vector<AlignmentLink> links;
  if (sources <= 0) return links;
  const auto w = weights.accessor<float, 2>();
  for (int64_t t = 0; t < targets; ++t) {
    int64_t best = 0;
    for (int64_t s = 1; s < sources; ++s) {
      if (w[t][s] > w[t][best]) best = s;
    }
    links.push_back({best, t});
  }
  return links;
}

std::vector<AlignmentLink> threshold_alignment(const torch::Tensor& weights, double threshold,
                                               bool target_ends_with_eos) {
  const int64_t targets = weights.size(0) - (target_ends_with_eos ? 1 : 0);
  const int64_t sources = weights.size(1) - 1;  // the source always ends with </s>
  std::vector<AlignmentLink> links;
  const auto w = weights.accessor<float, 2>();
  for (int64_t t = 0; t < targets; ++t) {
    for (int64_t s = 0; s < sources; ++s) {
      if (static_cast<double>(w[t][s]) >= threshold) links.push_back({s, t});
    }
  }
  return links;
}

std::string soft_alignment(const torch::Tensor& weights) {
  const auto w = weights.accessor<float, 2>();
  std::string text;
  for (int64_t t = 0; t < weights.size(0); ++t) {
    if (t > 0) text += ' ';
    for (int64_t s = 0; s < weights.size(1); ++s) {
      if (s > 0) text += ',';
      text += fmt::format("{:.6g}", w[t][s]);
    }
  }
  return text;
}

}  // namespace heed
