// SIGINT / SIGTERM handling for training: the first signal asks the trainer to save
// and stop at the next step boundary; a second one exits at once.
#pragma once

namespace heed {

class InterruptGuard {
 public:
  InterruptGuard();   // installs the handlers
  ~InterruptGuard();  // restores the previous handlers
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  static bool requested();
  static int signal_number();  // the signal received, 0 if none
};

}  // namespace heed
