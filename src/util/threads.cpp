#include "util/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <cstdlib>

namespace heed {

void set_threads(int n) {
  if (n <= 0) return;
  at::set_num_threads(n);
  // OpenBLAS (when it is the BLAS in use) has its own pool; look it up dynamically so
  // heed runs with any BLAS.
  using SetThreads = void (*)(int);
  if (auto set = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) {
    const char* blas = std::getenv("HEED_BLAS_THREADS");  // for thread-setting benchmarks
    set(blas ? std::max(1, std::atoi(blas)) : n);
  }
}

}  // namespace heed
