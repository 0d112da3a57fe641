// Memory allocator tuning for training and decoding loops.
#pragma once

namespace heed {

// Keeps large tensors' memory in the heap for reuse instead of mmap/munmap per
// allocation: otherwise fresh pages fault in on every training step (measured +7%
// tokens/s for the GRU on the dates task). Call once, early in main (the heed binary
// and the test runner, so tests train as the binary does).
void tune_allocator();

}  // namespace heed
