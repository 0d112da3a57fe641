// Corpus and line readers (data/corpus_reader.h, util/line_reader.h) on arbitrary files.
//
// Every reader reads the same bytes: read_tsv (with and without skip_bad_lines),
// read_lines, read_lines_as_sacrebleu and LineReader (both InvalidUtf8 modes). For
// read_parallel the bytes are cut at the first "\0\0" into the source and target files
// (the whole input on both sides when there is none).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/corpus_reader.h"
#include "fuzz_support.h"
#include "util/error.h"
#include "util/line_reader.h"
#include "util/utf8.h"

namespace {

using heed::fuzz::Scratch;
using heed::fuzz::shown;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

void check_pairs(const heed::Corpus& corpus, std::string_view bytes, bool tsv) {
  for (const heed::SentencePair& pair : corpus.pairs) {
    for (const std::string* side : {&pair.source, &pair.target}) {
      FUZZ_CHECK(!side->empty() && heed::utf8::is_valid(*side), shown(bytes));
      FUZZ_CHECK(!is_blank(side->front()) && !is_blank(side->back()), shown(bytes) + " side " + shown(*side));
      FUZZ_CHECK(side->find_first_of("\r\n") == std::string::npos, shown(bytes) + " side " + shown(*side));
    }
    if (tsv) FUZZ_CHECK(pair.source.find('\t') == std::string::npos, shown(bytes));
  }
}

// Without skip_bad_lines a reader either throws heed::Error or reads what the skipping
// reader reads having skipped nothing.
template <class Read>
void check_reader(Read read, std::string_view bytes, bool tsv, bool always_succeeds_with_skip) {
  std::optional<heed::Corpus> skipping;
  try {
    skipping = read(heed::ReadOptions{true});
  } catch (const heed::Error&) {
    FUZZ_CHECK(!always_succeeds_with_skip, shown(bytes));
    return;
  }
  check_pairs(*skipping, bytes, tsv);
  try {
    const heed::Corpus strict = read(heed::ReadOptions{false});
    FUZZ_CHECK(skipping->skipped_lines == 0, shown(bytes));
    FUZZ_CHECK(strict.pairs.size() == skipping->pairs.size(), shown(bytes));
    for (size_t i = 0; i < strict.pairs.size(); ++i) {
      FUZZ_CHECK(strict.pairs[i].source == skipping->pairs[i].source &&
                     strict.pairs[i].target == skipping->pairs[i].target,
                 shown(bytes));
    }
  } catch (const heed::Error&) {
    FUZZ_CHECK(skipping->skipped_lines > 0, shown(bytes));
  }
}

// LineReader in one mode; nullopt when it threw heed::Error.
struct ReaderLines {
  std::vector<std::string> lines;
  std::vector<bool> replaced;
};
std::optional<ReaderLines> read_with_line_reader(const std::string& path, heed::InvalidUtf8 mode) {
  ReaderLines out;
  try {
    heed::LineReader reader(path, mode);
    while (true) {
      FUZZ_CHECK(reader.ready(), path);  // a regular file never makes it wait
      std::optional<std::string> line = reader.next();
      if (!line) break;
      FUZZ_CHECK(reader.line_number() == out.lines.size() + 1, path);
      out.lines.push_back(std::move(*line));
      out.replaced.push_back(reader.replaced_invalid());
    }
    FUZZ_CHECK(!reader.next().has_value(), path);  // stays at the end
  } catch (const heed::Error&) {
    return std::nullopt;
  }
  return out;
}

void check_line_readers(const std::string& path, std::string_view bytes) {
  std::optional<std::vector<std::string>> universal, sacrebleu;
  try {
    universal = heed::read_lines(path);
  } catch (const heed::Error&) {
  }
  try {
    sacrebleu = heed::read_lines_as_sacrebleu(path);
  } catch (const heed::Error&) {
  }
  // Each reader fails only on invalid UTF-8, which is the same bytes for all of them.
  const bool valid = heed::utf8::is_valid(bytes);
  FUZZ_CHECK(universal.has_value() == valid, shown(bytes));
  FUZZ_CHECK(sacrebleu.has_value() == valid, shown(bytes));
  if (universal) {
    for (const auto& line : *universal) FUZZ_CHECK(line.find_first_of("\r\n") == std::string::npos, shown(bytes));
    FUZZ_CHECK(universal->empty() || universal->front().compare(0, 3, "\xEF\xBB\xBF") != 0 ||
                   bytes.compare(0, 6, "\xEF\xBB\xBF\xEF\xBB\xBF") == 0,
               shown(bytes));
  }
  if (sacrebleu) {
    for (const auto& line : *sacrebleu) FUZZ_CHECK(line.find('\n') == std::string::npos, shown(bytes));
  }

  const std::optional<ReaderLines> strict = read_with_line_reader(path, heed::InvalidUtf8::Error);
  const std::optional<ReaderLines> replacing = read_with_line_reader(path, heed::InvalidUtf8::Replace);
  FUZZ_CHECK(replacing.has_value(), shown(bytes));  // Replace never refuses a file
  // LineReader and sacreBLEU's file reading cut the same lines (at "\n" only); LineReader
  // then drops one "\r" before the "\n" and the BOM of the first line.
  std::vector<std::string> expected;
  size_t start = 0;
  while (start < bytes.size()) {
    size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    std::string line(bytes.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (expected.empty() && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    expected.push_back(std::move(line));
    start = end + 1;
  }
  FUZZ_CHECK(replacing->lines.size() == expected.size(), shown(bytes));
  bool all_valid = true;
  for (size_t i = 0; i < expected.size(); ++i) {
    const bool line_valid = heed::utf8::is_valid(expected[i]);
    all_valid = all_valid && line_valid;
    FUZZ_CHECK(heed::utf8::is_valid(replacing->lines[i]), shown(bytes));
    FUZZ_CHECK(replacing->replaced[i] == !line_valid, shown(bytes));
    if (line_valid) FUZZ_CHECK(replacing->lines[i] == expected[i], shown(bytes));
  }
  FUZZ_CHECK(strict.has_value() == all_valid, shown(bytes));
  if (strict) FUZZ_CHECK(strict->lines == expected, shown(bytes));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const Scratch& scratch = Scratch::get();
  const std::string path = scratch.write("corpus.tsv", bytes);
  try {
    check_reader([&](const heed::ReadOptions& o) { return heed::read_tsv(path, o); }, bytes, true, true);

    const size_t cut = bytes.find(std::string_view("\0\0", 2));
    const std::string_view source = cut == std::string_view::npos ? bytes : bytes.substr(0, cut);
    const std::string_view target = cut == std::string_view::npos ? bytes : bytes.substr(cut + 2);
    const std::string source_path = scratch.write("corpus.src", source);
    const std::string target_path = scratch.write("corpus.tgt", target);
    check_reader([&](const heed::ReadOptions& o) { return heed::read_parallel(source_path, target_path, o); },
                 bytes, false, false);

    check_line_readers(path, bytes);
  } catch (const heed::Error&) {
  }
  return 0;
}
