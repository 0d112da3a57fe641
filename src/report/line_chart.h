// A small SVG line chart (no plotting library): one or more series over a shared x axis,
// "nice" axis ticks, a legend, and the exact value of every point on hover (<title>).
#pragma once

#include <string>
#include <vector>

namespace heed {

struct ChartPoint {
  double x = 0.0;
  double y = 0.0;
};

struct ChartSeries {
  std::string name;
  std::string colour;  // CSS colour, e.g. "#1f77b4"
  std::vector<ChartPoint> points;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<ChartSeries> series;
  int width = 640;
  int height = 300;
};

// Tick values covering [low, high] at a 1/2/5 x 10^n step, about `count` of them.
std::vector<double> nice_ticks(double low, double high, int count);

// A standalone <svg> element (with xmlns). Series without points are left out; a chart
// with no points at all says so in place of the plot.
std::string line_chart_svg(const LineChart& chart);

}  // namespace heed
