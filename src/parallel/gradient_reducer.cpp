#include "parallel/gradient_reducer.h"

#include "util/error.h"

namespace heed {

GradientReducer::GradientReducer(std::vector<torch::Tensor> parameters, Communicator& communicator,
                                 int64_t bucket_bytes)
    : parameters_(std::move(parameters)), communicator_(communicator) {
  Bucket bucket;
  int64_t elements = 0;
  auto close = [&] {
    if (bucket.parameters.empty()) return;
    bucket.flat = torch::zeros({elements}, torch::kFloat);
    buckets_.push_back(std::move(bucket));
    bucket = Bucket{};
    elements = 0;
  };
  for (size_t i = parameters_.size(); i-- > 0;) {
    const auto& p = parameters_[i];
    if (p.scalar_type() != torch::kFloat || !p.device().is_cpu()) {
      throw Error("data-parallel training needs float32 CPU parameters");
    }
    bucket.parameters.push_back(i);
    elements += p.numel();
    if (elements * static_cast<int64_t>(sizeof(float)) >= bucket_bytes) close();
  }
  close();
}

int64_t GradientReducer::element_count() const {
  int64_t count = 0;
  for (const auto& bucket : buckets_) count += bucket.flat.numel();
  return count;
}

void GradientReducer::reduce() {
  if (!communicator_.distributed()) return;
  std::vector<PendingReduce> pending;
  pending.reserve(buckets_.size());
  for (auto& bucket : buckets_) {
    int64_t offset = 0;
    for (size_t i : bucket.parameters) {
      const auto& p = parameters_[i];
      auto slot = bucket.flat.narrow(0, offset, p.numel());
      if (p.grad().defined()) {
        slot.copy_(p.grad().reshape({-1}));
      } else {
        slot.zero_();
      }
      offset += p.numel();
    }
    pending.push_back(communicator_.all_reduce_sum_async(bucket.flat));
  }
  for (size_t b = 0; b < buckets_.size(); ++b) {
    pending[b].wait();
    int64_t offset = 0;
    for (size_t i : buckets_[b].parameters) {
      auto& p = parameters_[i];
      const auto summed = buckets_[b].flat.narrow(0, offset, p.numel()).view(p.sizes());
      if (p.grad().defined()) {
        p.mutable_grad().copy_(summed);
      } else {
        p.mutable_grad() = summed.clone();
      }
      offset += p.numel();
    }
  }
}

}  // namespace heed
