// Training precision: fp32, or bf16 mixed precision.
//
// bf16 is LibTorch's CPU autocast, the policy of PyTorch's
// torch.autocast("cpu", dtype=torch.bfloat16): while a MixedPrecisionScope is alive,
// matrix products (mm, addmm, bmm, matmul, linear) take bfloat16 operands and
// accumulate in float32 (oneDNN's AVX512-BF16 kernels, twice the multiply-add rate of
// fp32 on CPUs that have them). Everything else stays float32:
//   - the weights, their gradients and Adam's moments (the fp32 "master" copy; autocast
//     casts a weight to bf16 once per forward and caches the cast until the scope ends);
//   - the attention softmax: both attention modules convert their scores to float
//     before it, as CUDA autocast does for softmax;
//   - the loss: the trainer converts the logits to float before the cross-entropy.
// Only the training forward runs inside the scope (the backward follows the dtypes the
// forward recorded); validation, translation and attention dumps always run in fp32.
// bf16 keeps 8 bits of mantissa (about 3 significant digits), so a bf16 run follows
// its fp32 twin closely but not exactly.
#pragma once

#include "core/precision.h"
#include "util/threads.h"

namespace heed {

// True when this CPU multiplies bf16 natively (AVX512-BF16). Without it oneDNN emulates
// bf16 products and a bf16 run is slower than fp32; training warns.
bool cpu_has_native_bf16();

// The thread pool that runs the matrix products of a training step at `precision`:
// OpenBLAS for fp32, LibTorch's OpenMP pool (oneDNN) for bf16. On 2 cores, bf16 training
// with OpenBLAS holding the threads ran at 2330 target tokens/s, with LibTorch holding
// them at 4250 (Multi30k GRU, benchmark configuration).
ProductPool training_product_pool(Precision precision);

// Runs LibTorch's CPU autocast at `precision` for the scope's lifetime (nothing for
// fp32); restores the previous autocast state and clears the weight-cast cache on exit.
class MixedPrecisionScope {
 public:
  explicit MixedPrecisionScope(Precision precision);
  ~MixedPrecisionScope();
  MixedPrecisionScope(const MixedPrecisionScope&) = delete;
  MixedPrecisionScope& operator=(const MixedPrecisionScope&) = delete;

 private:
  bool active_ = false;
  bool was_enabled_ = false;
  int was_dtype_ = 0;  // at::ScalarType of the previous autocast dtype
};

}  // namespace heed
