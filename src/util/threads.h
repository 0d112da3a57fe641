// Thread settings: LibTorch intra-op threads and the BLAS library's own threads.
#pragma once

namespace heed {

// n >= 1: LibTorch intra-op threads = n and OpenBLAS threads = n (matrix products run
// inside OpenBLAS's own pool, element-wise ops in LibTorch's). n == 0 leaves the defaults.
void set_threads(int n);

}  // namespace heed
