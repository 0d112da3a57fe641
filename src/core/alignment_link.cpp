#include "core/alignment_link.h"

namespace heed {

std::string pharaoh_alignment(const std::vector<AlignmentLink>& links) {
  std::string text;
  for (const auto& link : links) {
    if (!text.empty()) text += ' ';
    text += std::to_string(link.source) + "-" + std::to_string(link.target);
  }
  return text;
}

}  // namespace heed
