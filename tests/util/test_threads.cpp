#include <gtest/gtest.h>

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <cstdlib>

#include "util/threads.h"

namespace heed {
namespace {

using BlasThreads = int (*)();

// OpenBLAS's own thread count, or -1 when heed runs on another BLAS.
int blas_threads() {
  const auto get = reinterpret_cast<BlasThreads>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : -1;
}

bool overridden() { return std::getenv("HEED_TORCH_THREADS") || std::getenv("HEED_BLAS_THREADS"); }

TEST(Threads, TheProductPoolGetsTheThreadsAndTheOtherOne) {
  if (blas_threads() < 0 || overridden()) GTEST_SKIP() << "needs OpenBLAS and no HEED_*_THREADS override";
  set_threads(2);
  EXPECT_EQ(thread_count(), 2);
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_EQ(blas_threads(), 2);
  {
    const ProductPoolScope torch_products(ProductPool::Torch);
    EXPECT_EQ(at::get_num_threads(), 2);
    EXPECT_EQ(blas_threads(), 1);
    {
      const ProductPoolScope blas_products(ProductPool::Blas);  // validation inside bf16 training
      EXPECT_EQ(at::get_num_threads(), 1);
      EXPECT_EQ(blas_threads(), 2);
    }
    EXPECT_EQ(at::get_num_threads(), 2);
    EXPECT_EQ(blas_threads(), 1);
  }
  EXPECT_EQ(at::get_num_threads(), 1);
  EXPECT_EQ(blas_threads(), 2);
  set_threads(1);
  EXPECT_EQ(thread_count(), 1);
  EXPECT_EQ(blas_threads(), 1);
  set_threads(0);  // all cores, as the other tests expect
}

}  // namespace
}  // namespace heed
