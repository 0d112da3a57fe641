#include "util/allocator.h"

#include <malloc.h>

namespace heed {

void tune_allocator() {
  // glibc serves blocks above M_MMAP_THRESHOLD (at most 32 MB) with mmap and gives them
  // back at free, so the (N, V) logits, log-probabilities and gradients of every training
  // step (about 120 MB each at 4096-token batches and 8000 target words) were mapped and
  // faulted in afresh, page by zeroed page. No mmap: every block comes from the heap and
  // is reused, and the heap is trimmed only when more than 1 GB is free at its top.
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace heed
