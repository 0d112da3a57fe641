// Pharaoh alignment files and `source ||| target` pair files (attention/alignment_eval.h:
// read_gold_alignments, read_aligned_pairs), from arbitrary bytes, and AER on what they
// hold. The first byte's bit 0 picks 1-based gold indices; the rest is the file, read
// both as a gold file and as a pairs file.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "attention/alignment_eval.h"
#include "fuzz_support.h"
#include "util/error.h"

namespace {

using heed::fuzz::Scratch;
using heed::fuzz::shown;

bool less(const heed::AlignmentLink& a, const heed::AlignmentLink& b) {
  return a.source != b.source ? a.source < b.source : a.target < b.target;
}

bool sorted_unique(const std::vector<heed::AlignmentLink>& links) {
  for (size_t i = 1; i < links.size(); ++i) {
    if (!less(links[i - 1], links[i])) return false;
  }
  return true;
}

void check_gold(const heed::GoldAlignment& gold, bool one_based, const std::string& context) {
  FUZZ_CHECK(sorted_unique(gold.sure) && sorted_unique(gold.possible), context);
  int64_t max_source = -1, max_target = -1;
  for (const auto& link : gold.possible) {
    FUZZ_CHECK(link.source >= 0 && link.target >= 0, context);
    max_source = std::max(max_source, link.source);
    max_target = std::max(max_target, link.target);
  }
  for (const auto& link : gold.sure) {
    FUZZ_CHECK(std::binary_search(gold.possible.begin(), gold.possible.end(), link, less), context);  // S ⊆ P
  }
  // Written back as Pharaoh text, the line parses to the same links.
  std::string line;
  const int64_t shift = one_based ? 1 : 0;
  for (const auto& link : gold.possible) {
    const bool sure = std::binary_search(gold.sure.begin(), gold.sure.end(), link, less);
    line += std::to_string(link.source + shift) + (sure ? "-" : "p") + std::to_string(link.target + shift) + " ";
  }
  const heed::GoldAlignment again = heed::parse_gold_alignment(line, one_based, "again", 1);
  FUZZ_CHECK(again.sure == gold.sure && again.possible == gold.possible, context + " rewritten " + shown(line));
  // In range for a pair with one word more than the largest index; out of range for one
  // word fewer.
  heed::check_gold_in_range(gold, max_source + 1, max_target + 1, one_based, "gold", 1);
  if (!gold.possible.empty()) {
    bool refused = false;
    try {
      heed::check_gold_in_range(gold, max_source, max_target + 1, one_based, "gold", 1);
    } catch (const heed::Error&) {
      refused = true;
    }
    FUZZ_CHECK(refused, context);
  }
  // Predicting exactly the sure links: precision 1, recall 1, AER 0.
  heed::AlignmentCounts counts;
  counts.add(gold.sure, gold);
  const heed::AlignmentScores scores = heed::score_alignments(counts);
  FUZZ_CHECK(scores.precision == 1.0 && scores.recall == 1.0 && scores.aer == 0.0, context);
  // Predicting every possible link: all scores in [0, 1].
  heed::AlignmentCounts all;
  all.add(gold.possible, gold);
  const heed::AlignmentScores some = heed::score_alignments(all);
  for (double x : {some.precision, some.recall, some.aer}) FUZZ_CHECK(x >= 0.0 && x <= 1.0, context);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool one_based = (data[0] & 1) != 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  const std::string path = Scratch::get().write("alignment.txt", bytes);
  const std::string context = shown(bytes);
  try {
    for (const heed::GoldAlignment& gold : heed::read_gold_alignments(path, one_based)) {
      check_gold(gold, one_based, context);
    }
  } catch (const heed::Error&) {
  }
  try {
    for (const heed::SentencePair& pair : heed::read_aligned_pairs(path)) {
      for (const std::string* side : {&pair.source, &pair.target}) {
        FUZZ_CHECK(side->find("|||") == std::string::npos, context);
        FUZZ_CHECK(side->empty() || (side->front() != ' ' && side->back() != ' '), context);
        FUZZ_CHECK(heed::count_words(*side) >= 0, context);
      }
    }
  } catch (const heed::Error&) {
  }
  return 0;
}
