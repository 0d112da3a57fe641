// The self-contained attention page (attention_html.h).
#include "attention/attention_html.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "attention/attention_stats.h"
#include "attention/heatmap_svg.h"
#include "util/xml.h"
#include "models/attention_maps.h"

namespace heed {

namespace {

// Everything the page needs to look right; system fonts only.
constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
body { margin: 0; padding: 1rem 1.5rem 3rem; color: #1a1a1a; background: #ffffff;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.4rem; margin: .2rem 0 .4rem; }
h2 { font-size: 1.15rem; margin: 0 0 .4rem; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; }
h3 .axes { font-weight: normal; color: #555555; font-size: .9rem; margin-left: .5rem; }
.explain { max-width: 62rem; color: #333333; margin: .3rem 0; }
.count { color: #555555; margin: .3rem 0; }
.sentence { border-top: 1px solid #cccccc; margin-top: 1.5rem; padding-top: .8rem; }
.texts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .15rem 1rem; margin: 0 0 .5rem;
         max-width: 75rem; }
.texts dt { font-weight: 600; color: #555555; }
.texts dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere;
            font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
.empty { color: #777777; font-style: italic; }
.layer { display: grid; grid-template-columns: 4.5rem minmax(0, 1fr); gap: .5rem; align-items: start;
         margin: .4rem 0; }
.layer-label { font-weight: 600; color: #444444; padding-top: .4rem; }
.heads { display: grid; grid-auto-flow: column; grid-auto-columns: max-content; gap: 10px;
         overflow-x: auto; padding-bottom: 6px; }
.panel { margin: 0; border: 1px solid #e0e0e0; border-radius: 4px; background: #ffffff; }
.panel svg { display: block; }
.panel .stats { font-size: 12px; color: #444444; padding: 4px 8px; box-sizing: border-box; width: 0; min-width: 100%; }
.panel .stats .coverage { white-space: nowrap; }
rect.cell:hover { stroke: #d94801; stroke-width: 2; }
)css";

std::string head_attribute(const AttentionMatrix& matrix) {
  return matrix.head < 0 ? "avg" : std::to_string(matrix.head);
}

std::string two_decimals(double value) {
  return fmt::format("{:.2f}", value);
}

void write_stats_caption(std::ostream& out, const AttentionMatrix& matrix, double threshold) {
  const AttentionStats stats = attention_stats(matrix, threshold);
  double mean = 0, largest = 0;
  for (double h : stats.row_entropy) mean += h, largest = std::max(largest, h);
  if (!stats.row_entropy.empty()) mean /= static_cast<double>(stats.row_entropy.size());
  out << "<figcaption class=\"stats\">row entropy mean " << two_decimals(mean) << " max " << two_decimals(largest)
      << " nats · mass on &lt;/s&gt; " << two_decimals(stats.eos_mass) << " · unattended " << two_decimals(stats.unattended_share)
      << " (max weight &lt; " << two_decimals(threshold) << ")<br>coverage:";
  for (size_t k = 0; k < stats.coverage.size(); ++k) {
    out << " <span class=\"coverage\">" << xml_escape(matrix.key_tokens.at(k)) << "&#160;" << two_decimals(stats.coverage[k])
        << "</span>";
  }
  out << "</figcaption>\n";
}

// One part of one sentence: a row per layer (ascending), a panel per head (as given).
void write_part(std::ostream& out, AttentionPart part, const std::vector<const AttentionMatrix*>& matrices,
                const StatsExport& stats) {
  std::map<int64_t, std::vector<const AttentionMatrix*>> by_layer;
  for (const AttentionMatrix* matrix : matrices) by_layer[matrix->layer].push_back(matrix);

  out << "<section class=\"part part-" << attention_part_name(part) << "\">\n";
  out << "<h3>" << xml_escape(part_title(part)) << "<span class=\"axes\">" << xml_escape(part_axes(part))
      << "</span></h3>\n";
  for (const auto& [layer, heads] : by_layer) {
    out << "<div class=\"layer\">\n<div class=\"layer-label\">layer " << layer << "</div>\n<div class=\"heads\">\n";
    for (const AttentionMatrix* matrix : heads) {
      out << "<figure class=\"panel\" data-part=\"" << attention_part_name(matrix->part) << "\" data-layer=\""
          << matrix->layer << "\" data-head=\"" << head_attribute(*matrix) << "\">\n"
          << heatmap_svg(*matrix) << "\n";
      if (stats.threshold) write_stats_caption(out, *matrix, *stats.threshold);
      out << "</figure>\n";
    }
    out << "</div>\n</div>\n";
  }
  out << "</section>\n";
}

void write_sentence(std::ostream& out, const HtmlSentence& sentence) {
  const std::string id = "s" + std::to_string(sentence.sentence) +
                         (sentence.hypothesis ? "-n" + std::to_string(*sentence.hypothesis) : "");
  out << "<section class=\"sentence\" id=\"" << id << "\" data-sentence=\"" << sentence.sentence << "\"";
  if (sentence.hypothesis) out << " data-hypothesis=\"" << *sentence.hypothesis << "\"";
  out << ">\n<h2>Sentence " << sentence.sentence;
  if (sentence.hypothesis) out << " · n-best rank " << *sentence.hypothesis;
  out << "</h2>\n";
  out << "<dl class=\"texts\">\n<dt>source</dt><dd>" << xml_escape(sentence.source_text) << "</dd>\n"
      << "<dt>translation</dt><dd>" << xml_escape(sentence.translation_text) << "</dd>\n</dl>\n";

  if (sentence.matrices.empty()) {
    out << "<p class=\"empty\">No attention to show (empty input, or everything filtered out).</p>\n";
  }
  std::map<AttentionPart, std::vector<const AttentionMatrix*>> by_part;  // enc_self, dec_self, cross
  for (const auto& matrix : sentence.matrices) by_part[matrix.part].push_back(&matrix);
  for (const auto& [part, matrices] : by_part) write_part(out, part, matrices, sentence.stats);
  out << "</section>\n";
}

}  // namespace

void write_attention_html(std::ostream& out, const std::string& model_name,
                          const std::vector<HtmlSentence>& sentences) {
  size_t panels = 0;
  for (const auto& sentence : sentences) panels += sentence.matrices.size();
  const std::string name = xml_escape(model_name);

  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Attention · " << name << "</title>\n"
      << "<style>" << kStyle << "</style>\n</head>\n<body>\n";
  out << "<header>\n<h1>Attention · " << name << "</h1>\n"
      << "<p class=\"explain\">Each heatmap is one attention matrix: a row per query (the token that "
         "attends: target tokens for cross-attention and decoder self-attention, source tokens for "
         "encoder self-attention), a column per key (the token attended to); each row sums to 1. "
         "One colour scale for every panel, 0 white to 1 dark blue. Hover over a cell for its exact "
         "weight and token pair. Sentences, layers, heads and n-best ranks are numbered from 0, as in "
         "the CSV export.</p>\n"
      << "<p class=\"count\">" << sentences.size() << (sentences.size() == 1 ? " translation, " : " translations, ")
      << panels << (panels == 1 ? " heatmap." : " heatmaps.") << "</p>\n</header>\n<main>\n";
  for (const auto& sentence : sentences) write_sentence(out, sentence);
  out << "</main>\n</body>\n</html>\n";
}

}  // namespace heed
