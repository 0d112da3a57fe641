// The training loss: softmax cross-entropy with label smoothing, in one autograd node.
//
// torch::nn::functional::cross_entropy is two nodes, log_softmax and nll_loss. Its
// forward writes the (N, V) log-probabilities; its backward fills an (N, V) zero
// gradient, scatters the targets into it, then runs log_softmax's backward, which reads
// both and exponentiates the log-probabilities again. Over an 8000-word vocabulary that
// is several passes over the largest tensor of a training step.
//
// Here the forward keeps the softmax probabilities p (N, V) and the backward turns them,
// in place, into the gradient
//   d loss / d logits = grad * (p - (1 - eps) onehot(target) - eps / V) / N
// in one pass (two with smoothing), with one (N, V) buffer fewer at the peak.
//
// The loss is cross_entropy(logits, targets, label_smoothing(eps)) with mean reduction:
//   mean_n [ (1 - eps) * (-log p[n, t_n]) + eps * mean_v (-log p[n, v]) ]
// The backward may run once (the saved probabilities become the gradient): backward
// with retain_graph through this node fails with LibTorch's "modified by an inplace
// operation" error instead of returning a wrong gradient.
#pragma once

#include <torch/types.h>

namespace heed {

// logits (N, V) float; targets (N) int64 in [0, V); 0 <= label_smoothing < 1.
// Returns the mean loss, a 0-dim tensor.
torch::Tensor softmax_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets,
                                    double label_smoothing);

}  // namespace heed
