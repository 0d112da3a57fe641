// One attention matrix as an SVG heatmap, and standalone SVG files per matrix.
//
// Layout: a two-line title (panel_title, then which tokens the rows and columns are),
// key tokens along the top (rotated by -60 degrees when a label is wider than a cell),
// query tokens down the left, one square cell per (query row, key column), and a
// colour legend under the grid (0, 0.5, 1). Every token stays a labelled row/column,
// </s> and <s> included (special tokens are drawn grey). Labels longer than
// HeatmapStyle::max_label_chars are cut with "…"; the full token shows on hover.
//
// Colour: one sequential scale for every panel, weight 0 = white (#ffffff) to weight
// 1 = dark blue (#08306b) through ColorBrewer's Blues, interpolated in OKLab with the
// stops placed so that lightness falls linearly with the weight. Weights outside [0, 1]
// (and NaN, as 0) are clamped for the colour.
//
// Each cell is <rect class="cell" ... fill="#rrggbb"> with a <title> child, which
// browsers show on hover:  <title>“QUERY” → “KEY”: 0.8123</title>  (query = the row
// token that attends, key = the column token attended to, weight printed "%.4f").
// Layers and heads are 0-based, as in the CSV export (the SVG's <desc> says so).
// All token text is XML-escaped; the result is well-formed standalone XML.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "attention/attention_matrix.h"

namespace heed {

struct HeatmapStyle {
  double cell = 0;              // px per cell; 0 = automatic: 22 px up to 20 tokens,
                                // falling linearly to 14 px at 60 tokens and beyond
  double font_size = 0;         // px for token labels; 0 = automatic (12, 11 or 10 by cell)
  size_t max_label_chars = 14;  // longer token labels are cut (the hover text is complete)
};

// The inline <svg> element (no XML declaration). std::invalid_argument when the weights
// are not (query_tokens, key_tokens) in shape.
std::string heatmap_svg(const AttentionMatrix& matrix, const HeatmapStyle& style = {});

// "layer 0 · head 3 · cross-attention"; for the mean over heads (head -1):
// "layer 1 · mean of heads · cross-attention". 0-based, as in the CSV.
std::string panel_title(const AttentionMatrix& matrix);

// "encoder self-attention", "decoder self-attention", "cross-attention".
std::string part_title(AttentionPart part);
// What rows and columns are, e.g. "rows: target tokens · columns: source tokens"
// (plain text, not escaped).
std::string part_axes(AttentionPart part);

// The colour of a weight on the shared scale, "#rrggbb" (lowercase hex).
std::string heatmap_colour(double weight);

// Writes each matrix to DIR/s<sentence>[_n<rank>]_<part>_l<layer>_h<head>.svg (head "avg"
// for the mean over heads; the names of write_matrix_csvs), atomically, each a standalone
// SVG document with an XML declaration. DIR must exist.
void write_svg_files(const std::string& dir, const MatrixOwner& owner,
                     const std::vector<AttentionMatrix>& matrices);

}  // namespace heed
