// SIGINT / SIGTERM handling for training. The first signal asks the trainer to save and
// stop at the next step boundary (what Slurm and Kubernetes expect of SIGTERM); a second
// one exits at once, which loses nothing that was saved because every save is one unit
// (model_dir/manifest.h). A repeat of the same signal within a second is the same
// request: GNU timeout signals the child and then its whole process group.
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
