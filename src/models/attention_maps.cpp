#include "models/attention_maps.h"

#include "util/error.h"

namespace heed {

const EnumNames<AttentionPart> kAttentionPartNames = {
    {"enc_self", AttentionPart::EncoderSelf}, {"dec_self", AttentionPart::DecoderSelf}, {"cross", AttentionPart::Cross}};

std::vector<AttentionPart> all_attention_parts() {
  return {AttentionPart::EncoderSelf, AttentionPart::DecoderSelf, AttentionPart::Cross};
}

const torch::Tensor& AttentionMaps::at(AttentionPart part) const {
  auto it = parts.find(part);
  if (it == parts.end()) {
    throw std::logic_error("attention part " + attention_part_name(part) + " not present");
  }
  return it->second;
}

}  // namespace heed
