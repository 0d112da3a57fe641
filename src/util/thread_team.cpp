#include "util/thread_team.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

namespace heed {

namespace {

// How long a helper keeps polling for the next loop before it sleeps: long enough to
// catch the products that follow each other within a step, short enough that the core
// goes to others (connections, other workers) during the element-wise work.
constexpr auto kSpin = std::chrono::microseconds(30);

// Pieces per thread: enough that the caller takes over a late helper's share.
constexpr int64_t kPiecesPerThread = 4;

inline void relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

thread_local ThreadTeam* t_current_team = nullptr;

}  // namespace

struct ThreadTeam::Shared {
  std::mutex mutex;
  std::condition_variable start;  // helpers: a loop began, or stopping
  std::condition_variable done;   // the caller: the last piece ended
  // Polled without the mutex by spinning helpers; changed under it.
  std::atomic<uint64_t> generation{0};
  bool stopping = false;
  // The loop of this generation (mutex): piece i is [i n / pieces, (i + 1) n / pieces).
  const std::function<void(int64_t, int64_t)>* body = nullptr;
  int64_t n = 0, pieces = 0, next = 0, finished = 0;
  std::exception_ptr error;
  std::vector<std::thread> helpers;
  std::function<bool()> helpers_wanted;
  std::atomic<bool> running{false};  // a loop is being shared

  // Wakes the helpers to stop and joins them.
  void stop() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stopping = true;
    }
    start.notify_all();
    for (auto& helper : helpers) helper.join();
    helpers.clear();
  }

  // Runs pieces of loop `seen` until none is left (or a later loop began).
  void work(uint64_t seen) {
    std::unique_lock<std::mutex> lock(mutex);
    while (generation.load(std::memory_order_relaxed) == seen && next < pieces) {
      const int64_t index = next++;
      const int64_t begin = index * n / pieces, end = (index + 1) * n / pieces;
      const auto* run = body;
      lock.unlock();
      std::exception_ptr failed;
      try {
        (*run)(begin, end);
      } catch (...) {
        failed = std::current_exception();
      }
      lock.lock();
      if (failed && !error) error = failed;
      if (++finished == pieces) done.notify_one();
    }
  }

  void help() {
    uint64_t seen = 0;
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + kSpin;
      for (int polls = 0; generation.load(std::memory_order_acquire) == seen; ++polls) {
        relax();
        if (polls % 64 == 63 && std::chrono::steady_clock::now() >= until) break;
      }
      {
        std::unique_lock<std::mutex> lock(mutex);
        start.wait(lock, [&] { return stopping || generation.load(std::memory_order_relaxed) != seen; });
        if (stopping) return;
        seen = generation.load(std::memory_order_relaxed);
      }
      work(seen);
    }
  }
};

ThreadTeam::ThreadTeam(int threads, std::function<bool()> helpers_wanted) : shared_(std::make_unique<Shared>()) {
  if (threads < 1) throw std::invalid_argument("a thread team needs at least one thread");
  shared_->helpers_wanted = std::move(helpers_wanted);
  try {
    for (int i = 1; i < threads; ++i) shared_->helpers.emplace_back([s = shared_.get()] { s->help(); });
  } catch (...) {
    shared_->stop();  // the helpers already started (a std::thread destroyed joinable would terminate)
    throw;
  }
}

ThreadTeam::~ThreadTeam() { shared_->stop(); }

int ThreadTeam::size() const { return static_cast<int>(shared_->helpers.size()) + 1; }

void ThreadTeam::run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  Shared& s = *shared_;
  // Pieces of n / pieces indices or one more: never fewer than grain.
  const int64_t pieces = std::min<int64_t>(kPiecesPerThread * size(), n / std::max<int64_t>(1, grain));
  if (pieces <= 1 || s.helpers.empty() || (s.helpers_wanted && !s.helpers_wanted()) ||
      s.running.exchange(true, std::memory_order_acquire)) {
    body(0, n);
    return;
  }
  struct Release {
    std::atomic<bool>& running;
    ~Release() { running.store(false, std::memory_order_release); }
  } release{s.running};
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    s.body = &body;
    s.n = n;
    s.pieces = pieces;
    s.next = 0;
    s.finished = 0;
    s.error = nullptr;
    generation = s.generation.load(std::memory_order_relaxed) + 1;
    s.generation.store(generation, std::memory_order_release);
  }
  s.start.notify_all();
  s.work(generation);
  std::exception_ptr error;
  {
    std::unique_lock<std::mutex> lock(s.mutex);
    s.done.wait(lock, [&] { return s.finished == s.pieces; });
    s.body = nullptr;
    error = s.error;
  }
  if (error) std::rethrow_exception(error);
}

ThreadTeam* current_thread_team() { return t_current_team; }

ThreadTeamScope::ThreadTeamScope(ThreadTeam* team) : previous_(t_current_team) { t_current_team = team; }

ThreadTeamScope::~ThreadTeamScope() { t_current_team = previous_; }

}  // namespace heed
