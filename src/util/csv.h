// RFC 4180 CSV field quoting and parsing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace heed::csv {

// Quotes `field` when it contains a comma, double quote, CR or LF (doubling inner quotes).
std::string quote(std::string_view field);

// Joins fields with commas, quoting each as needed (no line terminator).
std::string join(const std::vector<std::string>& fields);

// Parses one CSV record (RFC 4180; quoted fields may not span lines here).
std::vector<std::string> parse_line(std::string_view line);

}  // namespace heed::csv
