// One attention matrix of one translation, with its labels: what every attention
// inspection tool (CSV export, statistics, word aggregation, SVG and HTML heatmaps)
// works on. Plain data; it knows nothing of the translator that produced it.
#pragma once

#include <torch/types.h>

#include "core/precision.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/attention_maps.h"

namespace heed {

// One matrix of one sentence, with its labels.
struct AttentionMatrix {
  AttentionPart part;
  int64_t layer = 0;
  int64_t head = 0;                       // -1 for the average over heads
  std::vector<std::string> query_tokens;  // rows
  std::vector<std::string> key_tokens;    // columns
  torch::Tensor weights;                  // (queries, keys) float, CPU
  // The precision of the model's products when it computed these weights (the weights
  // themselves are float32 in every precision); exports say so when it is not fp32.
  Precision precision = Precision::Float32;
};

// Which translation matrices belong to: the input line, and the n-best rank when the
// output lists ranks.
struct MatrixOwner {
  size_t sentence = 0;
  std::optional<size_t> hypothesis;
};

// Diagnostics (attention_stats.h) added to the export when `threshold` is set: in the long
// format as four more columns, query_entropy (of the row), key_coverage (of the column),
// eos_mass and unattended_share (of the matrix); in the matrix format as a second file
// per matrix, <stem>_stats.csv with rows kind,index,token,value.
struct StatsExport {
  std::optional<double> threshold;  // unattended_share threshold; none: no diagnostics
};

// DIR/s<sentence>[_n<rank>]_<part>_l<layer>_h<head> (head "avg" for the mean over heads):
// the file name of one matrix, without extension (CSV here, SVG in heatmap_svg.h).
std::string matrix_file_stem(const std::string& dir, const MatrixOwner& owner, const AttentionMatrix& matrix);

}  // namespace heed
