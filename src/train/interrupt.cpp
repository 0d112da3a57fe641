#include "train/interrupt.h"

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace heed {

namespace {
std::atomic<int> g_signal{0};
struct sigaction g_old_int, g_old_term;

void on_signal(int number) {
  if (g_signal.exchange(number) != 0) {
    const char message[] = "heed: second interrupt, exiting without saving\n";
    ssize_t ignored = ::write(2, message, sizeof(message) - 1);
    (void)ignored;
    std::_Exit(128 + number);
  }
}
}  // namespace

InterruptGuard::InterruptGuard() {
  g_signal = 0;
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
