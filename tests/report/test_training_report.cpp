// Training report: chart ticks and shapes, train_log.csv parsing, a self-contained page.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include "report/line_chart.h"
#include "report/training_report.h"
#include "support/temp_dir.h"
#include "util/error.h"

namespace heed {
namespace {

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

TEST(NiceTicks, CoverTheRangeWithRoundSteps) {
  EXPECT_EQ(nice_ticks(0.0, 10.0, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(1.3, 4.1, 6), (std::vector<double>{1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5}));
  const auto flat = nice_ticks(3.0, 3.0, 5);  // one value: a range around it
  EXPECT_LE(flat.front(), 3.0);
  EXPECT_GE(flat.back(), 3.0);
  EXPECT_GT(flat.size(), 1u);
}

TEST(LineChart, OnePolylinePerSeriesAndOneHoverablePointPerValue) {
  LineChart chart{"Loss", "step", "loss",
                  {{"train", "#111", {{1, 3.0}, {2, 2.0}, {3, 1.5}}}, {"valid <set>", "#222", {{1, 3.5}, {3, 2.5}}}}};
  const auto svg = line_chart_svg(chart);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_EQ(count(svg, "<polyline"), 2u);
  EXPECT_EQ(count(svg, "<circle"), 5u);
  EXPECT_NE(svg.find("<title>train at step 2: 2</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("valid &lt;set&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("valid <set>"), std::string::npos);
  const auto empty = line_chart_svg({"BLEU", "step", "BLEU", {{"bleu", "#000", {}}}});
  EXPECT_NE(empty.find("no data yet"), std::string::npos);
}

TEST(TrainingLog, ParsesRowsAndNamesTheBadLine) {
  testing::TempDir dir("heed_report_log");
  const std::string header = "step,epoch,train_loss,valid_loss,valid_exact,valid_bleu,tokens_per_s,elapsed_s\n";
  testing::write_text(dir / "log.csv", header + "10,1,3.5,3.25,0.50,12.40,2500.5,60.0\n20,1,3,2.75,1,15,2600,120\n");
  const auto rows = read_training_log(dir / "log.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].step, 10);
  EXPECT_DOUBLE_EQ(rows[0].valid_loss, 3.25);
  EXPECT_DOUBLE_EQ(rows[1].valid_bleu, 15.0);
  testing::write_text(dir / "bad.csv", header + "10,1,3.5,3.25,0.50,12.40,2500.5,60.0\n20,1,x,2,1,15,2600,120\n");
  try {
    read_training_log(dir / "bad.csv");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv:3:"), std::string::npos) << e.what();
  }
  testing::write_text(dir / "short.csv", header + "10,1,3.5\n");
  EXPECT_THROW(read_training_log(dir / "short.csv"), Error);
}

TEST(TrainingReport, PageIsSelfContainedWithFourChartsAndTheConfiguration) {
  TrainingReport report;
  report.directory = "runs/x";
  report.config = {{"model", "transformer"}, {"hyperparameters", {{"heads", 4}}}, {"training", {{"lr", 0.001}}}};
  report.progress = {{"step", 20}, {"epoch", 1}, {"best_score", 15.0}};
  report.log = {{10, 1, 3.5, 3.25, 0.5, 12.4, 2500, 60}, {20, 1, 3.0, 2.75, 1.0, 15.0, 2600, 120}};
  std::ostringstream out;
  write_training_report_html(out, report);
  const std::string html = out.str();
  EXPECT_EQ(count(html, "<svg "), 4u);
  EXPECT_NE(html.find("hyperparameters.heads"), std::string::npos);
  EXPECT_NE(html.find("best validation BLEU</th><td>15.00 at step 20"), std::string::npos);
  // Nothing fetched: the only URL is the SVG namespace.
  const std::regex url("https?://[^\"]*");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), url); it != std::sregex_iterator(); ++it) {
    EXPECT_EQ(it->str(), "http://www.w3.org/2000/svg");
  }
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
}

TEST(TrainingReport, ADirectoryWithoutConfigIsNotAModelDirectory) {
  testing::TempDir dir("heed_report_empty");
  EXPECT_THROW(read_training_report(dir / "nothing"), Error);
}

}  // namespace
}  // namespace heed
