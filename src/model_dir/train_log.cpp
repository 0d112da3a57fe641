#include "model_dir/train_log.h"

#include <fmt/format.h>

#include <cmath>
#include <fstream>

#include "util/csv.h"
#include "util/error.h"

namespace heed {

const char* const kTrainLogHeader =
    "step,epoch,train_loss,valid_loss,valid_exact,valid_bleu,tokens_per_s,elapsed_s";

namespace {
std::string fixed_or_empty(double value, int digits) {
  return std::isfinite(value) ? fmt::format("{:.{}f}", value, digits) : std::string();
}

double number_or_nan(const std::string& field) {
  if (field.empty()) return NAN;
  size_t used = 0;
  const double value = std::stod(field, &used);
  if (used != field.size()) throw std::invalid_argument(field);
  return value;
}

int64_t integer(const std::string& field) {
  size_t used = 0;
  const long long value = std::stoll(field, &used);
  if (used != field.size()) throw std::invalid_argument(field);
  return value;
}
}  // namespace

std::string format_training_log_row(const TrainingLogRow& row) {
  return fmt::format("{},{},{},{},{},{},{},{}", row.step, row.epoch, fixed_or_empty(row.train_loss, 5),
                     fixed_or_empty(row.valid_loss, 5), fixed_or_empty(row.valid_exact, 2),
                     fixed_or_empty(row.valid_bleu, 2), fixed_or_empty(row.tokens_per_s, 1),
                     fixed_or_empty(row.elapsed_s, 1));
}

std::string format_training_log(const std::vector<TrainingLogRow>& rows) {
  std::string text = std::string(kTrainLogHeader) + "\n";
  for (const auto& row : rows) text += format_training_log_row(row) + "\n";
  return text;
}

std::vector<TrainingLogRow> read_training_log(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot read " + path);
  std::vector<TrainingLogRow> rows;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number == 1) {
      if (line != kTrainLogHeader) throw Error(at_line(path, 1, "expected the header " + std::string(kTrainLogHeader)));
      continue;
    }
    if (line.empty()) continue;
    const auto f = csv::parse_line(line);
    if (f.size() != 8) throw Error(at_line(path, number, "expected 8 fields, got " + std::to_string(f.size())));
    try {
      rows.push_back({integer(f[0]), integer(f[1]), number_or_nan(f[2]), number_or_nan(f[3]), number_or_nan(f[4]),
                      number_or_nan(f[5]), number_or_nan(f[6]), number_or_nan(f[7])});
    } catch (const std::exception&) {
      throw Error(at_line(path, number, "not a number in '" + line + "'"));
    }
  }
  if (number == 0) throw Error(path + ": empty (expected the header " + std::string(kTrainLogHeader) + ")");
  return rows;
}

}  // namespace heed
