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

}  // namespace heed
