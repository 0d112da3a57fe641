// The layout shared by the packed-weight products (int8_gemm.h, bf16_gemm.h).
//
// A weight matrix W (N outputs, K inputs) is stored in panels of 16 output columns (one
// 512-bit vector of float32 or int32 results). Within a panel the K inputs come in groups
// of G (4 int8 values, or 2 bf16 values: what one 32-bit lane of vpdpbusd / vdpbf16ps
// multiplies and sums), and a group of all 16 columns is one 64-byte vector:
//   panels[((n / 16) * (K_padded / G) + k / G) * 16 * G + (n % 16) * G + k % G] = W[n][k]
// N is padded to 16 and K to G with zeros. A kernel keeps a block of up to 4 rows by 4
// panels (64 columns) in registers while k runs, and computes every output element from
// its row and column alone, in one fixed order: a row's result never depends on the other
// rows of the call, nor on how the columns are split between threads.
#pragma once

#include <cstdint>

namespace heed {

inline constexpr int64_t kPanelColumns = 16;  // output columns per panel
inline constexpr int64_t kBlockPanels = 4;    // panels a kernel keeps in registers
inline constexpr int64_t kBlockRows = 4;      // rows a kernel keeps in registers

inline constexpr int64_t round_up(int64_t value, int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

inline constexpr int64_t panel_count(int64_t columns) { return round_up(columns, kPanelColumns) / kPanelColumns; }

// Which implementation a packed product runs: the best the CPU has, or the portable
// one (tests compare the two; a CPU without the instructions runs the portable one).
enum class KernelPath { Best, Portable };

}  // namespace heed
