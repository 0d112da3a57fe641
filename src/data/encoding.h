// Text pairs -> vocabulary ids through a model's tokenizers and vocabularies.
#pragma once

#include <vector>

#include "data/batching.h"
#include "core/sentence_pair.h"
#include "text/tokenizer.h"
#include "text/vocabulary.h"

namespace heed {

struct TextCodec {
  const Tokenizer* source_tokenizer;
  const Vocabulary* source_vocab;
  const Tokenizer* target_tokenizer;
  const Vocabulary* target_vocab;
};

std::vector<EncodedPair> encode_pairs(const std::vector<SentencePair>& pairs, const TextCodec& codec);

}  // namespace heed
