#include "util/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace heed {

void set_threads(int n) {
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // OpenBLAS (when it is the BLAS in use) has its own pool; look it up dynamically so
  // heed runs with any BLAS.
  using SetThreads = void (*)(int);
  auto set_blas = reinterpret_cast<SetThreads>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (!set_blas) {
    at::set_num_threads(n);
    return;
  }
  // Measured on 2 cores (scripts/bench-threads.sh): matrix products dominate, and two
  // busy-waiting pools (OpenMP + OpenBLAS) on the same cores slow training 2.5x, so
  // OpenBLAS gets the threads and LibTorch's element-wise ops run on one.
  const char* blas = std::getenv("HEED_BLAS_THREADS");  // overrides, for that benchmark
  const char* intra = std::getenv("HEED_TORCH_THREADS");
  at::set_num_threads(intra ? std::max(1, std::atoi(intra)) : 1);
  set_blas(blas ? std::max(1, std::atoi(blas)) : n);
}

}  // namespace heed
