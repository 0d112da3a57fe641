// CRC-32C (Castagnoli), the checksum a model directory's manifest records for each file.
//
// CRC-32C rather than a cryptographic hash: the manifest guards against truncation,
// flipped bytes and files from another save, not against an attacker, and a CRC reads a
// weights file at memory speed (SSE4.2's crc32 instruction where the CPU has it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace heed {

// Continues `crc` (0 for a fresh start) over `size` bytes.
uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);

struct FileDigest {
  uint64_t size = 0;
  uint32_t crc32c = 0;
};

// Size and CRC-32C of a whole file; throws heed::Error when it cannot be read.
FileDigest digest_file(const std::string& path);

// "e3069283": eight lowercase hex digits, as the manifest stores a checksum.
std::string crc32c_hex(uint32_t crc);

}  // namespace heed
