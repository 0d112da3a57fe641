// A vocabulary shortlist: the target tokens a sentence's translation may use, so that
// each decoding step computes the output layer for those rows of it only (Marian's
// lexical shortlist, CTranslate2's vocabulary map). At batch 1 the GRU's step is bound by
// reading its whole output layer (hidden + context + embedding inputs by every target
// word); a few hundred candidates instead of thousands cut that read.
//
// Built from training pairs, tokenized by the model's own tokenizers:
//   - the `frequent` most frequent target tokens, always allowed;
//   - for each source token s, the `per_source` target tokens t with the highest Dice
//     coefficient 2 c(s, t) / (c(s) + c(t)), where c counts the training pairs whose source
//     holds s, whose target holds t, or both;
//   - </s> and <unk> always.
// A batch's candidates are the union over its sentences (as Marian does), so with a
// shortlist a sentence's output can depend on its batch; at batch 1 it is its own list.
//
// File (UTF-8, one token list per line, tokens separated by spaces):
//   heed-shortlist 1
//   <the frequent target tokens>
//   <source token> TAB <its target tokens, best first>      (one line per source token)
#pragma once

#include <torch/types.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "core/sentence_pair.h"
#include "model_dir/model_directory.h"

namespace heed {

struct ShortlistOptions {
  int64_t frequent = 100;   // most frequent target tokens, always allowed
  int64_t per_source = 50;  // target tokens kept per source token
};

class Shortlist {
 public:
  static Shortlist build(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                         const ShortlistOptions& options);
  // Reads a shortlist file for `model` (tokens its vocabularies lack are dropped);
  // heed::Error naming the file and line when it is not one.
  static Shortlist load(const std::string& path, const LoadedModel& model);
  void save(const std::string& path) const;  // atomic

  // The sorted target ids (N) int64 a batch of source sentences (their ids) may use.
  torch::Tensor candidates(const std::vector<std::vector<int64_t>>& sources) const;

  const std::vector<std::string>& frequent() const { return frequent_; }
  size_t source_tokens() const { return lists_.size(); }

 private:
  void resolve(const LoadedModel& model);

  std::vector<std::string> frequent_;
  std::vector<std::pair<std::string, std::vector<std::string>>> lists_;  // source token -> targets
  std::vector<int64_t> always_ids_;                                      // frequent + specials
  std::unordered_map<int64_t, std::vector<int64_t>> ids_by_source_;      // source id -> target ids
};

}  // namespace heed
