// Dropout with a fast, counter-based random mask.
//
// LibTorch's CPU dropout draws one Bernoulli sample per element from its generator,
// serially: with dropout 0.1, a small Transformer spent ~40% of its training time there.
// heed's draws one 64-bit seed per call from LibTorch's default generator (so
// torch::manual_seed, checkpointed RNG state and "same seed, same loss curve" still
// hold) and derives each element's keep/drop from a SplitMix64 hash of (seed, index).
// Same semantics as torch::nn::Dropout: in training, zero with probability p and scale
// survivors by 1/(1-p); identity in eval mode. On CUDA it defers to torch::dropout.
#pragma once

#include <torch/nn/cloneable.h>
#include <torch/types.h>

namespace heed {

// The mask of one call: (sizes) float, each element 0 or 1/(1-p), from `seed`.
torch::Tensor dropout_mask(at::IntArrayRef sizes, double p, uint64_t seed);

class DropoutImpl : public torch::nn::Cloneable<DropoutImpl> {
 public:
  explicit DropoutImpl(double p = 0.5);
  void reset() override {}
  torch::Tensor forward(const torch::Tensor& input);
  double p() const { return p_; }

 private:
  double p_;
};
TORCH_MODULE(Dropout);

}  // namespace heed
