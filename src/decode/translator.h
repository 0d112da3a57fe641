// Translator: text in, translations (with tokens, scores and attention) out.
//
// Wraps a loaded model directory: tokenizes, maps to ids, batches by length (within
// one call), runs the search (beam_search.h, for every beam size, so `translate` and
// `dump-attention` see the same hypotheses), maps back and detokenizes. Results come
// back in input order. An empty input sentence gives an empty translation without
// running the model.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/precision.h"
#include "core/sentence_pair.h"
#include "decode/alignment.h"
#include "decode/search_options.h"
#include "decode/shortlist.h"
#include "model_dir/model_directory.h"

namespace heed {

struct Translation {
  std::vector<std::string> source_tokens;  // tokenizer tokens, ending with "</s>"
  std::vector<std::string> target_tokens;  // model tokens, ending with "</s>" when finished
                                           // (a forced reference: its tokenizer tokens)
  std::string text;                        // detokenized output (without </s>); with
                                           // replace_unknown, <unk> replaced (see below)
  Hypothesis hypothesis;                   // ids, scores, attention (see hypothesis.h)
  bool source_cropped = false;             // the source was longer than max_source_tokens
  Precision precision = Precision::Float32;  // of the model's products (--precision); jsonl
                                             // and the server say so when it is not fp32
};

struct TranslatorOptions {
  int64_t batch_size = 32;  // sentences per model call
  // Longer sources are cropped to their first N tokens (Translation::source_cropped):
  // one absurd line costs bounded work and still gets its one output line.
  int64_t max_source_tokens = kMaxSentenceTokens - 1;
  bool use_cache = true;    // false: re-run the prefix each step (RecomputingModel), to compare
  SearchOptions search;
  // Replace each <unk> of the output text by the source token it attends most (not
  // </s>), from the alignment matrix of `alignment` (alignment.h). Needs attention,
  // which the translator then computes.
  bool replace_unknown = false;
  AlignmentHead alignment;
  // The target tokens each batch's search may use (shortlist.h); none: the whole
  // vocabulary. Force decoding is never restricted.
  std::shared_ptr<const Shortlist> shortlist;
};

// A source line as the model takes it: what the translator makes of each input line.
struct PreparedSource {
  std::vector<std::string> tokens;  // tokenizer tokens and "</s>"; none for an empty line
  std::vector<int64_t> ids;         // source vocabulary ids of the tokens, without </s>
  bool cropped = false;             // longer than max_source_tokens (Translation::source_cropped)
};

class Translator {
 public:
  Translator(const LoadedModel& model, TranslatorOptions options);

  // The best translation of each sentence.
  std::vector<Translation> translate(const std::vector<std::string>& sentences) const;
  // The search's n-best list of each sentence, best first (one empty translation for an
  // empty sentence).
  std::vector<std::vector<Translation>> translate_nbest(const std::vector<std::string>& sentences) const;

  // Force-decodes each pair's target (the attention of a known translation).
  std::vector<Translation> force_decode(const std::vector<SentencePair>& pairs) const;

  // The steps of translate for callers that run the search themselves (the server's
  // in-flight batching): a line tokenized, cropped and mapped to ids, and a hypothesis of
  // its ids made a Translation (an empty line: the empty translation, for any hypothesis).
  PreparedSource prepare(const std::string& sentence) const;
  Translation translation_of(const PreparedSource& source, Hypothesis hypothesis) const;
  // Where the model's weights are: its batches go there.
  const torch::Device& device() const { return device_; }

 private:
  std::vector<std::vector<Translation>> run(const std::vector<std::string>& sources,
                                            const std::vector<std::string>* targets) const;
  size_t max_source_tokens() const;  // options' max_source_tokens, within the model's bound
  // target_tokens: for a force-decoded reference, its tokens as the tokenizer wrote them
  // (so labels show words the vocabulary lacks); null: the vocabulary's tokens of the ids.
  Translation make_translation(const std::vector<std::string>& source_tokens, Hypothesis hypothesis,
                               const std::vector<std::string>* target_tokens = nullptr) const;

  const LoadedModel& model_;
  TranslatorOptions options_;
  torch::Device device_;  // the model's
};

}  // namespace heed
