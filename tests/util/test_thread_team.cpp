// A thread and its helpers sharing loops (util/thread_team.h): every index once, pieces on
// more than one thread, errors carried back to the caller, the thread's current team.
#include "util/thread_team.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace heed {
namespace {

TEST(ThreadTeam, EveryIndexRunsOnceWhateverTheSizes) {
  for (int threads : {1, 2, 3}) {
    ThreadTeam team(threads);
    EXPECT_EQ(team.size(), threads);
    for (int64_t n : {0, 1, 2, 7, 64, 1000}) {
      for (int64_t grain : {0, 1, 3, 50, 5000}) {
        std::vector<std::atomic<int>> seen(static_cast<size_t>(n));
        for (int repeat = 0; repeat < 3; ++repeat) {
          team.run(n, grain, [&](int64_t begin, int64_t end) {
            ASSERT_LE(0, begin);
            ASSERT_LT(begin, end);
            ASSERT_LE(end, n);
            if (end - begin < grain) {
              ASSERT_TRUE(begin == 0 && end == n) << "a piece shorter than the grain: " << begin << ".." << end;
            }
            for (int64_t i = begin; i < end; ++i) ++seen[static_cast<size_t>(i)];
          });
        }
        for (int64_t i = 0; i < n; ++i) {
          ASSERT_EQ(seen[static_cast<size_t>(i)], 3) << threads << " threads, n " << n << ", grain " << grain << ", index " << i;
        }
      }
    }
  }
}

TEST(ThreadTeam, HelpersTakePiecesWhileTheCallerWorks) {
  ThreadTeam team(2);
  std::mutex mutex;
  std::set<std::thread::id> ran_on;
  // Pieces long enough that the helper, asleep or not, wakes before the caller ends them all.
  team.run(8, 1, [&](int64_t, int64_t) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      ran_on.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  });
  EXPECT_EQ(ran_on.size(), 2u);
  EXPECT_EQ(ran_on.count(std::this_thread::get_id()), 1u);
}

TEST(ThreadTeam, AnErrorReachesTheCallerAfterEveryPieceEnded) {
  ThreadTeam team(3);
  std::atomic<int> ended{0};
  EXPECT_THROW(team.run(12, 1,
                        [&](int64_t begin, int64_t) {
                          std::this_thread::sleep_for(std::chrono::milliseconds(2));
                          ++ended;
                          if (begin == 5) throw std::runtime_error("piece 5");
                        }),
               std::runtime_error);
  EXPECT_EQ(ended, 12);
  // The team goes on.
  std::atomic<int64_t> sum{0};
  team.run(100, 10, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) sum += i;
  });
  EXPECT_EQ(sum, 4950);
}

TEST(ThreadTeam, AClosedGateOrANestedLoopRunsOnTheCaller) {
  bool open = false;
  std::atomic<int> asked{0};  // nested runs ask too, from the helper's thread
  ThreadTeam team(2, [&] {
    ++asked;
    return open;
  });
  std::vector<std::pair<int64_t, int64_t>> ranges;
  team.run(100, 1, [&](int64_t begin, int64_t end) { ranges.emplace_back(begin, end); });
  EXPECT_EQ(asked, 1);
  asked = 0;
  ASSERT_EQ(ranges.size(), 1u);
  EXPECT_EQ(ranges[0], std::make_pair(int64_t{0}, int64_t{100}));
  // Open: a body that runs a loop of its own on the team gets it whole, on its thread.
  open = true;
  std::atomic<int64_t> sum{0};
  std::atomic<int> nested_calls{0};
  team.run(8, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      const auto caller = std::this_thread::get_id();
      team.run(10, 1, [&](int64_t b, int64_t e) {
        ++nested_calls;
        EXPECT_EQ(std::this_thread::get_id(), caller);
        EXPECT_EQ(e - b, 10);
        for (int64_t j = b; j < e; ++j) sum += i * 10 + j;
      });
    }
  });
  EXPECT_EQ(nested_calls, 8);
  EXPECT_EQ(asked, 9);  // the outer loop and each nested one
  EXPECT_EQ(sum, 3160);  // 0 + 1 + ... + 79
}

TEST(ThreadTeam, TheCurrentTeamIsTheThreadsOwn) {
  EXPECT_EQ(current_thread_team(), nullptr);
  ThreadTeam outer(1), inner(2);
  {
    const ThreadTeamScope a(&outer);
    EXPECT_EQ(current_thread_team(), &outer);
    std::thread([] { EXPECT_EQ(current_thread_team(), nullptr); }).join();
    {
      const ThreadTeamScope b(&inner);
      EXPECT_EQ(current_thread_team(), &inner);
    }
    EXPECT_EQ(current_thread_team(), &outer);
  }
  EXPECT_EQ(current_thread_team(), nullptr);
}

}  // namespace
}  // namespace heed
