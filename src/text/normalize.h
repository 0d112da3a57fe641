// Text normalisation: the one place where raw text is cleaned before it is tokenized.
//
// Every tokenizer's encode() runs it first (training, evaluation, translation and the
// text a SentencePiece model is trained on), so the same sentence always gives the
// same tokens whatever path it came in by. The rules, in order:
//   1. Whitespace: every Unicode space separator (U+00A0 no-break space, U+202F narrow
//      no-break space, U+2000..U+200A, U+1680, U+205F, U+3000) and the ASCII controls
//      TAB, LF, VT, FF, CR, plus U+0085 and U+2028/U+2029 line/paragraph separators,
//      become a plain space.
//   2. Removed: the other C0 controls (U+0000..U+001F), DEL, the C1 controls
//      (U+0080..U+009F), U+FEFF (byte-order mark / zero-width no-break space),
//      U+200B zero-width space, U+2060 word joiner and U+00AD soft hyphen.
//      U+200C/U+200D (ZWNJ/ZWJ) are kept: they change how Persian, Indic scripts and
//      emoji are written.
//   3. Runs of spaces become one space; leading and trailing spaces are dropped.
//   4. With `lowercase`, Python's str.lower() (util/pytext.h: every Unicode capital,
//      the final-sigma rule, İ -> i + U+0307), as sacreBLEU lowercases.
// Precondition: valid UTF-8 (every reader checks it and names the line when it is not).
// Not done: Unicode NFC/NFKC composition (SentencePiece models apply their own nmt_nfkc
// rule on top of this).
#pragma once

#include <string>
#include <string_view>

namespace heed {

struct NormalizeOptions {
  bool lowercase = false;
};

std::string normalize_text(std::string_view text, const NormalizeOptions& options = {});

}  // namespace heed
