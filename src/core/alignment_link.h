// A word alignment link and the Pharaoh text format, shared by the aligners
// (attention/alignment.h), the scorer (alignment_eval.h) and the toy task's gold links
// (data/toy_language.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace heed {

// Source word `source` aligned to target word `target` (0-based positions).
struct AlignmentLink {
  int64_t source = 0;
  int64_t target = 0;
  bool operator==(const AlignmentLink& other) const { return source == other.source && target == other.target; }
};

// Pharaoh format, source-target, in the order given: "0-0 1-2 2-1" ("" for no links).
std::string pharaoh_alignment(const std::vector<AlignmentLink>& links);

}  // namespace heed
