// `heed report DIR`: a model directory's training as one self-contained HTML page
// (inline CSS and SVG, nothing fetched): loss curves (training window mean and
// validation), validation BLEU and exact match, throughput, the configuration and the
// final scores.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model_dir/train_log.h"

namespace heed {

struct TrainingReport {
  std::string directory;
  nlohmann::json config;    // config.json
  nlohmann::json progress;  // the last save's progress (null when absent)
  std::vector<TrainingLogRow> log;
};

// Reads config.json and the last save's progress and log of `dir` (through its
// manifest); heed::Error when `dir` is not a model directory.
TrainingReport read_training_report(const std::string& dir);

void write_training_report_html(std::ostream& out, const TrainingReport& report);

}  // namespace heed
