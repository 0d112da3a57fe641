// Escaping text for XML, HTML and SVG (the pages and pictures heed writes).
#pragma once

#include <string>
#include <string_view>

namespace heed {

// & < > " ' as entities; code points XML 1.0 forbids (controls other than tab, LF, CR;
// U+FFFE, U+FFFF) and invalid UTF-8 become U+FFFD. Safe in text and attribute values.
std::string xml_escape(std::string_view text);

}  // namespace heed
