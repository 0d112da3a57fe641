#include "util/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace heed {

namespace {

int g_threads = 0;                      // 0: set_threads not called yet
ProductPool g_pool = ProductPool::Blas;

using SetBlasThreads = void (*)(int);

// OpenBLAS (when it is the BLAS in use) has its own pool; looked up dynamically so heed
// runs with any BLAS.
SetBlasThreads openblas_setter() {
  static const auto setter =
      reinterpret_cast<SetBlasThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  return setter;
}

int override_or(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::max(1, std::atoi(value)) : fallback;
}

}  // namespace

int core_count() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

void set_threads(int n) {
  g_threads = n > 0 ? n : core_count();
  use_product_pool(ProductPool::Blas);
}

int thread_count() { return g_threads > 0 ? g_threads : core_count(); }

void use_product_pool(ProductPool pool) {
  g_pool = pool;
  const int n = thread_count();
  const SetBlasThreads set_blas = openblas_setter();
  if (!set_blas) {
    at::set_num_threads(n);
    return;
  }
  const bool blas_products = pool == ProductPool::Blas;
  at::set_num_threads(override_or("HEED_TORCH_THREADS", blas_products ? 1 : n));
  set_blas(override_or("HEED_BLAS_THREADS", blas_products ? n : 1));
}

ProductPoolScope::ProductPoolScope(ProductPool pool) : previous_(g_pool) {
  if (pool != previous_) use_product_pool(pool);
}

ProductPoolScope::~ProductPoolScope() {
  if (g_pool != previous_) use_product_pool(previous_);
}

}  // namespace heed
