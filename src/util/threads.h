// Thread settings: LibTorch intra-op threads and the BLAS library's own threads.
#pragma once

namespace heed {

// Uses n CPU threads (n == 0: all cores). With OpenBLAS, matrix products get the n
// threads and LibTorch's element-wise ops one (measured fastest; two busy-waiting pools
// on the same cores fight). HEED_BLAS_THREADS / HEED_TORCH_THREADS override, for
// benchmarks. Without OpenBLAS, LibTorch gets the n threads.
void set_threads(int n);

}  // namespace heed
