// SIGINT and SIGTERM counted instead of acted on, for as long as a SignalCounter lives
// (the previous handlers come back after): a process that must do something orderly on a
// signal (pass it on to workers, stop a server) polls the count from its own loop, since
// a signal handler may do almost nothing itself.
#pragma once

namespace heed {

class SignalCounter {
 public:
  SignalCounter();   // installs the handlers; the count starts at 0
  ~SignalCounter();  // restores the previous handlers
  SignalCounter(const SignalCounter&) = delete;
  SignalCounter& operator=(const SignalCounter&) = delete;

  static int count();  // signals received so far
  static int last();   // the last one received, 0 if none
};

}  // namespace heed
