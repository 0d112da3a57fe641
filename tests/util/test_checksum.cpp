#include "util/checksum.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "support/run_heed.h"
#include "support/temp_dir.h"
#include "util/error.h"

namespace heed {
namespace {

TEST(Crc32c, KnownValues) {
  // The check value of CRC-32C (RFC 3720, appendix B.4's catalogue value).
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  EXPECT_EQ(crc32c("", 0), 0u);
  // RFC 3720 B.4: 32 bytes of zeros, and of 0xFF.
  const std::string zeros(32, '\0'), ones(32, '\xFF');
  EXPECT_EQ(crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(Crc32c, ContinuingEqualsOneCallAtEverySplit) {
  std::mt19937 rng(7);
  std::string data(1000, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  const uint32_t whole = crc32c(data.data(), data.size());
  for (size_t split : {0, 1, 7, 8, 9, 63, 500, 999, 1000}) {
    const uint32_t first = crc32c(data.data(), split);
    EXPECT_EQ(crc32c(data.data() + split, data.size() - split, first), whole) << split;
  }
  data[500] ^= 1;  // one flipped bit changes it
  EXPECT_NE(crc32c(data.data(), data.size()), whole);
}

TEST(Crc32c, HexIsEightLowercaseDigits) {
  EXPECT_EQ(crc32c_hex(0xE3069283u), "e3069283");
  EXPECT_EQ(crc32c_hex(0x1u), "00000001");
}

TEST(Crc32c, DigestOfAFile) {
  testing::TempDir dir("heed_crc");
  testing::write_text(dir / "f", "123456789");
  const FileDigest digest = digest_file(dir / "f");
  EXPECT_EQ(digest.size, 9u);
  EXPECT_EQ(digest.crc32c, 0xE3069283u);
  EXPECT_THROW(digest_file(dir / "missing"), Error);
}

}  // namespace
}  // namespace heed
