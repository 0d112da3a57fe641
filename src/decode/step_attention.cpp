#include "decode/step_attention.h"

#include <algorithm>

namespace heed {

torch::Tensor join_step_attention(AttentionPart part, const std::vector<torch::Tensor>& pieces,
                                  int64_t source_length) {
  const int64_t keys = part == AttentionPart::DecoderSelf ? static_cast<int64_t>(pieces.size()) : source_length;
  std::vector<torch::Tensor> rows;
  rows.reserve(pieces.size());
  for (const auto& piece : pieces) {
    auto trimmed = piece.narrow(3, 0, std::min(keys, piece.size(3)));
    if (trimmed.size(3) < keys) trimmed = torch::constant_pad_nd(trimmed, {0, keys - trimmed.size(3)}, 0.0);
    rows.push_back(trimmed);
  }
  return torch::cat(rows, /*dim=*/2);
}

torch::Tensor attention_of_row(const torch::Tensor& weights, int64_t row, int64_t queries, int64_t keys) {
  return weights[row].narrow(2, 0, queries).narrow(3, 0, keys);
}

}  // namespace heed
