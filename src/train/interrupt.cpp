#include "train/interrupt.h"

#include <time.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

namespace heed {

namespace {
std::atomic<int> g_signal{0};
std::atomic<int64_t> g_first_ns{0};  // CLOCK_MONOTONIC time of the first signal
struct sigaction g_old_int, g_old_term;

// GNU timeout sends its signal to the child and then to the child's whole process
// group, so one request arrives twice within microseconds; a repeat of the same signal
// this soon after the first is the same request.
constexpr int64_t kSameRequestNs = 1'000'000'000;

int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe
  return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

void say(const char* text, size_t length) {
  const ssize_t ignored = ::write(2, text, length);
  (void)ignored;
}

void on_signal(int number) {
  int expected = 0;
  if (g_signal.compare_exchange_strong(expected, number)) {
    g_first_ns = monotonic_ns();
    static const char message[] = "heed: stopping after this step and saving (signal again to exit at once)\n";
    say(message, sizeof(message) - 1);
    return;
  }
  if (expected == number && monotonic_ns() - g_first_ns.load() < kSameRequestNs) return;
  static const char message[] = "heed: second signal, exiting now; the last completed save stays\n";
  say(message, sizeof(message) - 1);
  std::_Exit(128 + number);
}
}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
  g_first_ns = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

InterruptGuard::~InterruptGuard() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

bool InterruptGuard::requested() { return g_signal.load() != 0; }
int InterruptGuard::signal_number() { return g_signal.load(); }

}  // namespace heed
