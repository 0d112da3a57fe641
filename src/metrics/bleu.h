// Corpus BLEU and chrF exactly as sacreBLEU computes them.
//
// BLEU: sacreBLEU defaults: 4-gram, `13a` tokenizer (or `none`), optional lowercasing,
// brevity penalty exp(1 - r/c) when c < r, smoothing "exp" (sacreBLEU's default:
// the n-th zero-match precision gets 1 / 2^k). Score on a 0..100 scale.
// chrF: sacreBLEU's default chrF2 (char order 6, word order 0, beta 2, whitespace removed).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "util/options.h"

namespace heed {

// sacreBLEU's 13a tokenizer (mteval-v13a), or none for pre-tokenised text.
enum class BleuTokenizer { Mteval13a, None };
extern const EnumNames<BleuTokenizer> kBleuTokenizerNames;  // 13a, none

struct BleuOptions {
  BleuTokenizer tokenize = BleuTokenizer::Mteval13a;
  bool lowercase = false;
};

struct BleuScore {
  double score = 0.0;                  // 0..100
  std::array<double, 4> precisions{};  // 0..100, as sacreBLEU prints them
  double brevity_penalty = 0.0;
  double ratio = 0.0;                  // hyp_len / ref_len
  size_t hyp_len = 0;
  size_t ref_len = 0;
  std::string signature;               // e.g. "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.0.0"
};

// One reference per hypothesis. Throws heed::Error when the sizes differ.
BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references,
                      const BleuOptions& options = {});

struct ChrfScore {
  double score = 0.0;  // 0..100
  std::string signature;
};
struct ChrfOptions {
  bool lowercase = false;
};
ChrfScore corpus_chrf(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references, const ChrfOptions& options = {});

// sacreBLEU's 13a tokenizer (mteval-v13a), exposed for tests.
std::string tokenize_13a(const std::string& line);

// Share of hypotheses equal to their reference (exact string match), 0..1.
double exact_match(const std::vector<std::string>& hypotheses,
                   const std::vector<std::string>& references);

}  // namespace heed
