#include "report/training_report.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

#include "report/line_chart.h"
#include "model_dir/model_directory.h"
#include "util/csv.h"
#include "util/error.h"
#include "util/xml.h"

namespace heed {

namespace {
nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read " + path);
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON (" + e.what() + ")");
  }
}

std::string fixed(double value, int digits) {
  return fmt::format("{:.{}f}", value, digits);
}

// config.json flattened to "a.b = value" rows.
void flatten(const nlohmann::json& json, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& rows) {
  if (json.is_object()) {
    for (const auto& [key, value] : json.items()) flatten(value, prefix.empty() ? key : prefix + "." + key, rows);
    return;
  }
  rows.emplace_back(prefix, json.is_string() ? json.get<std::string>() : json.dump());
}

ChartSeries series(const std::vector<TrainingLogRow>& log, const std::string& name, const std::string& colour,
                   double TrainingLogRow::*field) {
  ChartSeries s{name, colour, {}};
  for (const auto& row : log) s.points.push_back({static_cast<double>(row.step), row.*field});
  return s;
}
}  // namespace

TrainingReport read_training_report(const std::string& dir) {
  const Manifest manifest = directory_manifest(dir);
  TrainingReport report;
  report.directory = dir;
  report.config = read_json(model_file(dir, manifest, roles::kConfig));
  if (manifest.has(roles::kProgress)) report.progress = read_json(model_file(dir, manifest, roles::kProgress));
  if (manifest.has(roles::kTrainLog)) report.log = read_training_log(model_file(dir, manifest, roles::kTrainLog));
  return report;
}

void write_training_report_html(std::ostream& out, const TrainingReport& report) {
  const std::string model = report.config.value("model", std::string("?"));
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>heed training report: "
      << xml_escape(report.directory) << "</title>\n<style>\n"
      << "body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}\n"
      << "h1{font-size:20px}h2{font-size:16px;margin-top:28px}\n"
      << ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(640px,1fr));gap:16px}\n"
      << "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}\n"
      << "th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
      << "</style>\n</head>\n<body>\n";
  out << "<h1>heed training report: " << xml_escape(model) << " in <code>" << xml_escape(report.directory)
      << "</code></h1>\n";

  // Final scores.
  out << "<h2>Scores</h2>\n<table class=\"scores\">\n";
  if (!report.log.empty()) {
    const auto& last = report.log.back();
    out << "<tr><th>last validation</th><td>step " << last.step << ", epoch " << last.epoch << ": loss "
        << fixed(last.valid_loss, 4) << ", BLEU " << fixed(last.valid_bleu, 2) << ", exact match "
        << fixed(last.valid_exact, 2) << "%</td></tr>\n";
    const TrainingLogRow* best = &report.log.front();
    for (const auto& row : report.log) {
      if (row.valid_bleu > best->valid_bleu) best = &row;
    }
    out << "<tr><th>best validation BLEU</th><td>" << fixed(best->valid_bleu, 2) << " at step " << best->step
        << " (loss " << fixed(best->valid_loss, 4) << ")</td></tr>\n";
    out << "<tr><th>throughput</th><td>" << fixed(last.tokens_per_s, 0) << " target tokens/s (last window), "
        << fixed(last.elapsed_s, 0) << " s elapsed</td></tr>\n";
  } else {
    out << "<tr><td>no validation logged yet</td></tr>\n";
  }
  if (report.progress.is_object()) {
    const auto& p = report.progress;
    out << "<tr><th>progress</th><td>step " << p.value("step", 0) << ", epoch " << p.value("epoch", 0);
    if (p.contains("best_score")) out << ", best score " << fixed(p.value("best_score", 0.0), 4);
    if (p.contains("averaged") && p["averaged"].is_object()) {
      const auto& a = p["averaged"];
      out << "; average of " << a.value("checkpoints", nlohmann::json::array()).size() << " checkpoints: BLEU "
          << fixed(a.value("bleu", 0.0), 2) << ", loss " << fixed(a.value("loss", 0.0), 4)
          << (a.value("became_best", false) ? " (became model.best.pt)" : " (not better than the best checkpoint)");
    }
    out << "</td></tr>\n";
  }
  out << "</table>\n";

  // Curves.
  const auto& log = report.log;
  out << "<h2>Curves</h2>\n<div class=\"charts\">\n";
  out << line_chart_svg({"Loss (nats per target token)", "step", "loss",
                         {series(log, "training (window mean)", "#1f77b4", &TrainingLogRow::train_loss),
                          series(log, "validation", "#d62728", &TrainingLogRow::valid_loss)}});
  out << line_chart_svg({"Validation BLEU", "step", "BLEU", {series(log, "BLEU", "#2ca02c", &TrainingLogRow::valid_bleu)}});
  out << line_chart_svg(
      {"Validation exact match", "step", "%", {series(log, "exact match", "#9467bd", &TrainingLogRow::valid_exact)}});
  out << line_chart_svg(
      {"Throughput", "step", "target tokens/s", {series(log, "tokens/s", "#ff7f0e", &TrainingLogRow::tokens_per_s)}});
  out << "</div>\n";

  // Configuration.
  std::vector<std::pair<std::string, std::string>> rows;
  flatten(report.config, "", rows);
  out << "<h2>Configuration (config.json)</h2>\n<table class=\"config\">\n";
  for (const auto& [key, value] : rows) {
    out << "<tr><th>" << xml_escape(key) << "</th><td>" << xml_escape(value) << "</td></tr>\n";
  }
  out << "</table>\n";

  // The log itself.
  out << "<h2>Validations (train_log.csv)</h2>\n<table class=\"log\">\n<tr>";
  for (const char* h : {"step", "epoch", "train loss", "valid loss", "exact %", "BLEU", "tokens/s", "elapsed s"}) {
    out << "<th>" << h << "</th>";
  }
  out << "</tr>\n";
  for (const auto& r : log) {
    out << "<tr><td class=\"num\">" << r.step << "</td><td class=\"num\">" << r.epoch << "</td><td class=\"num\">"
        << fixed(r.train_loss, 4) << "</td><td class=\"num\">" << fixed(r.valid_loss, 4) << "</td><td class=\"num\">"
        << fixed(r.valid_exact, 2) << "</td><td class=\"num\">" << fixed(r.valid_bleu, 2) << "</td><td class=\"num\">"
        << fixed(r.tokens_per_s, 0) << "</td><td class=\"num\">" << fixed(r.elapsed_s, 1) << "</td></tr>\n";
  }
  out << "</table>\n</body>\n</html>\n";
}

}  // namespace heed
