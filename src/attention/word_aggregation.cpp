#include "attention/word_aggregation.h"

namespace heed {

namespace {
const std::string kSpaceMarker = "\u2581";

bool is_special(const std::string& token) { return token == "<s>" || token == "</s>"; }

std::string without_markers(const std::string& token) {
  std::string text;
  for (size_t i = 0; i < token.size();) {
    if (token.compare(i, kSpaceMarker.size(), kSpaceMarker) == 0) {
      i += kSpaceMarker.size();
    } else {
      text += token[i++];
    }
  }
  return text;
}

// (groups, tokens) matrix with `value` at (g, t) for t in group g.
torch::Tensor grouping(const std::vector<WordSpan>& spans, size_t tokens, bool average) {
  auto matrix = torch::zeros({static_cast<int64_t>(spans.size()), static_cast<int64_t>(tokens)});
  for (size_t g = 0; g < spans.size(); ++g) {
    const double value = average ? 1.0 / static_cast<double>(spans[g].end - spans[g].begin) : 1.0;
    matrix[static_cast<int64_t>(g)].narrow(0, static_cast<int64_t>(spans[g].begin),
                                           static_cast<int64_t>(spans[g].end - spans[g].begin))
        .fill_(value);
  }
  return matrix;
}

std::vector<std::string> labels(const std::vector<WordSpan>& spans) {
  std::vector<std::string> out;
  for (const auto& span : spans) out.push_back(span.label);
  return out;
}
}  // namespace

std::vector<WordSpan> word_spans(const std::vector<std::string>& tokens) {
  std::vector<WordSpan> spans;
  bool previous_special = true;  // nothing to continue at the start
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string& token = tokens[i];
    const bool special = is_special(token);
    const bool starts_word = special || previous_special || token.rfind(kSpaceMarker, 0) == 0;
    if (starts_word) {
      spans.push_back({i, i + 1, special ? token : without_markers(token)});
    } else {
      spans.back().end = i + 1;
      spans.back().label += without_markers(token);
    }
    previous_special = special;
  }
  return spans;
}

namespace {
std::vector<WordSpan> token_spans(const std::vector<std::string>& tokens) {
  std::vector<WordSpan> spans;
  for (size_t i = 0; i < tokens.size(); ++i) spans.push_back({i, i + 1, tokens[i]});
  return spans;
}
}  // namespace

AttentionMatrix aggregate_words(const AttentionMatrix& matrix, const PieceSides& sides) {
  const auto query_spans = sides.queries ? word_spans(matrix.query_tokens) : token_spans(matrix.query_tokens);
  const auto key_spans = sides.keys ? word_spans(matrix.key_tokens) : token_spans(matrix.key_tokens);
  AttentionMatrix words = matrix;
  words.query_tokens = labels(query_spans);
  words.key_tokens = labels(key_spans);
  const auto rows = grouping(query_spans, matrix.query_tokens.size(), /*average=*/true);  // (Q', Q)
  const auto columns = grouping(key_spans, matrix.key_tokens.size(), /*average=*/false);  // (K', K)
  words.weights = rows.matmul(matrix.weights.to(torch::kFloat32)).matmul(columns.t()).contiguous();
  return words;
}

}  // namespace heed
