#include "models/attention_maps.h"

#include "util/error.h"

namespace heed {

std::string attention_part_name(AttentionPart part) {
  switch (part) {
    case AttentionPart::EncoderSelf: return "enc_self";
    case AttentionPart::DecoderSelf: return "dec_self";
    case AttentionPart::Cross: return "cross";
  }
  return "?";
}

std::vector<AttentionPart> all_attention_parts() {
  return {AttentionPart::EncoderSelf, AttentionPart::DecoderSelf, AttentionPart::Cross};
}

AttentionPart parse_attention_part(const std::string& name) {
  for (AttentionPart part : all_attention_parts()) {
    if (attention_part_name(part) == name) return part;
  }
  throw Error("unknown attention part '" + name + "' (known: enc_self, dec_self, cross)");
}

const torch::Tensor& AttentionMaps::at(AttentionPart part) const {
  auto it = parts.find(part);
  if (it == parts.end()) {
    throw std::logic_error("attention part " + attention_part_name(part) + " not present");
  }
  return it->second;
}

}  // namespace heed
