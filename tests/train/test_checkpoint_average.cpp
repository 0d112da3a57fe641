// Checkpoint averaging: the mean of every parameter and buffer, for any module.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/temp_dir.h"
#include "support/tiny_models.h"
#include "train/checkpoint_average.h"
#include "model_dir/model_directory.h"
#include "util/error.h"

namespace heed {
namespace {

TEST(CheckpointAverage, GivesTheElementWiseMeanOfEveryParameter) {
  testing::TempDir dir("heed_average");
  for (const std::string name : {"gru-bahdanau", "transformer"}) {
    std::vector<std::string> paths;
    std::vector<std::vector<torch::Tensor>> weights;
    for (uint64_t seed : {1, 2, 3}) {
      auto model = testing::tiny_model(name, 23, 19, seed);
      paths.push_back(dir / (name + std::to_string(seed) + ".pt"));
      save_weights(*model, paths.back());
      std::vector<torch::Tensor> copies;
      for (const auto& p : model->parameters()) copies.push_back(p.detach().clone());
      weights.push_back(copies);
    }
    auto model = testing::tiny_model(name, 23, 19, 9);
    average_checkpoints(*model, paths, torch::kCPU);
    const auto parameters = model->parameters();
    ASSERT_EQ(parameters.size(), weights[0].size());
    for (size_t i = 0; i < parameters.size(); ++i) {
      const auto expected = (weights[0][i].to(torch::kFloat64) + weights[1][i].to(torch::kFloat64) +
                             weights[2][i].to(torch::kFloat64)) / 3.0;
      EXPECT_TRUE(torch::allclose(parameters[i].to(torch::kFloat64), expected, 1e-6, 1e-7)) << name << " " << i << " max error "
        << (parameters[i].to(torch::kFloat64) - expected).abs().max().item<double>();
    }
    // One checkpoint averages to itself.
    average_checkpoints(*model, {paths[1]}, torch::kCPU);
    EXPECT_TRUE(torch::equal(model->parameters()[0], weights[1][0]));
  }
}

TEST(CheckpointAverage, MissingFilesAreErrors) {
  auto model = testing::tiny_model("gru-bahdanau");
  EXPECT_THROW(average_checkpoints(*model, {}, torch::kCPU), Error);
  EXPECT_THROW(average_checkpoints(*model, {"/nonexistent/heed.pt"}, torch::kCPU), Error);
}

}  // namespace
}  // namespace heed
