#include "parallel/gradient_reducer.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>

#include "util/error.h"

namespace heed {

struct GradientReducer::State {
  struct Bucket {
    std::vector<size_t> parameters;  // indices into parameters
    torch::Tensor flat;              // (elements) float32
    size_t remaining = 0;            // gradients not final yet in this backward pass
    bool packed = false;
    PendingReduce pending;
  };
  std::vector<torch::Tensor> parameters;
  std::vector<size_t> bucket_of;  // per parameter
  std::vector<Bucket> buckets;
  Communicator* communicator = nullptr;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;  // kept alive: hooks stay on them
  bool armed = false;
  size_t next_start = 0;  // buckets start in index order
  size_t started_early = 0;

  void pack(Bucket& bucket) {
    int64_t offset = 0;
    for (size_t i : bucket.parameters) {
      const auto& p = parameters[i];
      auto slot = bucket.flat.narrow(0, offset, p.numel());
      if (p.grad().defined()) {
        slot.copy_(p.grad().reshape({-1}));
      } else {
        slot.zero_();
      }
      offset += p.numel();
    }
    bucket.packed = true;
  }

  void start_packed() {
    while (next_start < buckets.size() && buckets[next_start].packed) {
      buckets[next_start].pending = communicator->all_reduce_sum_async(buckets[next_start].flat);
      ++next_start;
    }
  }

  // A parameter's gradient is final for this backward pass.
  void ready(size_t parameter) {
    if (!armed) return;
    Bucket& bucket = buckets[bucket_of[parameter]];
    if (bucket.remaining == 0 || --bucket.remaining > 0) return;
    pack(bucket);
    const size_t before = next_start;
    start_packed();
    started_early += next_start - before;
  }
};

namespace {

// Runs after a parameter's gradient accumulator has added this pass's gradient.
class ReadyHook : public torch::autograd::FunctionPostHook {
 public:
  ReadyHook(std::weak_ptr<GradientReducer::State> state, size_t parameter)
      : state_(std::move(state)), parameter_(parameter) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& /*inputs*/) override {
    if (auto state = state_.lock()) state->ready(parameter_);
    return outputs;
  }

 private:
  std::weak_ptr<GradientReducer::State> state_;
  size_t parameter_;
};

}  // namespace

GradientReducer::GradientReducer(std::vector<torch::Tensor> parameters, Communicator& communicator,
                                 int64_t bucket_bytes, bool overlap)
    : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.parameters = std::move(parameters);
  s.communicator = &communicator;
  s.bucket_of.resize(s.parameters.size());
  State::Bucket bucket;
  int64_t elements = 0;
  auto close = [&] {
    if (bucket.parameters.empty()) return;
    bucket.flat = torch::zeros({elements}, torch::kFloat);
    s.buckets.push_back(std::move(bucket));
    bucket = State::Bucket{};
    elements = 0;
  };
  for (size_t i = s.parameters.size(); i-- > 0;) {
    const auto& p = s.parameters[i];
    if (p.scalar_type() != torch::kFloat || !p.device().is_cpu()) {
      throw Error("data-parallel training needs float32 CPU parameters");
    }
    s.bucket_of[i] = s.buckets.size();
    bucket.parameters.push_back(i);
    elements += p.numel();
    if (elements * static_cast<int64_t>(sizeof(float)) >= bucket_bytes) close();
  }
  close();
  if (overlap && communicator.distributed()) {
    for (size_t i = 0; i < s.parameters.size(); ++i) {
      if (!s.parameters[i].requires_grad()) continue;
      auto accumulator = torch::autograd::impl::grad_accumulator(s.parameters[i]);
      accumulator->add_post_hook(std::make_unique<ReadyHook>(state_, i));
      s.accumulators.push_back(std::move(accumulator));
    }
  }
}

GradientReducer::~GradientReducer() = default;

void GradientReducer::prepare_final_backward() {
  State& s = *state_;
  if (s.accumulators.empty()) return;
  s.armed = true;
  s.next_start = 0;
  s.started_early = 0;
  for (auto& bucket : s.buckets) {
    bucket.packed = false;
    bucket.remaining = 0;
    for (size_t i : bucket.parameters) bucket.remaining += s.parameters[i].requires_grad() ? 1 : 0;
  }
}

void GradientReducer::reduce() {
  start();
  wait();
}

void GradientReducer::start() {
  State& s = *state_;
  if (!s.communicator->distributed()) return;
  if (!s.armed) {
    s.next_start = 0;
    for (auto& bucket : s.buckets) bucket.packed = false;
  }
  s.armed = false;
  // Buckets with a gradient that never became final (a parameter this pass did not
  // reach, or no backward pass on this rank) start now, in order.
  for (size_t b = s.next_start; b < s.buckets.size(); ++b) {
    if (!s.buckets[b].packed) s.pack(s.buckets[b]);
  }
  s.start_packed();
}

void GradientReducer::wait() {
  State& s = *state_;
  if (!s.communicator->distributed()) return;
  for (auto& bucket : s.buckets) {
    bucket.pending.wait();
    int64_t offset = 0;
    for (size_t i : bucket.parameters) {
      auto& p = s.parameters[i];
      const auto summed = bucket.flat.narrow(0, offset, p.numel()).view(p.sizes());
      offset += p.numel();
      if (!p.requires_grad()) continue;  // frozen: no gradient, no update
      if (p.grad().defined()) {
        p.mutable_grad().copy_(summed);
      } else {
        p.mutable_grad() = summed.clone();
      }
    }
  }
}

size_t GradientReducer::bucket_count() const { return state_->buckets.size(); }

int64_t GradientReducer::element_count() const {
  int64_t count = 0;
  for (const auto& bucket : state_->buckets) count += bucket.flat.numel();
  return count;
}

size_t GradientReducer::started_early() const { return state_->started_early; }

}  // namespace heed
