#include "models/gemm_rate.h"

#include <torch/nn/functional/linear.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <limits>

#include "models/packed_linear.h"

namespace heed {

double gemm_rate(Precision precision, const GemmShape& shape, int repetitions) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(1);
  const auto x = torch::randn({shape.rows, shape.inputs});
  const auto weight = torch::randn({shape.outputs, shape.inputs});
  const auto bias = torch::randn({shape.outputs});
  const PackedLinear packed(weight, bias, precision);
  const auto product = [&] {
    return packed ? packed(x) : torch::nn::functional::linear(x, weight, bias);
  };
  product();  // warm-up: buffers, the threads' first wake-up
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < std::max(1, repetitions); ++i) {
    const auto start = std::chrono::steady_clock::now();
    const auto y = product();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  const double flops = 2.0 * static_cast<double>(shape.rows) * static_cast<double>(shape.inputs) *
                       static_cast<double>(shape.outputs);
  return flops / best / 1e9;
}

}  // namespace heed
