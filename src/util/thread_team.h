// A thread and its helpers sharing one loop at a time: a server worker's large matrix
// products split over the cores, while everything between them runs on the worker alone.
//
// Why not LibTorch's intra-op (OpenMP) pool: its threads busy-wait between parallel
// regions for milliseconds (a setting read once, at process start), so a decoding worker
// with two intra-op threads keeps both cores busy through the element-wise work between
// its products, and the HTTP connections and the other workers wait for a core. A team's
// helpers spin for a few microseconds after a loop, then sleep until the next one.
//
// run(n, grain, body) calls body(begin, end) on disjoint ranges that cover [0, n), in
// about equal pieces of at least `grain` indices (one piece when n < 2 grain), handed to
// whichever thread is free first (the caller included, so a helper that wakes late only
// does less), and returns once every piece is done. Which thread runs which piece
// changes from call to call: body must compute the same for a range whoever runs it.
// A gate, asked at each loop, can keep the helpers out (the caller then runs it alone):
// a server's workers let theirs help only while other workers leave cores idle.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

namespace heed {

class ThreadTeam {
 public:
  // `threads` >= 1 counts the calling thread: threads - 1 helpers are started.
  // helpers_wanted, when given, is asked at each run (from the calling thread).
  explicit ThreadTeam(int threads, std::function<bool()> helpers_wanted = {});
  ~ThreadTeam();  // stops and joins the helpers (no loop may be running)
  ThreadTeam(const ThreadTeam&) = delete;
  ThreadTeam& operator=(const ThreadTeam&) = delete;

  int size() const;

  // One loop at a time: a run started while another runs (a body that runs a loop, or a
  // second thread) runs on its caller alone. An exception thrown by body is rethrown
  // here (the first one, once every piece has ended).
  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body);

 private:
  struct Shared;
  std::unique_ptr<Shared> shared_;
};

// The team the calling thread's large products split over; null (the default): they use
// LibTorch's intra-op threads.
ThreadTeam* current_thread_team();

// Makes `team` the calling thread's for the scope's lifetime.
class ThreadTeamScope {
 public:
  explicit ThreadTeamScope(ThreadTeam* team);
  ~ThreadTeamScope();
  ThreadTeamScope(const ThreadTeamScope&) = delete;
  ThreadTeamScope& operator=(const ThreadTeamScope&) = delete;

 private:
  ThreadTeam* previous_;
};

}  // namespace heed
