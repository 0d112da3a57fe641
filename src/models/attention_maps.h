// Attention weights as a first-class, named model output.
//
// One shape convention for every model in the registry:
//   each part is a float tensor (B, layers, heads, queries, keys).
// Rows (the last dimension) sum to 1 over the unmasked keys; masked (padding) keys
// get exactly 0. The GRU + Bahdanau model has one part, `cross`, with layers = heads = 1
// (queries = target positions, keys = source positions). The Transformer adds
// `enc_self` (source x source) and `dec_self` (target x target, zero above the diagonal).
#pragma once

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

#include "util/options.h"

namespace heed {

enum class AttentionPart { EncoderSelf, DecoderSelf, Cross };

// "enc_self", "dec_self", "cross" — the names used in CSV files and on the command line.
extern const EnumNames<AttentionPart> kAttentionPartNames;  // enc_self, dec_self, cross
inline std::string attention_part_name(AttentionPart part) { return enum_name(kAttentionPartNames, part); }
inline AttentionPart parse_attention_part(const std::string& name) {  // heed::Error when unknown
  return parse_enum(kAttentionPartNames, name, "attention part");
}
std::vector<AttentionPart> all_attention_parts();

// How many layers and heads a model returns for one part.
struct AttentionPartShape {
  int64_t layers = 1;
  int64_t heads = 1;
};
using AttentionLayout = std::map<AttentionPart, AttentionPartShape>;

struct AttentionMaps {
  std::map<AttentionPart, torch::Tensor> parts;  // each (B, layers, heads, queries, keys)

  bool empty() const { return parts.empty(); }
  bool has(AttentionPart part) const { return parts.count(part) != 0; }
  const torch::Tensor& at(AttentionPart part) const;
};

}  // namespace heed
