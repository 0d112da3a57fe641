// The collectives of parallel/communicator.h between threads that join one group, as
// processes would (each thread its own rank, store client and Gloo context).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <thread>

#include "parallel/communicator.h"
#include "parallel/gradient_reducer.h"
#include "parallel/rendezvous_server.h"
#include "util/error.h"

namespace heed {
namespace {

WorldSpec world_of(int rank, int size, int port, double timeout_s = 20.0) {
  WorldSpec world;
  world.rank = rank;
  world.world_size = size;
  world.master_port = port;
  world.agent_store = true;
  world.timeout_s = timeout_s;
  return world;
}

// Runs `body(communicator)` on `size` threads, one per rank; rethrows the first failure.
void on_ranks(int size, const std::function<void(Communicator&)>& body) {
  RendezvousServer server(20.0);
  std::vector<std::thread> threads;
  std::vector<std::string> failures(static_cast<size_t>(size));
  for (int rank = 0; rank < size; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        auto communicator = Communicator::join(world_of(rank, size, server.port()), torch::kCPU);
        body(*communicator);
      } catch (const std::exception& e) {
        failures[static_cast<size_t>(rank)] = e.what();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int rank = 0; rank < size; ++rank) {
    EXPECT_EQ(failures[static_cast<size_t>(rank)], "") << "rank " << rank;
  }
}

TEST(Communicator, AloneEveryOperationIsTheIdentity) {
  Communicator alone;
  EXPECT_EQ(alone.size(), 1);
  EXPECT_TRUE(alone.is_root());
  EXPECT_FALSE(alone.distributed());
  auto tensor = torch::tensor({1.5f, -2.0f});
  alone.all_reduce_sum(tensor);
  alone.broadcast(tensor);
  EXPECT_TRUE(torch::equal(tensor, torch::tensor({1.5f, -2.0f})));
  EXPECT_EQ(alone.broadcast_bytes("abc"), "abc");
  EXPECT_EQ(alone.all_gather_bytes("xy"), std::vector<std::string>{"xy"});
  EXPECT_EQ(alone.share_from_root("k", "v", std::chrono::seconds(1)), "v");
}

TEST(Communicator, SumsBroadcastsAndGathersAcrossThreeRanks) {
  on_ranks(3, [](Communicator& c) {
    ASSERT_EQ(c.size(), 3);
    const double r = c.rank();
    auto sums = torch::tensor({r + 1.0, 10.0 * (r + 1.0)}, torch::kFloat64);
    c.all_reduce_sum(sums);
    EXPECT_DOUBLE_EQ(sums[0].item<double>(), 6.0);
    EXPECT_DOUBLE_EQ(sums[1].item<double>(), 60.0);
    auto weights = torch::full({4}, static_cast<float>(r));
    c.broadcast(weights, 2);
    EXPECT_TRUE(torch::equal(weights, torch::full({4}, 2.0f)));
    // Bytes of any value, a NUL among them.
    const std::string root_bytes = std::string("model\0bytes", 11);
    EXPECT_EQ(c.broadcast_bytes(c.is_root() ? root_bytes : "ignored"), root_bytes);
    const std::vector<std::string> mine = {"r0", "", "rank two, longer"};
    EXPECT_EQ(c.all_gather_bytes(mine[static_cast<size_t>(c.rank())]), mine);
  });
}

TEST(Communicator, ShareFromRootWaitsForRankZero) {
  on_ranks(2, [](Communicator& c) {
    if (c.is_root()) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_EQ(c.share_from_root("model", c.is_root() ? "description" : "", std::chrono::seconds(20)), "description");
  });
}

TEST(Communicator, ARankThatNeverArrivesIsAnErrorWithinTheTimeout) {
  RendezvousServer server(5.0);
  const auto start = std::chrono::steady_clock::now();
  try {
    Communicator::join(world_of(0, 2, server.port(), 1.0), torch::kCPU);
    FAIL() << "joined a group of 2 alone";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("rank 0: not all 2 training processes arrived at 127.0.0.1:"),
              std::string::npos)
        << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
}

TEST(Communicator, ARankThatLeavesMakesTheOthersFailInsteadOfWaiting) {
  RendezvousServer server(20.0);
  std::string error;
  std::thread leaver([&] {
    try {
      auto communicator = Communicator::join(world_of(1, 2, server.port()), torch::kCPU);
      auto ready = torch::ones({1});
      communicator->all_reduce_sum(ready);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "rank 1: " << e.what();
    }
  });  // its group closes its connections as it goes
  auto communicator = Communicator::join(world_of(0, 2, server.port()), torch::kCPU);
  auto ready = torch::ones({1});
  communicator->all_reduce_sum(ready);
  leaver.join();
  const auto start = std::chrono::steady_clock::now();
  try {
    auto tensor = torch::ones({8});
    communicator->all_reduce_sum(tensor);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_NE(error.find("rank 0: lost contact with the other training processes"), std::string::npos) << error;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 15.0);
}

TEST(GradientReducer, SumsGradientsInBucketsAndCountsMissingOnesAsZero) {
  on_ranks(2, [](Communicator& c) {
    auto small = torch::zeros({3}, torch::requires_grad());
    auto large = torch::zeros({2, 5}, torch::requires_grad());
    auto unused = torch::zeros({2}, torch::requires_grad());
    // 8-byte buckets: every parameter in a bucket of its own (the smallest is 8 bytes).
    GradientReducer reducer({small, large, unused}, c, 8);
    EXPECT_EQ(reducer.bucket_count(), 3u);
    EXPECT_EQ(reducer.element_count(), 15);
    const float r = static_cast<float>(c.rank());
    small.mutable_grad() = torch::full({3}, r + 1.0f);
    if (c.rank() == 0) large.mutable_grad() = torch::arange(10, torch::kFloat).reshape({2, 5});
    reducer.reduce();
    EXPECT_TRUE(torch::equal(small.grad(), torch::full({3}, 3.0f)));
    EXPECT_TRUE(torch::equal(large.grad(), torch::arange(10, torch::kFloat).reshape({2, 5})));
    EXPECT_TRUE(torch::equal(unused.grad(), torch::zeros({2})));
  });
}

TEST(GradientReducer, OverlappedSumsStartDuringTheBackwardPassAndEqualTheSumsAfterIt) {
  on_ranks(2, [](Communicator& c) {
    // The same weights on both ranks (the generator is shared by the threads).
    auto first = (torch::arange(64 * 32, torch::kFloat).reshape({64, 32}) / 2048.0 - 0.5).requires_grad_();
    auto second = (torch::arange(32 * 8, torch::kFloat).reshape({32, 8}) / 256.0 - 0.5).requires_grad_();
    auto unused = torch::zeros({5}, torch::requires_grad());
    const auto input = torch::full({4, 64}, static_cast<float>(c.rank() + 1));
    auto loss_of = [&] { return input.matmul(first).tanh().matmul(second).square().sum(); };
    // Reference: the sums after the backward pass.
    // 1024-byte buckets: (second), (first), (unused), in the parameters' reverse order.
    GradientReducer after({unused, first, second}, c, 1024, /*overlap=*/false);
    loss_of().backward();
    after.reduce();
    const auto expected_first = first.grad().clone(), expected_second = second.grad().clone();
    first.mutable_grad() = torch::Tensor();
    second.mutable_grad() = torch::Tensor();
    unused.mutable_grad() = torch::Tensor();
    // Two accumulated backward passes of half the loss, the second armed.
    GradientReducer during({unused, first, second}, c, 1024, /*overlap=*/true);
    (0.5 * loss_of()).backward();
    during.prepare_final_backward();
    (0.5 * loss_of()).backward();
    // `second` and `first` are final during the pass; `unused` never is.
    EXPECT_EQ(during.bucket_count(), 3u);
    EXPECT_EQ(during.started_early(), 2u);
    during.reduce();
    EXPECT_TRUE(torch::allclose(first.grad(), expected_first, 1e-5, 1e-6));
    EXPECT_TRUE(torch::allclose(second.grad(), expected_second, 1e-5, 1e-6));
    EXPECT_TRUE(torch::equal(unused.grad(), torch::zeros({5})));
  });
}

}  // namespace
}  // namespace heed
