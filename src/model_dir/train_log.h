// train_log.csv of a model directory: one row per validation (or per save without
// validation data), written by the trainer, read by `heed report` and by --resume.
//
//   step,epoch,train_loss,valid_loss,valid_exact,valid_bleu,tokens_per_s,elapsed_s
//
// train_loss is the mean loss per target token since the previous row; valid_exact is a
// percentage; a run without validation data leaves the three valid_* fields empty (NaN
// here). Numbers are written with fixed decimals (losses 5, scores 2, speed and time 1).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace heed {

struct TrainingLogRow {
  int64_t step = 0;
  int64_t epoch = 0;
  double train_loss = 0.0;   // NaN: no step since the previous row
  double valid_loss = 0.0;   // NaN: no validation data
  double valid_exact = 0.0;  // percent; NaN: no validation data
  double valid_bleu = 0.0;   // NaN: no validation data
  double tokens_per_s = 0.0;
  double elapsed_s = 0.0;
};

extern const char* const kTrainLogHeader;

// One CSV line, without the newline.
std::string format_training_log_row(const TrainingLogRow& row);

// The whole file: header and rows.
std::string format_training_log(const std::vector<TrainingLogRow>& rows);

// heed::Error with file:line when the header or a row is malformed.
std::vector<TrainingLogRow> read_training_log(const std::string& path);

}  // namespace heed
