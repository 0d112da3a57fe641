#include "text/normalize.h"

#include <cstdint>

#include "util/pytext.h"
#include "util/utf8.h"

namespace heed {
namespace {

enum class CharClass { Keep, Space, Drop };

CharClass classify(uint32_t c) {
  if (c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r' || c == ' ') return CharClass::Space;
  if (c < 0x20 || c == 0x7F) return CharClass::Drop;
  if (c < 0x80) return CharClass::Keep;
  if (c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
      c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000) {
    return CharClass::Space;
  }
  if (c <= 0x9F || c == 0xAD || c == 0x200B || c == 0x2060 || c == 0xFEFF) return CharClass::Drop;
  return CharClass::Keep;
}

// Decodes the code point starting at text[pos] (valid UTF-8) and its byte length.
uint32_t decode_at(std::string_view text, size_t pos, size_t& length) {
  const auto b0 = static_cast<unsigned char>(text[pos]);
  if (b0 < 0x80) {
    length = 1;
    return b0;
  }
  length = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2;
  uint32_t c = b0 & (0x7F >> length);
  for (size_t k = 1; k < length && pos + k < text.size(); ++k) {
    c = (c << 6) | (static_cast<unsigned char>(text[pos + k]) & 0x3F);
  }
  return c;
}

}  // namespace

std::string normalize_text(std::string_view text, const NormalizeOptions& options) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (size_t pos = 0; pos < text.size();) {
    size_t length = 1;
    const uint32_t c = decode_at(text, pos, length);
    switch (classify(c)) {
      case CharClass::Space:
        pending_space = !out.empty();
        break;
      case CharClass::Drop:
        break;
      case CharClass::Keep:
        if (pending_space) out += ' ';
        pending_space = false;
        out.append(text.substr(pos, length));
        break;
    }
    pos += length;
  }
  return options.lowercase ? pytext::lower(out) : out;
}

}  // namespace heed
