#include "data/batching.h"

#include <algorithm>
#include <numeric>

#include "text/vocabulary.h"

namespace heed {

std::vector<std::vector<size_t>> make_batches(const std::vector<EncodedPair>& examples,
                                              int64_t batch_tokens) {
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const auto& x = examples[a];
    const auto& y = examples[b];
    // The padded length (which the token budget counts) first, so batches are as full
    // as they can be; then target length, since the decoder runs one step per target
    // position for every row while the packed encoder skips source padding.
    const size_t x_longest = std::max(x.source.size(), x.target.size());
    const size_t y_longest = std::max(y.source.size(), y.target.size());
    if (x_longest != y_longest) return x_longest < y_longest;
    if (x.target.size() != y.target.size()) return x.target.size() < y.target.size();
    return x.source.size() < y.source.size();
  });
  std::vector<std::vector<size_t>> batches;
  std::vector<size_t> current;
  int64_t longest = 0;
  for (size_t index : order) {
    // +1 for </s> on the source side and for <s>/</s> on the target side.
    const auto length = static_cast<int64_t>(
        std::max(examples[index].source.size(), examples[index].target.size()) + 1);
    const int64_t padded = std::max(longest, length);
    if (!current.empty() && padded * static_cast<int64_t>(current.size() + 1) > batch_tokens) {
      batches.push_back(std::move(current));
      current.clear();
      longest = 0;
    }
    current.push_back(index);
    longest = std::max(longest, length);
  }
  if (!current.empty()) batches.push_back(std::move(current));
  return batches;
}

namespace {
// Rows of ids into a (B, max_len) padded int64 tensor; `prefix`/`suffix` are added
// around each row when >= 0.
torch::Tensor pad_rows(const std::vector<const std::vector<int64_t>*>& rows, int64_t prefix,
                       int64_t suffix, torch::Tensor* lengths_out) {
  const int64_t extra = (prefix >= 0 ? 1 : 0) + (suffix >= 0 ? 1 : 0);
  int64_t width = 0;
  for (const auto* row : rows) width = std::max(width, static_cast<int64_t>(row->size()) + extra);
  auto ids = torch::full({static_cast<int64_t>(rows.size()), width}, Vocabulary::kPad, torch::kInt64);
  auto lengths = torch::empty({static_cast<int64_t>(rows.size())}, torch::kInt64);
  auto ids_a = ids.accessor<int64_t, 2>();
  auto lengths_a = lengths.accessor<int64_t, 1>();
  for (size_t r = 0; r < rows.size(); ++r) {
    int64_t column = 0;
    if (prefix >= 0) ids_a[r][column++] = prefix;
    for (int64_t id : *rows[r]) ids_a[r][column++] = id;
    if (suffix >= 0) ids_a[r][column++] = suffix;
    lengths_a[r] = column;
  }
  if (lengths_out) *lengths_out = lengths;
  return ids;
}
}  // namespace

SourceBatch make_source_batch(const std::vector<std::vector<int64_t>>& sources,
                              const torch::Device& device) {
  std::vector<const std::vector<int64_t>*> rows;
  rows.reserve(sources.size());
  for (const auto& source : sources) rows.push_back(&source);
  SourceBatch batch;
  auto ids = pad_rows(rows, -1, Vocabulary::kEos, &batch.lengths);
  batch.ids = ids.to(device);
  batch.mask = batch.ids.ne(Vocabulary::kPad);
  return batch;
}

Batch make_batch(const std::vector<EncodedPair>& examples, const std::vector<size_t>& indices,
                 const torch::Device& device) {
  std::vector<const std::vector<int64_t>*> sources, targets;
  for (size_t index : indices) {
    sources.push_back(&examples[index].source);
    targets.push_back(&examples[index].target);
  }
  Batch batch;
  batch.indices = indices;
  batch.source.ids = pad_rows(sources, -1, Vocabulary::kEos, &batch.source.lengths).to(device);
  batch.source.mask = batch.source.ids.ne(Vocabulary::kPad);
  // <s> y1 .. yn </s>, then split into input (drop last) and output (drop first).
  const auto full = pad_rows(targets, Vocabulary::kBos, Vocabulary::kEos, nullptr);
  const int64_t width = full.size(1);
  batch.target_input = full.narrow(1, 0, width - 1).clone().to(device);
  batch.target_output = full.narrow(1, 1, width - 1).clone().to(device);
  // The input row of a full-length sentence ends with its last word, not </s>; padding
  // positions of target_input hold </s> or pad, which only feed masked positions.
  batch.target_input.masked_fill_(batch.target_input.eq(Vocabulary::kEos), Vocabulary::kPad);
  batch.target_mask = batch.target_output.ne(Vocabulary::kPad);
  batch.target_tokens = batch.target_mask.sum().item<int64_t>();
  return batch;
}

}  // namespace heed
