// RFC 4180 quoting and record parsing (util/csv.h) on arbitrary bytes.
//
// The input is read two ways: as a CSV line for parse_line (which reads train_log.csv),
// and as fields cut at the byte 0x1F for quote/join (which write the attention CSVs).
// Invariants: a joined record parses back to its fields; a parsed record joins and
// parses back to the same fields; a quoted field has balanced quotes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "util/csv.h"
#include "util/error.h"

namespace {

using heed::fuzz::shown;
using heed::fuzz::split_at;

std::string shown_fields(const std::vector<std::string>& fields) {
  std::string out = "[";
  for (const auto& field : fields) out += shown(field, 40) + ",";
  return out + "]";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // Writing: quote each field, join, parse back.
  const std::vector<std::string> fields = split_at(bytes, '\x1F');
  for (const std::string& field : fields) {
    const std::string quoted = heed::csv::quote(field);
    size_t quotes = 0;
    for (char c : quoted) quotes += c == '"';
    FUZZ_CHECK(quotes % 2 == 0, shown(field) + " -> " + shown(quoted));
    FUZZ_CHECK(quoted == field || (quoted.size() >= 2 && quoted.front() == '"' && quoted.back() == '"'), shown(field));
  }
  const std::string line = heed::csv::join(fields);
  try {
    const std::vector<std::string> parsed = heed::csv::parse_line(line);
    FUZZ_CHECK(parsed == fields, shown_fields(fields) + " -> " + shown(line) + " -> " + shown_fields(parsed));
  } catch (const heed::Error& e) {
    FUZZ_CHECK(false, shown_fields(fields) + " -> " + shown(line) + " refused: " + e.what());
  }

  // Reading: whatever parses, joins and parses back the same.
  try {
    const std::vector<std::string> parsed = heed::csv::parse_line(bytes);
    FUZZ_CHECK(!parsed.empty(), shown(bytes));
    const std::string joined = heed::csv::join(parsed);
    FUZZ_CHECK(heed::csv::parse_line(joined) == parsed, shown(bytes) + " -> " + shown(joined));
  } catch (const heed::Error&) {
  }
  return 0;
}
