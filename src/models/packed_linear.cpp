#include "models/packed_linear.h"

#include <ATen/Parallel.h>

#include <atomic>
#include <chrono>
#include <functional>

#include "kernels/bf16_gemm.h"
#include "kernels/f32_gemm.h"
#include "kernels/int8_gemm.h"
#include "models/product_profile.h"
#include "util/error.h"
#include "util/thread_team.h"

namespace heed {

namespace {
std::atomic<bool> g_pack_float32{false};
}  // namespace

void pack_float32_products(bool on) { g_pack_float32 = on; }
bool float32_products_packed() { return g_pack_float32; }

struct PackedLinear::Packed {
  Precision precision;
  int64_t outputs = 0, inputs = 0;
  Int8Weights int8;
  Bf16Weights bf16;
  F32Weights f32;
  torch::Tensor bias;  // (N) float32 contiguous, or undefined
};

PackedLinear::PackedLinear(const torch::Tensor& weight, const torch::Tensor& bias, Precision precision) {
  if (precision == Precision::Float32 && !float32_products_packed()) return;
  if (weight.dim() != 2 || weight.scalar_type() != torch::kFloat32 || !weight.device().is_cpu()) {
    throw Error("reduced-precision products need float32 CPU weights of two dimensions");
  }
  auto packed = std::make_shared<Packed>();
  packed->precision = precision;
  packed->outputs = weight.size(0);
  packed->inputs = weight.size(1);
  const torch::Tensor w = weight.stride(1) == 1 ? weight.detach() : weight.detach().contiguous();
  if (precision == Precision::Int8) {
    packed->int8 = pack_int8_weights(w.data_ptr<float>(), packed->outputs, packed->inputs, w.stride(0));
  } else if (precision == Precision::BFloat16) {
    packed->bf16 = pack_bf16_weights(w.data_ptr<float>(), packed->outputs, packed->inputs, w.stride(0));
  } else {
    packed->f32 = pack_f32_weights(w.data_ptr<float>(), packed->outputs, packed->inputs, w.stride(0));
  }
  if (bias.defined()) packed->bias = bias.detach().to(torch::kFloat32).contiguous().clone();
  packed_ = std::move(packed);
}

PackedLinear PackedLinear::gather_rows(const torch::Tensor& ids) const {
  const Packed& p = *packed_;
  const torch::Tensor rows = ids.to(torch::kCPU).to(torch::kInt64).contiguous();
  const int64_t* row = rows.data_ptr<int64_t>();
  for (int64_t i = 0; i < rows.numel(); ++i) {
    if (row[i] < 0 || row[i] >= p.outputs) throw Error("packed product: output row out of range");
  }
  auto gathered = std::make_shared<Packed>();
  gathered->precision = p.precision;
  gathered->outputs = rows.numel();
  gathered->inputs = p.inputs;
  if (p.precision == Precision::Int8) {
    gathered->int8 = gather_int8_rows(p.int8, row, rows.numel());
  } else if (p.precision == Precision::BFloat16) {
    gathered->bf16 = gather_bf16_rows(p.bf16, row, rows.numel());
  } else {
    gathered->f32 = gather_f32_rows(p.f32, row, rows.numel());
  }
  if (p.bias.defined()) gathered->bias = p.bias.index_select(0, rows).contiguous();
  PackedLinear result;
  result.packed_ = std::move(gathered);
  return result;
}

torch::Tensor PackedLinear::operator()(const torch::Tensor& x) const {
  const Packed& p = *packed_;
  if (x.size(-1) != p.inputs) {
    throw Error("packed product: input of " + std::to_string(x.size(-1)) + " features, weights of " +
                std::to_string(p.inputs));
  }
  const bool timed = profiling_products();
  const auto start = timed ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
  const torch::Tensor input = x.to(torch::kFloat32).contiguous();
  const int64_t rows = p.inputs > 0 ? input.numel() / p.inputs : 0;
  auto sizes = input.sizes().vec();
  sizes.back() = p.outputs;
  torch::Tensor y = torch::empty(sizes, input.options());
  if (rows == 0) return y;
  const float* in = input.data_ptr<float>();
  float* out = y.data_ptr<float>();
  const float* bias = p.bias.defined() ? p.bias.data_ptr<float>() : nullptr;
  const int64_t panels = panel_count(p.outputs);
  ThreadTeam* team = current_thread_team();
  const auto over_panels = [&](const std::function<void(int64_t, int64_t)>& gemm) {
    if (team) {
      // A team's helper may be asleep: only pieces of tens of microseconds are worth
      // waking it for. Below four rows a panel costs about what it costs at four (the
      // time goes to streaming its weights), so few rows count as four.
      const int64_t cost = std::max<int64_t>(rows, kBlockRows) * p.inputs * kPanelColumns;
      team->run(panels, std::max<int64_t>(1, (int64_t{1} << 21) / cost), gemm);
    } else {
      // Enough multiply-adds per task that splitting pays for the threads' wake-up.
      const int64_t per_panel = std::max<int64_t>(1, rows * p.inputs * kPanelColumns);
      at::parallel_for(0, panels, std::max<int64_t>(1, (int64_t{1} << 17) / per_panel), gemm);
    }
  };
  // The inputs' rounding or quantization is per row; a team's worker does it alone.
  const auto over_rows = [&](const std::function<void(int64_t, int64_t)>& prepare) {
    if (team) {
      prepare(0, rows);
    } else {
      at::parallel_for(0, rows, std::max<int64_t>(1, (int64_t{1} << 15) / std::max<int64_t>(1, p.inputs)), prepare);
    }
  };
  if (p.precision == Precision::Int8) {
    Int8Rows quantized;
    resize_int8_rows(quantized, rows, p.inputs);
    over_rows([&](int64_t begin, int64_t end) { quantize_int8_rows(in, p.inputs, p.inputs, begin, end, quantized); });
    over_panels([&](int64_t begin, int64_t end) { int8_gemm(quantized, p.int8, bias, out, p.outputs, begin, end); });
  } else if (p.precision == Precision::Float32) {
    over_panels([&](int64_t begin, int64_t end) { f32_gemm(in, rows, p.inputs, p.f32, bias, out, p.outputs, begin, end); });
  } else {
    Bf16Rows rounded;
    resize_bf16_rows(rounded, rows, p.inputs);
    over_rows([&](int64_t begin, int64_t end) { round_bf16_rows(in, p.inputs, p.inputs, begin, end, rounded); });
    over_panels([&](int64_t begin, int64_t end) { bf16_gemm(rounded, p.bf16, bias, out, p.outputs, begin, end); });
  }
  if (timed) {
    record_product(2.0 * static_cast<double>(rows) * static_cast<double>(p.inputs) * static_cast<double>(p.outputs),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return y;
}

}  // namespace heed
