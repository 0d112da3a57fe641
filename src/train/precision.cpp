#include "train/precision.h"

#include <ATen/autocast_mode.h>

#include "util/error.h"

namespace heed {

bool cpu_has_native_bf16() {
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
  return __builtin_cpu_supports("avx512bf16");
#else
  return false;
#endif
}

ProductPool training_product_pool(Precision precision) {
  return precision == Precision::BFloat16 ? ProductPool::Torch : ProductPool::Blas;
}

MixedPrecisionScope::MixedPrecisionScope(Precision precision) {
  if (precision == Precision::Float32) return;
  active_ = true;
  was_enabled_ = at::autocast::is_cpu_enabled();
  was_dtype_ = static_cast<int>(at::autocast::get_autocast_cpu_dtype());
  at::autocast::set_cpu_enabled(true);
  at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
  at::autocast::increment_nesting();
}

MixedPrecisionScope::~MixedPrecisionScope() {
  if (!active_) return;
  // The cache holds this forward's bf16 copies of the weights; the next step's weights
  // differ, so the outermost scope drops it (as torch.autocast's __exit__ does).
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_autocast_cpu_dtype(static_cast<at::ScalarType>(was_dtype_));
  at::autocast::set_cpu_enabled(was_enabled_);
}

}  // namespace heed
