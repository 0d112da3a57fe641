// `heed report DIR`: a model directory's training as one self-contained HTML page
// (inline CSS and SVG, nothing fetched): loss curves (training window mean and
// validation), validation BLEU and exact match, throughput, the configuration and the
// final scores.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace heed {

// One row of train_log.csv (model_directory.h): a validation point.
struct TrainingLogRow {
  int64_t step = 0;
  int64_t epoch = 0;
  double train_loss = 0.0;   // mean over the steps since the previous row
  double valid_loss = 0.0;
  double valid_exact = 0.0;  // percent
  double valid_bleu = 0.0;
  double tokens_per_s = 0.0;
  double elapsed_s = 0.0;
};

// heed::Error with file:line when the header or a row is malformed.
std::vector<TrainingLogRow> read_training_log(const std::string& path);

struct TrainingReport {
  std::string directory;
  nlohmann::json config;    // config.json
  nlohmann::json progress;  // progress.json (null when absent)
  std::vector<TrainingLogRow> log;
};

// Reads config.json, progress.json and train_log.csv of `dir`; heed::Error when `dir` is
// not a model directory.
TrainingReport read_training_report(const std::string& dir);

void write_training_report_html(std::ostream& out, const TrainingReport& report);

}  // namespace heed
