// Translator: text in, translations (with tokens, scores and attention) out.
//
// Wraps a loaded model directory: tokenizes, maps to ids, batches by length (within
// one call), runs the search, maps back and detokenizes. Results come back in input
// order. An empty input sentence gives an empty translation without running the model.
#pragma once

#include <string>
#include <vector>

#include "data/sentence_pair.h"
#include "decode/greedy_search.h"
#include "train/model_directory.h"

namespace heed {

struct Translation {
  std::vector<std::string> source_tokens;  // model tokens, ending with "</s>"
  std::vector<std::string> target_tokens;  // model tokens, ending with "</s>" when finished
  std::string text;                        // detokenized output (without </s>)
  Hypothesis hypothesis;                   // ids, scores, attention (see hypothesis.h)
};

struct TranslatorOptions {
  int64_t batch_size = 32;  // sentences per model call
  bool use_cache = true;    // false: re-run the prefix each step (RecomputingModel), to compare
  SearchOptions search;
};

class Translator {
 public:
  Translator(const LoadedModel& model, TranslatorOptions options);

  std::vector<Translation> translate(const std::vector<std::string>& sentences) const;

  // Force-decodes each pair's target (the attention of a known translation).
  std::vector<Translation> force_decode(const std::vector<SentencePair>& pairs) const;

 private:
  std::vector<Translation> run(const std::vector<std::string>& sources,
                               const std::vector<std::string>* targets) const;

  const LoadedModel& model_;
  TranslatorOptions options_;
};

}  // namespace heed
