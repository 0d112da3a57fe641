// Corpus chrF, step for step as sacreBLEU 2.x (metrics/chrf.py) computes it:
// per-sentence character n-gram statistics summed over the corpus, then one F-beta
// score from the precision/recall averaged over the orders that have n-grams.
#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>

#include "metrics/bleu.h"
#include "metrics/metrics_internal.h"
#include "util/pytext.h"
#include "util/error.h"

namespace heed {
namespace metrics_internal {
namespace {

// A segment as a UTF-8 string plus the byte offset of each code point (and the end).
struct CodePoints {
  std::string text;
  std::vector<size_t> offsets;
};

CodePoints code_points(const std::string& segment, bool keep_whitespace) {
  CodePoints cp;
  if (keep_whitespace) {
    cp.text = segment;
  } else {
    for (const std::string& token : pytext::split(segment)) cp.text += token;  // ''.join(s.split())
  }
  cp.offsets = pytext::code_point_offsets(cp.text);
  return cp;
}

// A character n-gram with a hash of its bytes; ordered by hash first so that sorting
// rarely compares the bytes. Equal n-grams still end up adjacent.
struct Gram {
  uint64_t hash;
  std::string_view text;
  bool operator<(const Gram& other) const {
    return hash != other.hash ? hash < other.hash : text < other.text;
  }
};

// The character n-grams of order n, sorted.
std::vector<Gram> sorted_ngrams(const CodePoints& cp, size_t n) {
  std::vector<Gram> ngrams;
  const size_t length = cp.offsets.size() - 1;
  const std::string_view text(cp.text);
  for (size_t i = 0; i + n <= length; ++i) {
    const std::string_view gram = text.substr(cp.offsets[i], cp.offsets[i + n] - cp.offsets[i]);
    uint64_t hash = 1469598103934665603ull;  // FNV-1a
    for (const char c : gram) hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    ngrams.push_back({hash, gram});
  }
  std::sort(ngrams.begin(), ngrams.end());
  return ngrams;
}

// Size of the multiset intersection of two sorted lists (Counter & Counter).
long long count_matches(const std::vector<Gram>& a, const std::vector<Gram>& b) {
  long long matches = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++matches, ++i, ++j;
    }
  }
  return matches;
}

}  // namespace

std::vector<long long> chrf_statistics(const std::string& hypothesis, const std::string& reference,
                                       const ChrfConfig& config) {
  const CodePoints hyp = code_points(hypothesis, config.whitespace);
  const CodePoints ref = code_points(reference, config.whitespace);
  std::vector<long long> stats;
  for (size_t n = 1; n <= static_cast<size_t>(config.char_order); ++n) {
    const std::vector<Gram> hyp_ngrams = sorted_ngrams(hyp, n);
    const std::vector<Gram> ref_ngrams = sorted_ngrams(ref, n);
    const auto hyp_count = static_cast<long long>(hyp_ngrams.size());
    const auto ref_count = static_cast<long long>(ref_ngrams.size());
    // sacreBLEU does not count hypothesis n-grams of an order the reference lacks.
    stats.push_back(ref_ngrams.empty() ? 0 : hyp_count);
    stats.push_back(ref_count);
    stats.push_back(count_matches(hyp_ngrams, ref_ngrams));
  }
  return stats;
}

double chrf_f_score(const std::vector<long long>& stats, const ChrfConfig& config) {
  const double eps = 1e-16;
  const int factor = config.beta * config.beta;
  const size_t order = stats.size() / 3;
  double score = 0.0, avg_prec = 0.0, avg_rec = 0.0;
  int effective_order = 0;
  for (size_t i = 0; i < order; ++i) {
    const long long n_hyp = stats[3 * i], n_ref = stats[3 * i + 1], n_match = stats[3 * i + 2];
    const double prec = n_hyp > 0 ? static_cast<double>(n_match) / static_cast<double>(n_hyp) : eps;
    const double rec = n_ref > 0 ? static_cast<double>(n_match) / static_cast<double>(n_ref) : eps;
    const double denom = factor * prec + rec;
    score += denom > 0 ? (1 + factor) * prec * rec / denom : eps;
    if (n_hyp > 0 && n_ref > 0) {  // sacreBLEU < 2.0 style effective order
      avg_prec += prec;
      avg_rec += rec;
      ++effective_order;
    }
  }
  if (config.eps_smoothing) return 100 * score / static_cast<double>(order);
  if (effective_order == 0) {
    avg_prec = avg_rec = 0.0;
  } else {
    avg_prec /= effective_order;
    avg_rec /= effective_order;
  }
  if (avg_prec + avg_rec == 0.0) return 0.0;
  score = (1 + factor) * avg_prec * avg_rec;
  score /= factor * avg_prec + avg_rec;
  return 100 * score;
}

double corpus_chrf(const std::vector<std::string>& hypotheses,
                   const std::vector<std::vector<std::string>>& ref_streams,
                   const ChrfConfig& config) {
  for (const auto& stream : ref_streams) {
    if (stream.size() != hypotheses.size()) {
      throw Error("chrF: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                  std::to_string(stream.size()) + " references");
    }
  }
  std::vector<long long> total(3 * static_cast<size_t>(config.char_order), 0);
  for (size_t i = 0; i < hypotheses.size(); ++i) {
    std::vector<std::string> refs;
    for (const auto& stream : ref_streams) {
      if (!stream[i].empty()) refs.push_back(stream[i]);
    }
    if (refs.empty()) refs.emplace_back();  // sacreBLEU rejects this; we score it
    std::vector<long long> best;
    double best_f = -1.0;
    for (const std::string& ref : refs) {
      std::vector<long long> stats = chrf_statistics(hypotheses[i], ref, config);
      const double f = chrf_f_score(stats, config);
      if (f > best_f) {
        best_f = f;
        best = std::move(stats);
      }
    }
    for (size_t k = 0; k < total.size(); ++k) total[k] += best[k];
  }
  return chrf_f_score(total, config);
}

}  // namespace metrics_internal

ChrfScore corpus_chrf(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references, const ChrfOptions& options) {
  if (hypotheses.size() != references.size()) {
    throw Error("chrF: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                std::to_string(references.size()) + " references");
  }
  ChrfScore result;
  if (options.lowercase) {
    // sacreBLEU's CHRF(lowercase=True): Python's str.lower() on both sides.
    std::vector<std::string> lower_hypotheses, lower_references;
    for (const auto& h : hypotheses) lower_hypotheses.push_back(pytext::lower(h));
    for (const auto& r : references) lower_references.push_back(pytext::lower(r));
    result.score = metrics_internal::corpus_chrf(lower_hypotheses, {lower_references}, {});
  } else {
    result.score = metrics_internal::corpus_chrf(hypotheses, {references}, {});
  }
  result.signature = std::string("nrefs:1|case:") + (options.lowercase ? "lc" : "mixed") +
                     "|eff:yes|nc:6|nw:0|space:no|version:" + metrics_internal::kSacrebleuVersion;
  return result;
}

}  // namespace heed
