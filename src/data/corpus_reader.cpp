// TSV and parallel-file corpus readers.
#include "data/corpus_reader.h"

#include <iostream>
#include <sstream>
#include <string_view>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/line_reader.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace heed {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// How a text is cut into lines: heed's own readers drop a leading BOM and end lines at
// "\n", "\r\n" and "\r"; sacreBLEU's file reading keeps the BOM and ends lines at "\n".
struct LineRules {
  bool drop_bom = true;
  bool universal_newlines = true;
};

// Splits `content` by `rules`. A final line end does not start an extra empty line. The
// views point into `content`.
std::vector<std::string_view> split_lines(std::string_view content, const LineRules& rules = {}) {
  if (rules.drop_bom && content.substr(0, kBom.size()) == kBom) content.remove_prefix(kBom.size());
  std::vector<std::string_view> lines;
  size_t start = 0;
  for (size_t i = 0; i < content.size(); ++i) {
    const char c = content[i];
    if (c != '\n' && (c != '\r' || !rules.universal_newlines)) continue;
    lines.push_back(content.substr(start, i - start));
    if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < content.size()) lines.push_back(content.substr(start));
  return lines;
}

std::string count_lines(size_t count) {
  return std::to_string(count) + (count == 1 ? " line" : " lines");
}

// Throws "FILE:LINE: reason" or counts the line as skipped.
void bad_line(const std::string& file, size_t line, const std::string& reason,
              const ReadOptions& options, Corpus& corpus) {
  if (!options.skip_bad_lines) throw Error(at_line(file, line, reason));
  ++corpus.skipped_lines;
}

}  // namespace

Corpus read_tsv(const std::string& path, const ReadOptions& options) {
  const std::string content = read_file(path);
  const std::vector<std::string_view> lines = split_lines(content);
  Corpus corpus;
  corpus.pairs.reserve(lines.size());
  for (size_t k = 0; k < lines.size(); ++k) {
    const size_t line_number = k + 1;
    const std::string_view line = lines[k];
    if (trim(line).empty()) continue;
    if (!utf8::is_valid(line)) {
      bad_line(path, line_number, "invalid UTF-8", options, corpus);
      continue;
    }
    const size_t tab = line.find('\t');
    if (tab == std::string_view::npos) {
      bad_line(path, line_number, "expected source<TAB>target, found 1 column", options, corpus);
      continue;
    }
    const std::string_view rest = line.substr(tab + 1);
    const std::string_view source = trim(line.substr(0, tab));
    const std::string_view target = trim(rest.substr(0, rest.find('\t')));
    if (source.empty()) {
      bad_line(path, line_number, "empty source sentence", options, corpus);
    } else if (target.empty()) {
      bad_line(path, line_number, "empty target sentence", options, corpus);
    } else {
      corpus.pairs.push_back({std::string(source), std::string(target)});
    }
  }
  return corpus;
}

Corpus read_parallel(const std::string& source_path, const std::string& target_path,
                     const ReadOptions& options) {
  const std::string source_content = read_file(source_path);
  const std::string target_content = read_file(target_path);
  std::vector<std::string_view> source_lines = split_lines(source_content);
  std::vector<std::string_view> target_lines = split_lines(target_content);
  // Trailing blank lines do not count towards alignment.
  while (!source_lines.empty() && trim(source_lines.back()).empty()) source_lines.pop_back();
  while (!target_lines.empty() && trim(target_lines.back()).empty()) target_lines.pop_back();
  if (source_lines.size() != target_lines.size()) {
    throw Error("parallel files differ in length: " + source_path + " has " +
                count_lines(source_lines.size()) + " but " + target_path + " has " +
                count_lines(target_lines.size()));
  }

  Corpus corpus;
  corpus.pairs.reserve(source_lines.size());
  for (size_t k = 0; k < source_lines.size(); ++k) {
    const size_t line_number = k + 1;
    if (!utf8::is_valid(source_lines[k])) {
      bad_line(source_path, line_number, "invalid UTF-8", options, corpus);
      continue;
    }
    if (!utf8::is_valid(target_lines[k])) {
      bad_line(target_path, line_number, "invalid UTF-8", options, corpus);
      continue;
    }
    const std::string_view source = trim(source_lines[k]);
    const std::string_view target = trim(target_lines[k]);
    if (source.empty() && target.empty()) continue;
    if (source.empty()) {
      bad_line(source_path, line_number, "blank line, but " + target_path + " has text on this line",
               options, corpus);
    } else if (target.empty()) {
      bad_line(target_path, line_number, "blank line, but " + source_path + " has text on this line",
               options, corpus);
    } else {
      corpus.pairs.push_back({std::string(source), std::string(target)});
    }
  }
  return corpus;
}

namespace {

std::vector<std::string> read_lines_by(const std::string& path, const LineRules& rules) {
  const bool standard_input = path == "-";
  std::string content;
  if (standard_input) {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    content = buffer.str();
  } else {
    content = read_file(path);
  }
  const std::string name = input_name(path);
  const std::vector<std::string_view> views = split_lines(content, rules);
  std::vector<std::string> lines;
  lines.reserve(views.size());
  for (size_t k = 0; k < views.size(); ++k) {
    if (!utf8::is_valid(views[k])) throw Error(at_line(name, k + 1, "invalid UTF-8"));
    lines.emplace_back(views[k]);
  }
  return lines;
}

}  // namespace

std::vector<std::string> read_lines(const std::string& path) { return read_lines_by(path, {}); }

std::vector<std::string> read_lines_as_sacrebleu(const std::string& path) {
  // Python's sys.stdin reads with universal newlines, sacreBLEU's smart_open with
  // newline="\n"; both decode UTF-8 without dropping a BOM.
  return read_lines_by(path, {/*drop_bom=*/false, /*universal_newlines=*/path == "-"});
}

// Tabs and line breaks inside a sentence become spaces so each pair stays one line.
std::string to_tsv(const std::vector<SentencePair>& pairs) {
  std::string out;
  auto append = [&out](const std::string& text) {
    for (char c : text) out += (c == '\t' || c == '\n' || c == '\r') ? ' ' : c;
  };
  for (const SentencePair& pair : pairs) {
    append(pair.source);
    out += '\t';
    append(pair.target);
    out += '\n';
  }
  return out;
}

}  // namespace heed
