// Memory allocator tuning for training and decoding loops.
#pragma once

namespace heed {

// Keeps large tensors' memory in the heap for reuse instead of mmap/munmap per
// allocation: otherwise fresh pages fault in on every training step (measured +7%
// tokens/s for the GRU on the dates task with blocks up to 32 MB kept, and +11% more on
// Multi30k once the 120 MB logits and gradients were kept too; peak RSS +7%). Call
// once, early in main (the heed binary and the test runner, so tests train as the
// binary does).
void tune_allocator();

}  // namespace heed
