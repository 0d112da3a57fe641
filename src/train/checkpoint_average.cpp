#include "train/checkpoint_average.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include <filesystem>

#include "model_dir/model_directory.h"
#include "util/atomic_file.h"
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

std::vector<std::string> keep_checkpoint(const torch::nn::Module& module, const std::string& dir, int64_t step,
                                         int64_t keep, std::vector<int64_t>& kept) {
  create_directories(dir + "/checkpoints");
  save_weights(module, model_files::checkpoint(dir, step));
  if (kept.empty() || kept.back() != step) kept.push_back(step);
  std::vector<std::string> evicted;
  while (static_cast<int64_t>(kept.size()) > keep) {
    evicted.push_back(model_files::checkpoint(dir, kept.front()));
    kept.erase(kept.begin());
  }
  return evicted;
}

std::vector<std::string> kept_checkpoint_files(const std::string& dir, const std::vector<int64_t>& kept) {
  std::vector<std::string> paths;
  for (int64_t step : kept) {
    const std::string path = model_files::checkpoint(dir, step);
    if (std::filesystem::exists(path)) {
      paths.push_back(path);
    } else {
      spdlog::warn("checkpoint {} is missing; averaging the others", path);
    }
  }
  return paths;
}

}  // namespace heed
