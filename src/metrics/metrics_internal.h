// The general sacreBLEU machinery behind corpus_bleu / corpus_chrf (internal).
//
// bleu.h exposes sacreBLEU's defaults only; these entry points keep the other knobs
// sacreBLEU has (smoothing method, effective order, n-gram order, several references,
// chrF beta / eps smoothing / whitespace) so that the published sacreBLEU test
// expectations can be checked one to one.
#pragma once

#include <string>
#include <vector>

#include "metrics/bleu.h"

namespace heed::metrics_internal {

// The sacreBLEU release whose numbers these metrics reproduce (for signatures).
inline constexpr const char* kSacrebleuVersion = "2.3.1";

enum class Smooth { None, Floor, AddK, Exp };

struct BleuConfig {
  BleuTokenizer tokenize = BleuTokenizer::Mteval13a;
  bool lowercase = false;
  Smooth smooth = Smooth::Exp;
  double smooth_value = -1.0;    // < 0: sacreBLEU's default (floor 0.1, add-k 1)
  bool effective_order = false;
  int max_order = 4;
};

struct BleuResult {
  double score = 0.0;               // 0..100
  std::vector<double> counts;       // matched n-grams per order (add-k adds to these)
  std::vector<double> totals;       // hypothesis n-grams per order
  std::vector<double> precisions;   // 0..100
  double bp = 0.0;
  size_t sys_len = 0;
  size_t ref_len = 0;
};

// sacreBLEU BLEU.compute_bleu on sufficient statistics.
BleuResult compute_bleu(std::vector<double> counts, std::vector<double> totals, size_t sys_len,
                        size_t ref_len, const BleuConfig& config);

// Tokens of one segment after sacreBLEU's preprocessing (lowercase, rstrip, tokenizer).
std::vector<std::string> bleu_tokens(const std::string& segment, const BleuConfig& config);

// corpus BLEU; ref_streams[k][i] is the k-th reference of hypothesis i. Empty
// references are skipped per segment (as sacreBLEU does). Throws heed::Error when a
// stream's size differs from the hypotheses'.
BleuResult corpus_bleu(const std::vector<std::string>& hypotheses,
                       const std::vector<std::vector<std::string>>& ref_streams,
                       const BleuConfig& config);

struct ChrfConfig {
  int char_order = 6;
  int beta = 2;
  bool eps_smoothing = false;
  bool whitespace = false;  // keep whitespace inside character n-grams
};

// Per order i: {hyp n-grams, ref n-grams, matches} at [3i, 3i+1, 3i+2].
std::vector<long long> chrf_statistics(const std::string& hypothesis, const std::string& reference,
                                       const ChrfConfig& config);

// sacreBLEU CHRF._compute_f_score (0..100) on summed statistics.
double chrf_f_score(const std::vector<long long>& stats, const ChrfConfig& config);

// Corpus chrF; ref_streams[k][i] is the k-th reference of hypothesis i. Per segment the
// reference with the best F score supplies the statistics; empty references are skipped.
// Throws heed::Error when a stream's size differs from the hypotheses'.
double corpus_chrf(const std::vector<std::string>& hypotheses,
                   const std::vector<std::vector<std::string>>& ref_streams,
                   const ChrfConfig& config);

}  // namespace heed::metrics_internal
