// Corpus BLEU, chrF and the 13a tokenizer (metrics/bleu.h) on arbitrary lines.
//
// The first byte holds the options (bit 0: tokenize none instead of 13a, bit 1:
// lowercase); the rest is cut at "\n" into lines, hypothesis and reference alternating.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.h"
#include "metrics/bleu.h"
#include "util/error.h"
#include "util/pytext.h"
#include "util/utf8.h"

namespace {

using heed::fuzz::shown;

bool in_score_range(double x) { return std::isfinite(x) && x >= 0.0 && x <= 100.0 + 1e-9; }

void check_bleu(const heed::BleuScore& bleu, const std::string& context) {
  FUZZ_CHECK(in_score_range(bleu.score), context + " score " + std::to_string(bleu.score));
  for (double p : bleu.precisions) FUZZ_CHECK(in_score_range(p), context + " precision " + std::to_string(p));
  FUZZ_CHECK(std::isfinite(bleu.brevity_penalty) && bleu.brevity_penalty >= 0.0 && bleu.brevity_penalty <= 1.0,
             context);
  FUZZ_CHECK(std::isfinite(bleu.ratio) && bleu.ratio >= 0.0, context);
}

void check_13a(const std::string& line) {
  const std::string tokens = heed::tokenize_13a(line);
  if (heed::utf8::is_valid(line)) FUZZ_CHECK(heed::utf8::is_valid(tokens), shown(line) + " -> " + shown(tokens));
  // ' '.join(line.split()): single spaces between non-empty tokens.
  std::string rejoined;
  for (const std::string& token : heed::pytext::split(tokens)) rejoined += (rejoined.empty() ? "" : " ") + token;
  FUZZ_CHECK(rejoined == tokens, shown(line) + " -> " + shown(tokens));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  heed::BleuOptions options;
  options.tokenize = (data[0] & 1) != 0 ? heed::BleuTokenizer::None : heed::BleuTokenizer::Mteval13a;
  options.lowercase = (data[0] & 2) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  std::vector<std::string> hypotheses, references;
  size_t start = 0;
  for (size_t k = 0; start <= text.size(); ++k) {
    const size_t end = std::min(text.find('\n', start), text.size());
    (k % 2 == 0 ? hypotheses : references).emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (hypotheses.size() > references.size()) hypotheses.pop_back();
  const std::string context = shown(text);
  try {
    for (const auto& line : hypotheses) check_13a(line);
    for (const auto& line : references) check_13a(line);

    check_bleu(heed::corpus_bleu(hypotheses, references, options), context);
    const heed::ChrfScore chrf = heed::corpus_chrf(hypotheses, references, {options.lowercase});
    FUZZ_CHECK(in_score_range(chrf.score), context + " chrF " + std::to_string(chrf.score));
    const double exact = heed::exact_match(hypotheses, references);
    FUZZ_CHECK(exact >= 0.0 && exact <= 1.0, context);

    // A perfect translation: every precision 100 or 0 (no n-gram of that order at all),
    // and BLEU 100 whenever there are 4-grams; chrF 100 unless there is no character.
    const heed::BleuScore same = heed::corpus_bleu(references, references, options);
    check_bleu(same, context);
    for (double p : same.precisions) FUZZ_CHECK(p == 0.0 || std::fabs(p - 100.0) < 1e-9, context);
    if (same.precisions[3] > 0) FUZZ_CHECK(std::fabs(same.score - 100.0) < 1e-9, context + " " + std::to_string(same.score));
    const double same_chrf = heed::corpus_chrf(references, references, {options.lowercase}).score;
    FUZZ_CHECK(same_chrf == 0.0 || std::fabs(same_chrf - 100.0) < 1e-9, context + " " + std::to_string(same_chrf));
    if (!references.empty()) FUZZ_CHECK(heed::exact_match(references, references) == 1.0, context);
  } catch (const heed::Error&) {
  }
  return 0;
}
