#include "models/product_profile.h"

#include <ATen/record_function.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>

#include "util/error.h"

namespace heed {

namespace {

std::atomic<bool> g_active{false};
std::mutex g_mutex;
ProductTotals g_totals;
at::CallbackHandle g_handle = 0;

thread_local int t_depth = 0;  // products open on this thread (linear -> addmm counts once)

struct ProductStart : at::ObserverContext {
  std::chrono::steady_clock::time_point start;
  double flops = 0.0;
};

int64_t product_of(c10::IntArrayRef sizes, size_t count) {
  int64_t n = 1;
  for (size_t i = 0; i < count && i < sizes.size(); ++i) n *= sizes[i];
  return n;
}

// The LibTorch operations counted as products.
enum class ProductOp { None, Linear, Addmm, Mm, Matmul };

ProductOp product_op(const char* name) {
  if (std::strncmp(name, "aten::", 6) != 0) return ProductOp::None;
  name += 6;
  if (std::strcmp(name, "linear") == 0) return ProductOp::Linear;
  if (std::strcmp(name, "addmm") == 0) return ProductOp::Addmm;
  if (std::strcmp(name, "mm") == 0) return ProductOp::Mm;
  if (std::strcmp(name, "matmul") == 0 || std::strcmp(name, "bmm") == 0) return ProductOp::Matmul;
  return ProductOp::None;
}

// Operations of a product from its inputs (0 when they are not the expected tensors).
double product_flops(const at::RecordFunction& fn, ProductOp op) {
  const auto inputs = fn.inputs();
  const auto tensor = [&](size_t i) -> const at::Tensor* {
    return i < inputs.size() && inputs[i].isTensor() ? &inputs[i].toTensor() : nullptr;
  };
  switch (op) {
    case ProductOp::Linear: {  // (input (..., K), weight (N, K), bias)
      const auto* x = tensor(0);
      const auto* w = tensor(1);
      if (!x || !w || w->dim() != 2) return 0.0;
      return 2.0 * static_cast<double>(x->numel()) * static_cast<double>(w->size(0));
    }
    case ProductOp::Addmm:
    case ProductOp::Mm: {
      const size_t first = op == ProductOp::Addmm ? 1 : 0;  // addmm(bias, a, b)
      const auto* a = tensor(first);
      const auto* b = tensor(first + 1);
      if (!a || !b || a->dim() != 2 || b->dim() != 2) return 0.0;
      return 2.0 * static_cast<double>(a->size(0) * a->size(1) * b->size(1));
    }
    case ProductOp::Matmul: {
      const auto* a = tensor(0);
      const auto* b = tensor(1);
      if (!a || !b || a->dim() < 1 || b->dim() < 1) return 0.0;
      // (..., M, K) x (..., K, N): 2 * (batch * M) * K * N, the batch from the larger operand.
      const int64_t k = a->size(-1);
      const int64_t n = b->dim() >= 2 ? b->size(-1) : 1;
      const int64_t rows = a->numel() / std::max<int64_t>(1, k);
      const int64_t b_batch = b->dim() > 2 ? product_of(b->sizes(), static_cast<size_t>(b->dim() - 2)) : 1;
      const int64_t a_batch = a->dim() > 2 ? product_of(a->sizes(), static_cast<size_t>(a->dim() - 2)) : 1;
      const double broadcast = b_batch > a_batch ? static_cast<double>(b_batch / std::max<int64_t>(1, a_batch)) : 1.0;
      return 2.0 * static_cast<double>(rows) * static_cast<double>(k) * static_cast<double>(n) * broadcast;
    }
    case ProductOp::None:
      break;
  }
  return 0.0;
}

std::unique_ptr<at::ObserverContext> on_start(const at::RecordFunction& fn) {
  const ProductOp op = product_op(fn.name());
  if (op == ProductOp::None) return nullptr;
  if (t_depth++ > 0) return nullptr;  // an inner call of a product already counted
  auto context = std::make_unique<ProductStart>();
  context->flops = product_flops(fn, op);
  context->start = std::chrono::steady_clock::now();
  return context;
}

void on_end(const at::RecordFunction& fn, at::ObserverContext* context) {
  if (product_op(fn.name()) == ProductOp::None || t_depth == 0) return;
  --t_depth;
  if (!context) return;
  auto* start = static_cast<ProductStart*>(context);
  record_product(start->flops, std::chrono::duration<double>(std::chrono::steady_clock::now() - start->start).count());
}

}  // namespace

ProductProfile::ProductProfile() {
  if (g_active.exchange(true)) throw Error("one product profile at a time");
  {
    const std::lock_guard<std::mutex> lock(g_mutex);
    g_totals = {};
  }
  g_handle = at::addGlobalCallback(
      at::RecordFunctionCallback(on_start, on_end).needsInputs(true).scopes({at::RecordScope::FUNCTION}));
}

ProductProfile::~ProductProfile() {
  at::removeCallback(g_handle);
  g_active = false;
}

ProductTotals ProductProfile::totals() const {
  const std::lock_guard<std::mutex> lock(g_mutex);
  return g_totals;
}

bool profiling_products() { return g_active.load(std::memory_order_relaxed); }

void record_product(double flops, double seconds) {
  const std::lock_guard<std::mutex> lock(g_mutex);
  g_totals.calls += 1;
  g_totals.flops += flops;
  g_totals.seconds += seconds;
}

}  // namespace heed
