// The rate at which this machine multiplies matrices in each precision: the "peak" that
// `heed translate --profile` and scripts/bench-decode.sh compare decoding's products with.
//
// Times y = x W^T + b for x (rows, inputs) and W (outputs, inputs) as decoding runs it:
// through PackedLinear (bf16 and int8: the input rounded or quantized at each call, as in
// decoding; float32 when float32_products_packed()), else LibTorch's linear (OpenBLAS). Counts 2 operations per
// multiply-add; reports the best of `repetitions` calls after one warm-up call.
#pragma once

#include <cstdint>

#include "core/precision.h"

namespace heed {

struct GemmShape {
  int64_t rows = 512;
  int64_t inputs = 512;
  int64_t outputs = 8192;
};

// GFLOP/s of the best call. Runs on the current thread settings (util/threads.h); the
// caller picks the pool: OpenBLAS's for fp32, LibTorch's for bf16 and int8.
double gemm_rate(Precision precision, const GemmShape& shape, int repetitions = 10);

}  // namespace heed
