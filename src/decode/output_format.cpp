#include "decode/output_format.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>


#include "text/vocabulary.h"
#include "util/error.h"

namespace heed {

const EnumNames<OutputFormat> kOutputFormatNames = {
    {"text", OutputFormat::Text}, {"nbest", OutputFormat::Nbest}, {"jsonl", OutputFormat::Jsonl}};
const EnumNames<AlignmentKind> kAlignmentKindNames = {
    {"none", AlignmentKind::None}, {"hard", AlignmentKind::Hard}, {"soft", AlignmentKind::Soft}};

namespace {

bool ends_with_eos(const Translation& translation) {
  return !translation.hypothesis.tokens.empty() && translation.hypothesis.tokens.back() == Vocabulary::kEos;
}

std::string alignment_text(const Translation& translation, const OutputOptions& options) {
  if (translation.hypothesis.tokens.empty()) return "";  // an empty input
  const auto weights = alignment_matrix(translation.hypothesis, options.alignment_head);
  return options.alignment == AlignmentKind::Hard
             ? pharaoh_alignment(hard_alignment(weights, ends_with_eos(translation)))
             : soft_alignment(weights);
}

nlohmann::json alignment_json(const Translation& translation, const OutputOptions& options) {
  auto json = nlohmann::json::array();
  if (translation.hypothesis.tokens.empty()) return json;
  const auto weights = alignment_matrix(translation.hypothesis, options.alignment_head);
  if (options.alignment == AlignmentKind::Hard) {
    for (const auto& link : hard_alignment(weights, ends_with_eos(translation))) {
      json.push_back({link.source, link.target});
    }
    return json;
  }
  const auto w = weights.accessor<float, 2>();
  for (int64_t t = 0; t < weights.size(0); ++t) {
    std::vector<double> row;
    for (int64_t s = 0; s < weights.size(1); ++s) row.push_back(w[t][s]);
    json.push_back(row);
  }
  return json;
}

// Scores as text: %.6f, the precision Marian and Moses n-best lists use.
std::string score_text(double score) {
  return fmt::format("{:.6f}", score);
}

nlohmann::json hypothesis_json(const Translation& translation, const OutputOptions& options) {
  const Hypothesis& h = translation.hypothesis;
  nlohmann::json json;
  json["hypothesis"] = translation.text;
  json["score"] = h.normalized_score;
  json["log_prob"] = h.score;
  json["tokens"] = translation.target_tokens;
  json["token_log_probs"] = h.token_log_probs;
  if (options.alignment != AlignmentKind::None) json["alignment"] = alignment_json(translation, options);
  return json;
}

}  // namespace

void write_translations(std::ostream& out, size_t id, const std::string& source,
                        const std::vector<Translation>& nbest, const OutputOptions& options) {
  const bool aligned = options.alignment != AlignmentKind::None;
  switch (options.format) {
    case OutputFormat::Text: {
      const Translation& best = nbest.front();
      out << best.text;
      if (aligned) out << " ||| " << alignment_text(best, options);
      out << '\n';
      return;
    }
    case OutputFormat::Nbest:
      for (const auto& translation : nbest) {
        out << id << " ||| " << translation.text << " ||| " << score_text(translation.hypothesis.normalized_score);
        if (aligned) out << " ||| " << alignment_text(translation, options);
        out << '\n';
      }
      return;
    case OutputFormat::Jsonl:
      out << translation_json(id, source, nbest, options).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
          << '\n';
      return;
  }
}

nlohmann::json translation_json(size_t id, const std::string& source, const std::vector<Translation>& nbest,
                                const OutputOptions& options) {
  nlohmann::json json;
  json["id"] = id;
  json["source"] = source;
  json["source_tokens"] = nbest.front().source_tokens;
  json.update(hypothesis_json(nbest.front(), options));
  const Precision precision = nbest.front().precision;
  if (precision != Precision::Float32) json["precision"] = precision_name(precision);
  if (options.all_hypotheses) {
    json["nbest"] = nlohmann::json::array();
    for (const auto& translation : nbest) json["nbest"].push_back(hypothesis_json(translation, options));
  }
  return json;
}

}  // namespace heed
