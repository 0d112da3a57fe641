// Checkpoint averaging: the element-wise mean of the parameters and floating-point
// buffers of several weight files of the same model (Vaswani et al. 2017; fairseq's and
// Marian's "average the last k checkpoints"), usually a little better than any one.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <string>
#include <vector>

namespace heed {

// Loads each file of `paths` (written by save_weights for this module's architecture)
// and leaves their mean in `module`. heed::Error when a file is missing or does not fit.
void average_checkpoints(torch::nn::Module& module, const std::vector<std::string>& paths,
                         const torch::Device& device);

// With --average-checkpoints K the trainer keeps the weights of its last K validations in
// DIR/checkpoints/step-N.pt. keep_checkpoint saves `module` as step `step`'s checkpoint,
// appends the step to `kept` (oldest first) and drops the oldest beyond K from it; it
// returns the files that dropped out, which the caller deletes only after the new list
// is saved (a crash in between leaves a file behind, never a list naming a missing file).
std::vector<std::string> keep_checkpoint(const torch::nn::Module& module, const std::string& dir, int64_t step,
                                         int64_t keep, std::vector<int64_t>& kept);

// The files of the kept steps that exist (a warning for each missing one).
std::vector<std::string> kept_checkpoint_files(const std::string& dir, const std::vector<int64_t>& kept);

}  // namespace heed
