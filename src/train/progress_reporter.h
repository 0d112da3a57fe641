// Training progress on stderr: a one-line progress bar (loss, tokens/s, ETA) redrawn in
// place on a terminal; plain periodic log lines otherwise (pipes, files, CI).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace heed {

struct ProgressSnapshot {
  int64_t step = 0;
  int64_t epoch = 0;
  double loss = 0.0;            // mean train loss since the last report
  double tokens_per_s = 0.0;
  double elapsed_s = 0.0;
  double fraction_done = -1.0;  // 0..1, or < 0 when unknown
};

class ProgressReporter {
 public:
  // log_every_s: seconds between plain log lines when stderr is not a terminal.
  explicit ProgressReporter(double log_every_s = 30.0);
  void update(const ProgressSnapshot& snapshot);
  void message(const std::string& line);  // clears the bar, logs, redraws next update
  void finish();

 private:
  bool terminal_;
  double log_every_s_;
  double last_log_s_ = -1e9;
  bool bar_drawn_ = false;
};

std::string format_duration(double seconds);  // "1h02m", "3m05s", "42s"

}  // namespace heed
