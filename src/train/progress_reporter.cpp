#include "train/progress_reporter.h"

#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace heed {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto total = static_cast<long>(seconds + 0.5);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

ProgressReporter::ProgressReporter(double log_every_s)
    // No bar where info lines are off (-q, and the ranks of a group other than rank 0).
    : terminal_(::isatty(STDERR_FILENO) != 0 && spdlog::default_logger()->should_log(spdlog::level::info)),
      log_every_s_(log_every_s) {}

void ProgressReporter::update(const ProgressSnapshot& s) {
  const bool known = s.fraction_done > 0.0;
  const double eta = known ? s.elapsed_s * (1.0 - s.fraction_done) / s.fraction_done : -1.0;
  if (terminal_) {
    constexpr int kWidth = 24;
    const int filled = known ? static_cast<int>(std::min(1.0, s.fraction_done) * kWidth) : 0;
    std::string bar(static_cast<size_t>(filled), '#');
    bar += std::string(static_cast<size_t>(kWidth - filled), known ? '.' : ' ');
    std::fprintf(stderr, "\r[%s] step %lld  epoch %lld  loss %.4f  %.0f tok/s  %s  ETA %s   ",
                 bar.c_str(), static_cast<long long>(s.step), static_cast<long long>(s.epoch),
                 s.loss, s.tokens_per_s, format_duration(s.elapsed_s).c_str(),
                 known ? format_duration(eta).c_str() : "?");
    std::fflush(stderr);
    bar_drawn_ = true;
    return;
  }
  if (s.elapsed_s - last_log_s_ < log_every_s_) return;
  last_log_s_ = s.elapsed_s;
  spdlog::info("step {} epoch {} loss {:.4f} {:.0f} tok/s elapsed {} ETA {}", s.step, s.epoch,
               s.loss, s.tokens_per_s, format_duration(s.elapsed_s),
               known ? format_duration(eta) : "?");
}

void ProgressReporter::message(const std::string& line) {
  if (bar_drawn_) {
    std::fprintf(stderr, "\r\033[K");
    bar_drawn_ = false;
  }
  spdlog::info("{}", line);
}

void ProgressReporter::finish() {
  if (bar_drawn_) std::fprintf(stderr, "\n");
  bar_drawn_ = false;
}

}  // namespace heed
