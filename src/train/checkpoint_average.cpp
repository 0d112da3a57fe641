#include "train/checkpoint_average.h"

#include <torch/torch.h>


#include "model_dir/model_directory.h"
#include "util/error.h"

namespace heed {
namespace {

// Parameters, then buffers: every tensor save_weights writes.
std::vector<torch::Tensor> state_tensors(torch::nn::Module& module) {
  std::vector<torch::Tensor> tensors = module.parameters();
  for (auto& buffer : module.buffers()) tensors.push_back(buffer);
  return tensors;
}

}  // namespace

void average_checkpoints(torch::nn::Module& module, const std::vector<std::string>& paths,
                         const torch::Device& device) {
  if (paths.empty()) throw Error("no checkpoints to average");
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> sums;
  for (const std::string& path : paths) {
    load_weights(module, path, device);
    const auto tensors = state_tensors(module);
    if (sums.empty()) {
      for (const auto& t : tensors) sums.push_back(t.is_floating_point() ? t.to(torch::kFloat64) : t.clone());
    } else {
      for (size_t i = 0; i < tensors.size(); ++i) {
        if (tensors[i].is_floating_point()) sums[i] += tensors[i].to(torch::kFloat64);
      }
    }
  }
  const auto tensors = state_tensors(module);
  const double count = static_cast<double>(paths.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    if (tensors[i].is_floating_point()) tensors[i].copy_(sums[i] / count);
  }
}

}  // namespace heed
