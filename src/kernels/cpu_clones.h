// HEED_CPU_CLONES before a function compiles it for AVX-512 (x86-64-v4), AVX2 + FMA
// (x86-64-v3) and baseline x86-64; the loader picks the best the CPU has. Elsewhere
// (other compilers or architectures) it is empty and the function is compiled once.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HEED_CPU_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HEED_CPU_CLONES
#endif
