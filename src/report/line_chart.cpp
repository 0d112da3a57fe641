#include "report/line_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "util/xml.h"

namespace heed {

std::vector<double> nice_ticks(double low, double high, int count) {
  if (!(high > low)) {
    const double pad = low == 0.0 ? 1.0 : std::abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const double raw = (high - low) / std::max(1, count);
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (step >= raw) break;
  }
  std::vector<double> ticks;
  for (double t = std::floor(low / step) * step; t <= high + step * 1e-9; t += step) {
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  if (ticks.front() > low) ticks.insert(ticks.begin(), ticks.front() - step);
  if (ticks.back() < high) ticks.push_back(ticks.back() + step);
  return ticks;
}

namespace {
std::string number(double value) {
  return fmt::format("{:.6g}", value);
}
std::string coordinate(double value) {
  return fmt::format("{:.1f}", value);
}
}  // namespace

std::string line_chart_svg(const LineChart& chart) {
  constexpr double kLeft = 64, kRight = 16, kTop = 34, kBottom = 46;
  const double plot_width = chart.width - kLeft - kRight, plot_height = chart.height - kTop - kBottom;
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min, y_min = x_min, y_max = -x_min;
  for (const auto& series : chart.series) {
    for (const auto& p : series.points) {
      x_min = std::min(x_min, p.x), x_max = std::max(x_max, p.x);
      y_min = std::min(y_min, p.y), y_max = std::max(y_max, p.y);
    }
  }
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << chart.width << "\" height=\""
      << chart.height << "\" viewBox=\"0 0 " << chart.width << " " << chart.height
      << "\" font-family=\"sans-serif\" font-size=\"11\">\n";
  svg << "<text x=\"" << chart.width / 2 << "\" y=\"18\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">"
      << xml_escape(chart.title) << "</text>\n";
  if (!std::isfinite(x_min)) {
    svg << "<text x=\"" << chart.width / 2 << "\" y=\"" << chart.height / 2
        << "\" text-anchor=\"middle\" fill=\"#666\">no data yet</text>\n</svg>\n";
    return svg.str();
  }
  const auto x_ticks = nice_ticks(x_min, x_max, 6), y_ticks = nice_ticks(y_min, y_max, 5);
  const double x_low = x_ticks.front(), x_high = x_ticks.back(), y_low = y_ticks.front(), y_high = y_ticks.back();
  auto px = [&](double x) { return kLeft + (x - x_low) / (x_high - x_low) * plot_width; };
  auto py = [&](double y) { return kTop + plot_height - (y - y_low) / (y_high - y_low) * plot_height; };

  // Grid and ticks.
  for (double y : y_ticks) {
    svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + plot_width << "\" y1=\"" << coordinate(py(y)) << "\" y2=\""
        << coordinate(py(y)) << "\" stroke=\"#e4e4e4\"/>"
        << "<text x=\"" << kLeft - 6 << "\" y=\"" << coordinate(py(y) + 4) << "\" text-anchor=\"end\">" << number(y)
        << "</text>\n";
  }
  for (double x : x_ticks) {
    svg << "<line x1=\"" << coordinate(px(x)) << "\" x2=\"" << coordinate(px(x)) << "\" y1=\"" << kTop << "\" y2=\""
        << kTop + plot_height << "\" stroke=\"#f0f0f0\"/>"
        << "<text x=\"" << coordinate(px(x)) << "\" y=\"" << kTop + plot_height + 16 << "\" text-anchor=\"middle\">"
        << number(x) << "</text>\n";
  }
  svg << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << plot_width << "\" height=\"" << plot_height
      << "\" fill=\"none\" stroke=\"#999\"/>\n";
  svg << "<text x=\"" << kLeft + plot_width / 2 << "\" y=\"" << chart.height - 8 << "\" text-anchor=\"middle\">"
      << xml_escape(chart.x_label) << "</text>\n";
  svg << "<text transform=\"translate(14," << kTop + plot_height / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << xml_escape(chart.y_label) << "</text>\n";

  // Series, then the legend.
  int legend_row = 0;
  for (const auto& series : chart.series) {
    if (series.points.empty()) continue;
    svg << "<g class=\"series\" data-series=\"" << xml_escape(series.name) << "\">\n<polyline fill=\"none\" stroke=\""
        << series.colour << "\" stroke-width=\"2\" points=\"";
    for (const auto& p : series.points) svg << coordinate(px(p.x)) << "," << coordinate(py(p.y)) << " ";
    svg << "\"/>\n";
    for (const auto& p : series.points) {
      svg << "<circle cx=\"" << coordinate(px(p.x)) << "\" cy=\"" << coordinate(py(p.y)) << "\" r=\"3\" fill=\""
          << series.colour << "\"><title>" << xml_escape(series.name) << " at " << xml_escape(chart.x_label) << " "
          << number(p.x) << ": " << number(p.y) << "</title></circle>\n";
    }
    svg << "</g>\n";
    const double ly = kTop + 10 + 15 * legend_row++;
    svg << "<line x1=\"" << kLeft + plot_width - 120 << "\" x2=\"" << kLeft + plot_width - 104 << "\" y1=\""
        << coordinate(ly) << "\" y2=\"" << coordinate(ly) << "\" stroke=\"" << series.colour
        << "\" stroke-width=\"2\"/><text x=\"" << kLeft + plot_width - 100 << "\" y=\"" << coordinate(ly + 4) << "\">"
        << xml_escape(series.name) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace heed
