#include "util/xml.h"

#include "util/utf8.h"

namespace heed {

namespace {
constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool xml_allowed(char32_t value) {
  if (value < 0x20) return value == '\t' || value == '\n' || value == '\r';
  return value != 0xFFFE && value != 0xFFFF;
}
}  // namespace

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    const utf8::CodePoint point = utf8::next_code_point(text, at);
    switch (point.value) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (!point.valid || !xml_allowed(point.value)) {
          out += kReplacement;
        } else {
          out.append(text.substr(at, point.bytes));
        }
    }
    at += point.bytes;
  }
  return out;
}

}  // namespace heed
