// Data-parallel gradients: after each rank's backward pass, every parameter's gradient
// becomes the sum of all ranks' gradients.
//
// Gradients are summed in flat float32 buckets of about `bucket_bytes` each, filled in
// the reverse order of the parameters, which is about the order in which the backward
// pass finishes them. With overlap (the default), a bucket's sum starts during the
// backward pass, from a hook on each parameter's gradient accumulator, as soon as every
// gradient in it is final; the transfer then runs beside the rest of the backward pass,
// as in PyTorch's DistributedDataParallel. Buckets always start in index order on every
// rank (a bucket ready early waits for the ones before it), as Gloo needs the same order
// of operations everywhere. A parameter without a gradient on this rank (unused, or a
// rank with no batch in an update's last group) contributes zeros when reduce() finishes.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "parallel/communicator.h"

namespace heed {

class GradientReducer {
 public:
  static constexpr int64_t kDefaultBucketBytes = int64_t{25} << 20;  // as PyTorch DDP

  GradientReducer(std::vector<torch::Tensor> parameters, Communicator& communicator,
                  int64_t bucket_bytes = kDefaultBucketBytes, bool overlap = true);
  ~GradientReducer();

  // The next backward pass is this rank's last before reduce(): buckets may start as
  // their gradients become final. (Without this call reduce() does all the work.)
  void prepare_final_backward();

  // Sums the gradients over ranks, in place: start() then wait(). Collective.
  void reduce();
  // Starts the buckets not started during the backward pass, in order. Between start()
  // and wait() a rank may start other collective operations: every rank has then
  // started all its buckets first, whether or not it ran a backward pass.
  void start();
  // Waits for every bucket's sum and writes it into the gradients.
  void wait();

  size_t bucket_count() const;
  int64_t element_count() const;
  // Buckets whose sum started during the last backward pass (overlap at work).
  size_t started_early() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace heed
