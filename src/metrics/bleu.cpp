// Corpus BLEU, step for step as sacreBLEU 2.x (metrics/bleu.py) computes it.
#include "metrics/bleu.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "metrics/metrics_internal.h"
#include "util/pytext.h"
#include "util/error.h"

namespace heed {

const EnumNames<BleuTokenizer> kBleuTokenizerNames = {{"13a", BleuTokenizer::Mteval13a}, {"none", BleuTokenizer::None}};
namespace metrics_internal {
namespace {

using NgramCounts = std::unordered_map<std::string, long long>;

// All n-grams of order 1..max_order, keyed by their tokens joined with ' '
// (tokens hold no whitespace, so the key is unambiguous).
NgramCounts extract_ngrams(const std::vector<std::string>& tokens, int max_order) {
  NgramCounts counts;
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string key;
    for (size_t n = 1; n <= static_cast<size_t>(max_order) && i + n <= tokens.size(); ++n) {
      if (n > 1) key += ' ';
      key += tokens[i + n - 1];
      ++counts[key];
    }
  }
  return counts;
}

size_t order_of(const std::string& key) {
  size_t n = 1;
  for (const char c : key) n += c == ' ';
  return n;
}

// utils.my_log: log floored at -9999999999 for 0.
double my_log(double x) { return x == 0.0 ? -9999999999.0 : std::log(x); }

}  // namespace

BleuResult compute_bleu(std::vector<double> counts, std::vector<double> totals, size_t sys_len,
                        size_t ref_len, const BleuConfig& config) {
  const size_t max_order = static_cast<size_t>(config.max_order);
  double smooth_value = config.smooth_value;
  if (smooth_value < 0) smooth_value = config.smooth == Smooth::Floor ? 0.1 : 1.0;

  BleuResult r;
  r.sys_len = sys_len;
  r.ref_len = ref_len;
  r.precisions.assign(max_order, 0.0);
  if (sys_len < ref_len) {
    r.bp = sys_len > 0 ? std::exp(1.0 - static_cast<double>(ref_len) / static_cast<double>(sys_len))
                       : 0.0;
  } else {
    r.bp = 1.0;
  }

  // No match at any order: score 0 with all precisions 0 (sacreBLEU #141).
  bool any_match = false;
  for (const double c : counts) any_match = any_match || c != 0.0;
  if (!any_match) {
    r.counts = std::move(counts);
    r.totals = std::move(totals);
    return r;
  }

  double smooth_mteval = 1.0;
  size_t eff_order = max_order;
  for (size_t n = 1; n <= max_order; ++n) {
    if (config.smooth == Smooth::AddK && n > 1) {
      counts[n - 1] += smooth_value;
      totals[n - 1] += smooth_value;
    }
    if (totals[n - 1] == 0) break;
    if (config.effective_order) eff_order = n;
    if (counts[n - 1] == 0) {
      if (config.smooth == Smooth::Exp) {
        smooth_mteval *= 2;
        r.precisions[n - 1] = 100.0 / (smooth_mteval * totals[n - 1]);
      } else if (config.smooth == Smooth::Floor) {
        r.precisions[n - 1] = 100.0 * smooth_value / totals[n - 1];
      }
    } else {
      r.precisions[n - 1] = 100.0 * counts[n - 1] / totals[n - 1];
    }
  }

  double log_sum = 0.0;
  for (size_t n = 0; n < eff_order; ++n) log_sum += my_log(r.precisions[n]);
  r.score = r.bp * std::exp(log_sum / static_cast<double>(eff_order));
  r.counts = std::move(counts);
  r.totals = std::move(totals);
  return r;
}

std::vector<std::string> bleu_tokens(const std::string& segment, const BleuConfig& config) {
  const std::string text = config.lowercase ? pytext::lower(segment) : segment;
  const std::string stripped(pytext::rstrip(text));
  return pytext::split(config.tokenize == BleuTokenizer::Mteval13a ? tokenize_13a(stripped) : stripped);
}

BleuResult corpus_bleu(const std::vector<std::string>& hypotheses,
                       const std::vector<std::vector<std::string>>& ref_streams,
                       const BleuConfig& config) {
  for (const auto& stream : ref_streams) {
    if (stream.size() != hypotheses.size()) {
      throw Error("BLEU: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                  std::to_string(stream.size()) + " references");
    }
  }
  const size_t max_order = static_cast<size_t>(config.max_order);
  std::vector<long long> correct(max_order, 0), total(max_order, 0);
  size_t sys_len = 0, ref_len = 0;

  for (size_t i = 0; i < hypotheses.size(); ++i) {
    // References: max count of each n-gram over the non-empty ones.
    NgramCounts ref_ngrams;
    std::vector<size_t> ref_lens;
    for (const auto& stream : ref_streams) {
      if (stream[i].empty()) continue;
      const std::vector<std::string> tokens = bleu_tokens(stream[i], config);
      ref_lens.push_back(tokens.size());
      for (const auto& [ngram, count] : extract_ngrams(tokens, config.max_order)) {
        long long& best = ref_ngrams[ngram];
        if (count > best) best = count;
      }
    }
    if (ref_lens.empty()) ref_lens.push_back(0);  // sacreBLEU rejects this; we score it

    const std::vector<std::string> hyp = bleu_tokens(hypotheses[i], config);
    const size_t hyp_len = hyp.size();

    // Closest reference length; ties go to the shorter one.
    size_t closest = ref_lens[0];
    long long closest_diff = -1;
    for (const size_t len : ref_lens) {
      const long long diff = std::llabs(static_cast<long long>(hyp_len) - static_cast<long long>(len));
      if (closest_diff == -1 || diff < closest_diff) {
        closest_diff = diff;
        closest = len;
      } else if (diff == closest_diff && len < closest) {
        closest = len;
      }
    }
    sys_len += hyp_len;
    ref_len += closest;

    for (const auto& [ngram, count] : extract_ngrams(hyp, config.max_order)) {
      const size_t n = order_of(ngram) - 1;
      total[n] += count;
      const auto it = ref_ngrams.find(ngram);
      if (it != ref_ngrams.end()) correct[n] += std::min(count, it->second);
    }
  }
  return compute_bleu(std::vector<double>(correct.begin(), correct.end()),
                      std::vector<double>(total.begin(), total.end()), sys_len, ref_len, config);
}

}  // namespace metrics_internal

BleuScore corpus_bleu(const std::vector<std::string>& hypotheses,
                      const std::vector<std::string>& references, const BleuOptions& options) {
  if (hypotheses.size() != references.size()) {
    throw Error("BLEU: " + std::to_string(hypotheses.size()) + " hypotheses but " +
                std::to_string(references.size()) + " references");
  }
  metrics_internal::BleuConfig config;
  config.tokenize = options.tokenize;
  config.lowercase = options.lowercase;
  const metrics_internal::BleuResult r =
      metrics_internal::corpus_bleu(hypotheses, {references}, config);

  BleuScore score;
  score.score = r.score;
  for (size_t n = 0; n < score.precisions.size(); ++n) score.precisions[n] = r.precisions[n];
  score.brevity_penalty = r.bp;
  score.hyp_len = r.sys_len;
  score.ref_len = r.ref_len;
  score.ratio = r.ref_len > 0 ? static_cast<double>(r.sys_len) / static_cast<double>(r.ref_len) : 0.0;
  score.signature = std::string("nrefs:1|case:") + (options.lowercase ? "lc" : "mixed") +
                    "|eff:no|tok:" + enum_name(kBleuTokenizerNames, options.tokenize) + "|smooth:exp|version:" + metrics_internal::kSacrebleuVersion;
  return score;
}

}  // namespace heed
