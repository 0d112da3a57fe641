// Corpus readers.
//
// TSV: one pair per line, `source<TAB>target[<TAB>ignored...]` (Tatoeba / manythings
// files load as they are). Parallel: two line-aligned files.
// Both: a UTF-8 BOM at the start is dropped, CRLF and CR line ends are accepted,
// surrounding spaces of each field are trimmed, blank lines are skipped.
// Malformed lines (one column, an empty side, invalid UTF-8; in parallel files, a
// blank line on one side only) throw heed::Error "FILE:LINE: reason" unless
// `skip_bad_lines` is set, in which case they are skipped and counted.
#pragma once

#include <string>
#include <vector>

#include "core/sentence_pair.h"

namespace heed {

struct ReadOptions {
  bool skip_bad_lines = false;
};

Corpus read_tsv(const std::string& path, const ReadOptions& options = {});
Corpus read_parallel(const std::string& source_path, const std::string& target_path,
                     const ReadOptions& options = {});

// Lines of a text file ("-": all of standard input, named <stdin> in errors) with BOM and
// line ends removed, UTF-8 validated (heed::Error "FILE:LINE: invalid UTF-8"). Blank
// lines are kept.
std::vector<std::string> read_lines(const std::string& path);

// read_lines as sacreBLEU reads its inputs, for heed score: a BOM is text (Python's
// "utf-8" codec keeps U+FEFF), and in a file only "\n" ends a line (open(newline="\n"):
// a "\r" before it is trailing whitespace, which scoring strips, and one elsewhere stays
// in the line as whitespace). Standard input ends lines at "\n", "\r\n" and "\r", as
// Python's sys.stdin does.
std::vector<std::string> read_lines_as_sacrebleu(const std::string& path);

// Writes pairs as TSV lines `source<TAB>target\n`.
std::string to_tsv(const std::vector<SentencePair>& pairs);

}  // namespace heed
