// Thread settings: LibTorch intra-op threads and the BLAS library's own threads.
//
// Two thread pools can do heed's arithmetic: OpenBLAS's (float32 matrix products) and
// LibTorch's OpenMP pool (element-wise work, and oneDNN's bfloat16 matrix products).
// Both busy-wait between calls, so on the same cores they fight: the pool that does
// the matrix products gets the threads and the other runs on one (measured on 2 cores,
// scripts/bench-threads.sh and docs/benchmarks.md § Threads):
//   - ProductPool::Blas (float32, the default): OpenBLAS n threads, LibTorch 1;
//   - ProductPool::Torch (bf16 mixed-precision training): LibTorch n, OpenBLAS 1.
// Without OpenBLAS (another BLAS), LibTorch gets the n threads either way.
// HEED_BLAS_THREADS / HEED_TORCH_THREADS override both policies, for benchmarks.
#pragma once

namespace heed {

enum class ProductPool { Blas, Torch };

// The machine's cores (std::thread::hardware_concurrency, at least 1): what "all cores" means.
int core_count();

// Uses n CPU threads (n == 0: all cores) under the Blas policy, and remembers n.
void set_threads(int n);

// The n of the last set_threads (all cores before any call).
int thread_count();

// Applies `pool`'s policy to the remembered n.
void use_product_pool(ProductPool pool);

// use_product_pool for the scope's lifetime; the previous policy afterwards.
class ProductPoolScope {
 public:
  explicit ProductPoolScope(ProductPool pool);
  ~ProductPoolScope();
  ProductPoolScope(const ProductPoolScope&) = delete;
  ProductPoolScope& operator=(const ProductPoolScope&) = delete;

 private:
  ProductPool previous_;
};

}  // namespace heed
