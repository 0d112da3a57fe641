// The attention of translated sentences as one self-contained HTML page.
//
// Inline CSS and inline SVG heatmaps (heatmap_svg.h) only: no script, no external font,
// stylesheet, image or any other network reference (the one "http://" in the page is
// the SVG namespace name). Per sentence: a heading ("Sentence 0", and "n-best rank 1"
// when ranks are listed), the source and the translation text, then per part (in the
// order enc_self, dec_self, cross) one row per layer (ascending) with one panel per head
// (in the order given). The GRU model gives one cross panel per sentence. Panel rows
// scroll horizontally when they are wider than the window (long sentences).
//
// Each panel is <figure class="panel" data-part="cross" data-layer="0" data-head="3">
// (data-head="avg" for the mean over heads); the attribute order is fixed, so a test or
// a headless browser can count and select panels. Sentences are
// <section class="sentence" data-sentence="0"> (plus data-hypothesis="1" when ranked).
// Sentence, layer, head and rank numbers are 0-based, as in the CSV export.
// With diagnostics (HtmlSentence::stats), each panel has a <figcaption class="stats">:
// mean and maximum row entropy, the mass on </s>, the unattended share at the threshold,
// and the coverage of every key (attention_stats.h).
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "attention/attention_matrix.h"

namespace heed {

struct HtmlSentence {
  size_t sentence = 0;                // 0-based input line
  std::optional<size_t> hypothesis;   // n-best rank when the output lists ranks
  std::string source_text;            // the input line (or the reference pair's source)
  std::string translation_text;       // Translation::text
  std::vector<AttentionMatrix> matrices;
  StatsExport stats;                  // with a threshold: diagnostics under each panel
};

// Writes the whole page. `model_name` is shown in the page title and heading.
void write_attention_html(std::ostream& out, const std::string& model_name,
                          const std::vector<HtmlSentence>& sentences);

}  // namespace heed
