// Data-parallel gradients: after each rank's backward pass, every parameter's gradient
// becomes the sum of all ranks' gradients.
//
// Gradients are packed into flat float32 buckets of about `bucket_bytes` each (in the
// reverse order of the parameters, the order in which the backward pass produces them)
// and every bucket's all-reduce is started before the first is waited for, so packing a
// bucket overlaps the transfer of the one before. A parameter without a gradient on this
// rank (a rank with no batch in an update's last group) contributes zeros.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "parallel/communicator.h"

namespace heed {

class GradientReducer {
 public:
  static constexpr int64_t kDefaultBucketBytes = int64_t{25} << 20;  // as PyTorch DDP

  GradientReducer(std::vector<torch::Tensor> parameters, Communicator& communicator,
                  int64_t bucket_bytes = kDefaultBucketBytes);

  // Sums the gradients over ranks, in place. Collective.
  void reduce();

  size_t bucket_count() const { return buckets_.size(); }
  int64_t element_count() const;

 private:
  struct Bucket {
    std::vector<size_t> parameters;  // indices into parameters_
    torch::Tensor flat;              // (elements) float32
  };
  std::vector<torch::Tensor> parameters_;
  Communicator& communicator_;
  std::vector<Bucket> buckets_;
};

}  // namespace heed
