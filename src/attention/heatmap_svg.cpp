// SVG heatmaps of attention matrices: layout, colour scale, escaping (heatmap_svg.h).
#include "attention/heatmap_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "models/attention_maps.h"
#include "util/atomic_file.h"
#include "util/utf8.h"
#include "util/xml.h"

namespace heed {

namespace {

// ---- Numbers -----------------------------------------------------------------------

// Coordinates with at most one decimal ("12", "12.5").
std::string num(double value) {
  std::string text = fmt::format("{:.1f}", value);
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  if (text == "-0") text = "0";
  return text;
}

// The weight as the hover text shows it.
std::string hover_weight(float weight) {
  return fmt::format("{:.4f}", weight);
}

// ---- Text ------------------------------------------------------------------------------

constexpr const char* kEllipsis = "…";

// Display width in monospace columns: 2 for East Asian wide/fullwidth and emoji, 0 for
// combining marks, else 1 (close enough to place labels).
double columns_of(char32_t value) {
  if (value >= 0x300 && value <= 0x36F) return 0;
  const bool wide = (value >= 0x1100 && value <= 0x115F) || (value >= 0x2E80 && value <= 0xA4CF) ||
                    (value >= 0xAC00 && value <= 0xD7A3) || (value >= 0xF900 && value <= 0xFAFF) ||
                    (value >= 0xFE30 && value <= 0xFE4F) || (value >= 0xFF00 && value <= 0xFF60) ||
                    (value >= 0xFFE0 && value <= 0xFFE6) || (value >= 0x1F300 && value <= 0x1FAFF) ||
                    (value >= 0x20000 && value <= 0x3FFFD);
  return wide ? 2 : 1;
}

double columns_of(std::string_view text) {
  double columns = 0;
  for (size_t at = 0; at < text.size();) {
    const utf8::CodePoint point = utf8::next_code_point(text, at);
    columns += columns_of(point.value);
    at += point.bytes;
  }
  return columns;
}

// A token label as drawn: cut to at most `max_columns` columns (the last one "…").
struct Label {
  std::string text;   // unescaped
  double columns = 0;
  bool cut = false;
};

Label make_label(const std::string& token, size_t max_columns) {
  const double total = columns_of(token);
  if (total <= static_cast<double>(max_columns) || max_columns < 2) return {token, total, false};
  Label label;
  label.cut = true;
  for (size_t at = 0; at < token.size();) {
    const utf8::CodePoint point = utf8::next_code_point(token, at);
    const double width = columns_of(point.value);
    if (label.columns + width > static_cast<double>(max_columns - 1)) break;
    label.text.append(token, at, point.bytes);
    label.columns += width;
    at += point.bytes;
  }
  label.text += kEllipsis;
  label.columns += 1;
  return label;
}

// <s>, </s>, <unk>, <pad>: drawn grey so they stand apart from the text's tokens.
bool is_special_token(const std::string& token) {
  return token.size() >= 3 && token.front() == '<' && token.back() == '>';
}

// ---- Colour ----------------------------------------------------------------------------

using Rgb = std::array<int, 3>;       // sRGB, 0..255
using Lab = std::array<double, 3>;    // OKLab L, a, b

// White, then ColorBrewer's Blues (#c6dbef, #6baed6, #2171b5, #08306b): weight 0 is the
// first stop, weight 1 the last.
constexpr std::array<Rgb, 5> kStops{{{0xff, 0xff, 0xff},
                                     {0xc6, 0xdb, 0xef},
                                     {0x6b, 0xae, 0xd6},
                                     {0x21, 0x71, 0xb5},
                                     {0x08, 0x30, 0x6b}}};

std::string hex(const Rgb& rgb) {
  return fmt::format("#{:02x}{:02x}{:02x}", rgb[0], rgb[1], rgb[2]);
}

double srgb_to_linear(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }
double linear_to_srgb(double c) { return c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055; }

// Björn Ottosson's OKLab (2020), from linear sRGB.
Lab to_oklab(const Rgb& rgb) {
  const double r = srgb_to_linear(rgb[0] / 255.0), g = srgb_to_linear(rgb[1] / 255.0),
               b = srgb_to_linear(rgb[2] / 255.0);
  const double l = std::cbrt(0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b);
  const double m = std::cbrt(0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b);
  const double s = std::cbrt(0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b);
  return {0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
          1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
          0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s};
}

Rgb from_oklab(const Lab& lab) {
  const double l_ = lab[0] + 0.3963377774 * lab[1] + 0.2158037573 * lab[2];
  const double m_ = lab[0] - 0.1055613458 * lab[1] - 0.0638541728 * lab[2];
  const double s_ = lab[0] - 0.0894841775 * lab[1] - 1.2914855480 * lab[2];
  const double l = l_ * l_ * l_, m = m_ * m_ * m_, s = s_ * s_ * s_;
  const std::array<double, 3> linear{4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
                                     -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
                                     -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s};
  Rgb rgb{};
  for (size_t i = 0; i < 3; ++i) {
    const double value = linear_to_srgb(std::clamp(linear[i], 0.0, 1.0)) * 255.0;
    rgb[i] = std::clamp(static_cast<int>(std::lround(value)), 0, 255);
  }
  return rgb;
}

// The stops in OKLab, each placed at the weight where the scale's lightness (falling
// linearly from the first stop's to the last's) equals its own.
struct ColourScale {
  std::array<Lab, kStops.size()> lab{};
  std::array<double, kStops.size()> at{};
};

const ColourScale& colour_scale() {
  static const ColourScale scale = [] {
    ColourScale built;
    for (size_t i = 0; i < kStops.size(); ++i) built.lab[i] = to_oklab(kStops[i]);
    const double first = built.lab.front()[0], last = built.lab.back()[0];
    for (size_t i = 0; i < kStops.size(); ++i) built.at[i] = (first - built.lab[i][0]) / (first - last);
    built.at.front() = 0.0;
    built.at.back() = 1.0;
    return built;
  }();
  return scale;
}

// ---- Layout ----------------------------------------------------------------------------

constexpr double kPad = 8;              // around everything
constexpr double kCharWidth = 0.6;      // monospace advance, in em
constexpr double kSin60 = 0.8660254037844386;
constexpr double kCos60 = 0.5;
constexpr int kLegendSteps = 48;
constexpr const char* kFontFamily = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace";

double automatic_cell(size_t tokens) {
  if (tokens <= 20) return 22;
  if (tokens >= 60) return 14;
  return std::round(22.0 - (static_cast<double>(tokens) - 20.0) * 0.2);
}

double automatic_font(double cell) { return cell >= 20 ? 12 : cell >= 17 ? 11 : 10; }

}  // namespace

std::string heatmap_colour(double weight) {
  const double t = std::isnan(weight) ? 0.0 : std::clamp(weight, 0.0, 1.0);
  if (t <= 0.0) return hex(kStops.front());
  if (t >= 1.0) return hex(kStops.back());
  const ColourScale& scale = colour_scale();
  size_t segment = 0;
  while (segment + 2 < kStops.size() && t > scale.at[segment + 1]) ++segment;
  const double u = (t - scale.at[segment]) / (scale.at[segment + 1] - scale.at[segment]);
  const Lab& from = scale.lab[segment];
  const Lab& to = scale.lab[segment + 1];
  Lab mixed{};
  for (size_t i = 0; i < 3; ++i) mixed[i] = from[i] + u * (to[i] - from[i]);
  return hex(from_oklab(mixed));
}

std::string part_title(AttentionPart part) {
  switch (part) {
    case AttentionPart::EncoderSelf: return "encoder self-attention";
    case AttentionPart::DecoderSelf: return "decoder self-attention";
    case AttentionPart::Cross: return "cross-attention";
  }
  return attention_part_name(part);
}

std::string part_axes(AttentionPart part) {
  switch (part) {
    case AttentionPart::EncoderSelf: return "rows: source tokens · columns: source tokens";
    case AttentionPart::DecoderSelf: return "rows: target tokens · columns: decoder inputs (<s> y1 …)";
    case AttentionPart::Cross: return "rows: target tokens · columns: source tokens";
  }
  return "rows: queries · columns: keys";
}

std::string panel_title(const AttentionMatrix& matrix) {
  const std::string head = matrix.head < 0 ? "mean of heads" : "head " + std::to_string(matrix.head);
  const std::string precision =
      matrix.precision != Precision::Float32 ? " · " + precision_name(matrix.precision) + " model" : "";
  return "layer " + std::to_string(matrix.layer) + " · " + head + " · " + part_title(matrix.part) + precision;
}

std::string heatmap_svg(const AttentionMatrix& matrix, const HeatmapStyle& style) {
  const size_t queries = matrix.query_tokens.size();
  const size_t keys = matrix.key_tokens.size();
  if (!matrix.weights.defined() || matrix.weights.dim() != 2 ||
      matrix.weights.size(0) != static_cast<int64_t>(queries) ||
      matrix.weights.size(1) != static_cast<int64_t>(keys)) {
    throw std::invalid_argument("heatmap_svg: weights must be (" + std::to_string(queries) + ", " +
                                std::to_string(keys) + ") for the matrix's query and key tokens");
  }
  const torch::Tensor cpu_weights = matrix.weights.to(torch::kCPU).to(torch::kFloat32).contiguous();
  const auto weights = cpu_weights.accessor<float, 2>();

  // Sizes: cells, fonts, label widths.
  const double cell = style.cell > 0 ? style.cell : automatic_cell(std::max(queries, keys));
  const double font = style.font_size > 0 ? style.font_size : automatic_font(cell);
  const double title_font = font + 1;
  const double char_width = kCharWidth * font;
  std::vector<Label> query_labels, key_labels;
  double query_label_width = 0, key_label_width = 0;
  for (const auto& token : matrix.query_tokens) {
    query_labels.push_back(make_label(token, style.max_label_chars));
    query_label_width = std::max(query_label_width, query_labels.back().columns * char_width);
  }
  for (const auto& token : matrix.key_tokens) {
    key_labels.push_back(make_label(token, style.max_label_chars));
    key_label_width = std::max(key_label_width, key_labels.back().columns * char_width);
  }
  const bool rotate_keys = key_label_width > cell - 2;

  // Vertical layout: title, subtitle, key labels, grid, legend.
  const std::string title = panel_title(matrix);
  const std::string axes = part_axes(matrix.part);
  const double title_baseline = kPad + title_font;
  const double axes_baseline = title_baseline + font + 5;
  const double key_area = rotate_keys ? key_label_width * kSin60 + font * 0.6 : font + 2;
  const double grid_top = std::ceil(axes_baseline + 6 + key_area + 4);
  const double grid_left = std::ceil(kPad + query_label_width + 6);
  const double grid_width = static_cast<double>(keys) * cell;
  const double grid_height = static_cast<double>(queries) * cell;
  const double legend_top = grid_top + grid_height + 12;
  const double legend_width = std::clamp(grid_width, 120.0, 200.0);
  const double legend_height = 10;
  const double tick_baseline = legend_top + legend_height + 4 + font;

  // Horizontal extent: the grid, the labels that lean right, the legend and the titles.
  double right = grid_left + grid_width;
  if (rotate_keys) {
    for (size_t k = 0; k < keys; ++k) {
      const double x = grid_left + (static_cast<double>(k) + 0.5) * cell;
      right = std::max(right, x + key_labels[k].columns * char_width * kCos60 + font * 0.5);
    }
  }
  right = std::max(right, grid_left + legend_width + 8 + 6 * char_width);  // "weight"
  right = std::max(right, kPad + columns_of(title) * kCharWidth * title_font);
  right = std::max(right, kPad + columns_of(axes) * char_width);
  const double width = std::ceil(right + kPad);
  const double height = std::ceil(tick_baseline + kPad);

  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(width) << "\" height=\"" << num(height)
      << "\" viewBox=\"0 0 " << num(width) << " " << num(height) << "\" font-family=\"" << kFontFamily
      << "\" role=\"img\" aria-label=\"" << xml_escape(title) << "\">\n";
  svg << "<desc>Attention weights: one row per query token, one column per key token; each row sums "
         "to 1. Layer and head numbers are 0-based, as in heed's CSV export. Colour: 0 white to 1 "
         "dark blue.</desc>\n";
  svg << "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n";
  svg << "<text x=\"" << num(kPad) << "\" y=\"" << num(title_baseline) << "\" font-size=\"" << num(title_font)
      << "\" font-weight=\"bold\" fill=\"#1a1a1a\">" << xml_escape(title) << "</text>\n";
  svg << "<text x=\"" << num(kPad) << "\" y=\"" << num(axes_baseline) << "\" font-size=\"" << num(font)
      << "\" fill=\"#555555\">" << xml_escape(axes) << "</text>\n";

  // A label's text, the full token on hover when it was cut.
  auto label_content = [](const Label& label, const std::string& token) {
    std::string content = xml_escape(label.text);
    if (label.cut) content += "<title>" + xml_escape(token) + "</title>";
    return content;
  };
  auto label_colour = [](const std::string& token) {
    return is_special_token(token) ? "#6b6b6b" : "#1a1a1a";
  };

  // Key tokens along the top.
  svg << "<g class=\"keys\" font-size=\"" << num(font) << "\">\n";
  for (size_t k = 0; k < keys; ++k) {
    const double x = grid_left + (static_cast<double>(k) + 0.5) * cell;
    const double y = grid_top - 4;
    const std::string& token = matrix.key_tokens[k];
    if (rotate_keys) {
      svg << "<text transform=\"translate(" << num(x) << "," << num(y) << ") rotate(-60)\" dy=\"0.35em\" fill=\""
          << label_colour(token) << "\">";
    } else {
      svg << "<text x=\"" << num(x) << "\" y=\"" << num(y) << "\" text-anchor=\"middle\" fill=\""
          << label_colour(token) << "\">";
    }
    svg << label_content(key_labels[k], token) << "</text>\n";
  }
  svg << "</g>\n";

  // Query tokens down the left.
  svg << "<g class=\"queries\" font-size=\"" << num(font) << "\" text-anchor=\"end\">\n";
  for (size_t q = 0; q < queries; ++q) {
    const std::string& token = matrix.query_tokens[q];
    svg << "<text x=\"" << num(grid_left - 4) << "\" y=\"" << num(grid_top + (static_cast<double>(q) + 0.5) * cell)
        << "\" dy=\"0.35em\" fill=\"" << label_colour(token) << "\">" << label_content(query_labels[q], token)
        << "</text>\n";
  }
  svg << "</g>\n";

  // The cells, each with its exact weight on hover.
  svg << "<g class=\"cells\" shape-rendering=\"crispEdges\">\n";
  const std::string size = num(cell);
  for (size_t q = 0; q < queries; ++q) {
    const std::string y = num(grid_top + static_cast<double>(q) * cell);
    const std::string query = "“" + xml_escape(matrix.query_tokens[q]) + "” → “";
    for (size_t k = 0; k < keys; ++k) {
      const float weight = weights[static_cast<int64_t>(q)][static_cast<int64_t>(k)];
      svg << "<rect class=\"cell\" x=\"" << num(grid_left + static_cast<double>(k) * cell) << "\" y=\"" << y
          << "\" width=\"" << size << "\" height=\"" << size << "\" fill=\"" << heatmap_colour(weight)
          << "\"><title>" << query << xml_escape(matrix.key_tokens[k]) << "”: " << hover_weight(weight)
          << "</title></rect>\n";
    }
  }
  svg << "</g>\n";
  if (queries > 0 && keys > 0) {
    svg << "<rect x=\"" << num(grid_left) << "\" y=\"" << num(grid_top) << "\" width=\"" << num(grid_width)
        << "\" height=\"" << num(grid_height) << "\" fill=\"none\" stroke=\"#9a9a9a\" stroke-width=\"0.5\"/>\n";
  }

  // The legend: the scale from 0 to 1 in steps, ticks at 0, 0.5 and 1.
  svg << "<g class=\"legend\" font-size=\"" << num(font) << "\" fill=\"#1a1a1a\">\n";
  svg << "<g shape-rendering=\"crispEdges\">\n";
  const double step = legend_width / kLegendSteps;
  for (int i = 0; i < kLegendSteps; ++i) {
    svg << "<rect class=\"legend-step\" x=\"" << num(grid_left + i * step) << "\" y=\"" << num(legend_top)
        << "\" width=\"" << num(i + 1 < kLegendSteps ? step + 0.5 : step)  // overlap: no seams
        << "\" height=\"" << num(legend_height) << "\" fill=\""
        << heatmap_colour(static_cast<double>(i) / (kLegendSteps - 1)) << "\"/>\n";
  }
  svg << "<rect x=\"" << num(grid_left) << "\" y=\"" << num(legend_top) << "\" width=\"" << num(legend_width)
      << "\" height=\"" << num(legend_height) << "\" fill=\"none\" stroke=\"#9a9a9a\" stroke-width=\"0.5\"/>\n";
  svg << "</g>\n";
  struct Tick {
    double fraction;
    const char* text;
  };
  constexpr Tick kTicks[] = {{0.0, "0"}, {0.5, "0.5"}, {1.0, "1"}};
  for (const Tick& tick : kTicks) {
    const double x = grid_left + tick.fraction * legend_width;
    svg << "<line x1=\"" << num(x) << "\" y1=\"" << num(legend_top + legend_height) << "\" x2=\"" << num(x)
        << "\" y2=\"" << num(legend_top + legend_height + 3) << "\" stroke=\"#555555\" stroke-width=\"1\"/>\n";
    svg << "<text x=\"" << num(x) << "\" y=\"" << num(tick_baseline) << "\" text-anchor=\"middle\">" << tick.text
        << "</text>\n";
  }
  svg << "<text x=\"" << num(grid_left + legend_width + 8) << "\" y=\"" << num(legend_top + legend_height / 2)
      << "\" dy=\"0.35em\" fill=\"#555555\">weight</text>\n";
  svg << "</g>\n";
  svg << "</svg>";
  return svg.str();
}

void write_svg_files(const std::string& dir, const MatrixOwner& owner,
                     const std::vector<AttentionMatrix>& matrices) {
  for (const auto& matrix : matrices) {
    const std::string path = matrix_file_stem(dir, owner, matrix) + ".svg";
    const std::string svg = heatmap_svg(matrix);
    write_atomically(path, [&](std::ostream& out) {
      out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" << svg << "\n";
    });
  }
}

}  // namespace heed
