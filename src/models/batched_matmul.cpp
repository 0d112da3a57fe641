#include "models/batched_matmul.h"

#include <ATen/Parallel.h>
#include <torch/autograd.h>

#include <vector>

#include "kernels/small_matmul.h"

namespace heed {

namespace {

// (B, H, M, K) x (B, H, K, N) -> (B, H, M, N), contiguous, no autograd.
torch::Tensor multiply_heads(const torch::Tensor& a, const torch::Tensor& b) {
  const int64_t batch = a.size(0), heads = a.size(1), m = a.size(2), k = a.size(3), n = b.size(3);
  auto c = torch::empty({batch, heads, m, n}, a.options());
  const float* a_data = a.data_ptr<float>();
  const float* b_data = b.data_ptr<float>();
  float* c_data = c.data_ptr<float>();
  const auto as = a.strides(), bs = b.strides();
  at::parallel_for(0, batch * heads, 1, [&](int64_t begin, int64_t end) {
    std::vector<float> scratch;
    for (int64_t g = begin; g < end; ++g) {
      const int64_t i = g / heads, h = g % heads;
      const MatrixView a_view{a_data + i * as[0] + h * as[1], m, k, as[2], as[3]};
      const MatrixView b_view{b_data + i * bs[0] + h * bs[1], k, n, bs[2], bs[3]};
      small_matmul(a_view, b_view, c_data + g * m * n, scratch);
    }
  });
  return c;
}

class BatchedMatmulFunction : public torch::autograd::Function<BatchedMatmulFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& a,
                               const torch::Tensor& b) {
    ctx->save_for_backward({a, b});
    return multiply_heads(a, b);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const auto& a = saved[0];
    const auto& b = saved[1];
    const auto& grad = grad_outputs[0];  // (B, H, M, N)
    torch::Tensor grad_a, grad_b;
    if (ctx->needs_input_grad(0)) grad_a = multiply_heads(grad, b.transpose(2, 3));  // (B, H, M, K)
    if (ctx->needs_input_grad(1)) grad_b = multiply_heads(a.transpose(2, 3), grad);  // (B, H, K, N)
    return {grad_a, grad_b};
  }
};

}  // namespace

torch::Tensor batched_matmul(const torch::Tensor& a, const torch::Tensor& b) {
  const bool fits = a.dim() == 4 && b.dim() == 4 && a.device().is_cpu() && b.device().is_cpu() &&
                    a.scalar_type() == torch::kFloat32 && b.scalar_type() == torch::kFloat32 &&
                    a.size(0) == b.size(0) && a.size(1) == b.size(1) && a.size(3) == b.size(2);
  if (!fits) return torch::matmul(a, b);
  return BatchedMatmulFunction::apply(a, b);
}

}  // namespace heed
