#include "attention/alignment_eval.h"

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "util/error.h"
#include "util/line_reader.h"
#include "util/strings.h"

namespace heed {

namespace {
using LinkKey = std::pair<int64_t, int64_t>;  // (source, target)

LinkKey key_of(const AlignmentLink& link) { return {link.source, link.target}; }

std::vector<AlignmentLink> links_of(const std::set<LinkKey>& keys) {
  std::vector<AlignmentLink> links;
  for (const auto& [source, target] : keys) links.push_back({source, target});
  return links;
}

// A non-negative decimal index of at most 9 digits (no sign, no overflow).
std::optional<int64_t> parse_index(std::string_view digits) {
  if (digits.empty() || digits.size() > 9) return std::nullopt;
  int64_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

GoldAlignment parse_gold_alignment(const std::string& line, bool one_based, const std::string& file,
                                   size_t line_number) {
  std::set<LinkKey> sure, possible;
  std::istringstream stream(line);
  for (std::string token; stream >> token;) {
    const size_t separator = token.find_first_of("-p");
    std::optional<int64_t> source, target;
    if (separator != std::string::npos) {
      source = parse_index(std::string_view(token).substr(0, separator));
      target = parse_index(std::string_view(token).substr(separator + 1));
    }
    if (!source || !target) {
      throw Error(at_line(file, line_number,
                          "malformed alignment link '" + token +
                              "' (expected i-j for a sure link or ipj for a possible one, i and j "
                              "non-negative word indices, source first)"));
    }
    if (one_based) {
      if (*source == 0 || *target == 0) {
        throw Error(at_line(file, line_number,
                            "alignment link '" + token + "' has index 0, but with --one-based indices start at 1"));
      }
      --*source;
      --*target;
    }
    (token[separator] == '-' ? sure : possible).insert({*source, *target});
  }
  possible.insert(sure.begin(), sure.end());
  return {links_of(sure), links_of(possible)};
}

std::vector<GoldAlignment> read_gold_alignments(const std::string& path, bool one_based) {
  LineReader reader(path);
  std::vector<GoldAlignment> gold;
  while (auto line = reader.next()) {
    gold.push_back(parse_gold_alignment(*line, one_based, reader.name(), reader.line_number()));
  }
  return gold;
}

void check_gold_in_range(const GoldAlignment& gold, int64_t source_words, int64_t target_words, bool one_based,
                         const std::string& file, size_t line_number) {
  // Sure links are among the possible ones: checking those checks all.
  for (const auto& link : gold.possible) {
    if (link.source < source_words && link.target < target_words) continue;
    const bool is_sure = std::binary_search(
        gold.sure.begin(), gold.sure.end(), link,
        [](const AlignmentLink& a, const AlignmentLink& b) { return key_of(a) < key_of(b); });
    const int64_t shift = one_based ? 1 : 0;
    const std::string written =
        std::to_string(link.source + shift) + (is_sure ? "-" : "p") + std::to_string(link.target + shift);
    throw Error(at_line(file, line_number,
                        "alignment link '" + written + "' is out of range: the pair has " +
                            std::to_string(source_words) + " source and " + std::to_string(target_words) +
                            " target words (indices are " + (one_based ? "1" : "0") +
                            "-based" + (one_based ? "" : "; a 1-based file needs --one-based") + ")"));
  }
}

void AlignmentCounts::add(const std::vector<AlignmentLink>& predicted_links, const GoldAlignment& gold) {
  std::set<LinkKey> a, s, p;
  for (const auto& link : predicted_links) a.insert(key_of(link));
  for (const auto& link : gold.sure) {
    s.insert(key_of(link));
    p.insert(key_of(link));  // S ⊆ P even for a GoldAlignment built by hand
  }
  for (const auto& link : gold.possible) p.insert(key_of(link));
  ++sentences;
  predicted += static_cast<int64_t>(a.size());
  sure += static_cast<int64_t>(s.size());
  possible += static_cast<int64_t>(p.size());
  for (const auto& link : a) {
    predicted_sure += static_cast<int64_t>(s.count(link));
    predicted_possible += static_cast<int64_t>(p.count(link));
  }
}

AlignmentScores score_alignments(const AlignmentCounts& c) {
  AlignmentScores scores;
  if (c.predicted > 0) scores.precision = static_cast<double>(c.predicted_possible) / static_cast<double>(c.predicted);
  if (c.sure > 0) scores.recall = static_cast<double>(c.predicted_sure) / static_cast<double>(c.sure);
  if (c.predicted + c.sure > 0) {
    scores.aer = 1.0 - static_cast<double>(c.predicted_sure + c.predicted_possible) /
                           static_cast<double>(c.predicted + c.sure);
  }
  return scores;
}

SentencePair parse_aligned_pair(const std::string& line, const std::string& file, size_t line_number) {
  size_t at = line.find(" ||| ");
  size_t width = 5;
  if (at == std::string::npos) {
    at = line.find("|||");
    width = 3;
  }
  if (at == std::string::npos) {
    throw Error(at_line(file, line_number, "expected 'source ||| target' (pre-tokenised words separated by spaces)"));
  }
  const std::string source = line.substr(0, at), target = line.substr(at + width);
  if (source.find("|||") != std::string::npos || target.find("|||") != std::string::npos) {
    throw Error(at_line(file, line_number, "more than one '|||': expected 'source ||| target'"));
  }
  return {std::string(trim(source)), std::string(trim(target))};
}

std::vector<SentencePair> read_aligned_pairs(const std::string& path) {
  LineReader reader(path);
  std::vector<SentencePair> pairs;
  while (auto line = reader.next()) pairs.push_back(parse_aligned_pair(*line, reader.name(), reader.line_number()));
  return pairs;
}

int64_t count_words(const std::string& text) {
  std::istringstream stream(text);
  int64_t words = 0;
  for (std::string word; stream >> word;) ++words;
  return words;
}

}  // namespace heed
