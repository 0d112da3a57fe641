// RFC 4180 CSV quoting and single-record parsing.
#include "util/csv.h"

#include "util/error.h"

namespace heed::csv {

std::string quote(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out;
  out.reserve(field.size() + 2);
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string join(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += quote(fields[i]);
  }
  return out;
}

// A trailing "\n", "\r\n" or "\r" is ignored. An empty line is one empty field.
// Throws heed::Error on an unterminated quoted field or text after a closing quote.
std::vector<std::string> parse_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  std::vector<std::string> fields;
  std::string field;
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    field.clear();
    if (i < n && line[i] == '"') {
      ++i;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            field += '"';
            i += 2;
          } else {
            ++i;
            closed = true;
            break;
          }
        } else {
          field += line[i++];
        }
      }
      if (!closed) throw Error("malformed CSV line: unterminated quoted field");
      if (i < n && line[i] != ',') throw Error("malformed CSV line: unexpected text after a closing quote");
    } else {
      const size_t comma = line.find(',', i);
      const size_t end = comma == std::string_view::npos ? n : comma;
      field.assign(line.substr(i, end - i));
      i = end;
    }
    fields.push_back(field);
    if (i >= n) break;
    ++i;  // skip the comma; a trailing comma yields a final empty field
    if (i == n) {
      fields.emplace_back();
      break;
    }
  }
  return fields;
}

}  // namespace heed::csv
