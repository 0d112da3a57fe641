// The processes of one training run and the collective operations between them, on
// PyTorch's c10d (ProcessGroupGloo over TCP for CPU tensors). One process alone (world
// size 1) needs no group: every operation is then the identity, so the trainer calls
// them unconditionally.
//
// Every operation is collective: each rank calls it, in the same order, with tensors of
// the same shape. A rank that dies makes the others' next operation fail at once (its
// sockets close); one that hangs makes it fail after --dist-timeout. Both surface as a
// heed::Error saying so, never as a hang or a Gloo trace.
#pragma once

#include <torch/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "parallel/world.h"

namespace heed {

// A sum started with all_reduce_sum_async; wait() before reading the tensor.
class PendingReduce {
 public:
  struct Work;
  PendingReduce();
  explicit PendingReduce(std::shared_ptr<Work> work);
  ~PendingReduce();
  PendingReduce(PendingReduce&&) noexcept;
  PendingReduce& operator=(PendingReduce&&) noexcept;
  void wait();

 private:
  std::shared_ptr<Work> work_;
};

class Communicator {
 public:
  // World size 1, no group.
  Communicator();
  ~Communicator();
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  // Joins the group `world` describes (rendezvous through the TCP store at
  // master_addr:master_port; rank 0 runs that store unless an agent does). The backend
  // follows the device: Gloo for the CPU, the only one this LibTorch build has (a CUDA
  // build would choose NCCL here). heed::Error when the others do not arrive within
  // world.timeout_s.
  static std::unique_ptr<Communicator> join(const WorldSpec& world, const torch::Device& device);

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  bool distributed() const { return size_ > 1; }
  double timeout_s() const { return timeout_s_; }

  // In place: every rank's tensor becomes the elementwise sum over ranks.
  void all_reduce_sum(torch::Tensor& tensor);
  PendingReduce all_reduce_sum_async(torch::Tensor& tensor);
  // In place: every rank's tensor becomes rank `root`'s.
  void broadcast(torch::Tensor& tensor, int root = 0);
  // Bytes of rank `root` to every rank (the others' argument is ignored).
  std::string broadcast_bytes(const std::string& bytes, int root = 0);
  // Every rank's bytes, in rank order, on every rank.
  std::vector<std::string> all_gather_bytes(const std::string& bytes);

  // Rank 0's `value` to every rank through the rendezvous store, for a wait that may
  // last longer than --dist-timeout (rank 0 training a SentencePiece model, say): the
  // others wait up to `patience`. A rank 0 that dies ends the wait at once when it runs
  // the store, or through the launcher that runs it.
  std::string share_from_root(const std::string& key, const std::string& value, std::chrono::seconds patience);
  // The other ranks wait, up to `patience`, until rank 0 has called this too: after work
  // only rank 0 does (a save), which may outlast --dist-timeout. Collective; a barrier.
  void wait_for_root(std::chrono::seconds patience);

  struct Group;  // the c10d store and process group (communicator.cpp)

 private:
  std::unique_ptr<Group> group_;
  int rank_ = 0;
  int size_ = 1;
  double timeout_s_ = 0.0;
  int64_t root_waits_ = 0;  // names each wait_for_root's store key
};

}  // namespace heed
