#include "data/encoding.h"

namespace heed {

std::vector<EncodedPair> encode_pairs(const std::vector<SentencePair>& pairs,
                                      const TextCodec& codec) {
  std::vector<EncodedPair> encoded;
  encoded.reserve(pairs.size());
  for (const auto& pair : pairs) {
    encoded.push_back({codec.source_vocab->ids(codec.source_tokenizer->encode(pair.source)),
                       codec.target_vocab->ids(codec.target_tokenizer->encode(pair.target))});
  }
  return encoded;
}

}  // namespace heed
