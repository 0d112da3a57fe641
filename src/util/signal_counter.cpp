#include "util/signal_counter.h"

#include <atomic>
#include <csignal>

namespace heed {

namespace {
std::atomic<int> g_count{0};
std::atomic<int> g_last{0};
struct sigaction g_old_int, g_old_term;

void on_signal(int number) {
  g_last = number;
  g_count.fetch_add(1);
}
}  // namespace

SignalCounter::SignalCounter() {
  g_count = 0;
  g_last = 0;
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, &g_old_int);
  sigaction(SIGTERM, &action, &g_old_term);
}

SignalCounter::~SignalCounter() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

int SignalCounter::count() { return g_count.load(); }
int SignalCounter::last() { return g_last.load(); }

}  // namespace heed
