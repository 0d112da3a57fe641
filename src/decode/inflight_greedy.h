// Greedy search over a batch that sentences join and leave between steps: in-flight
// (continuous) batching, as LLM servers decode. A server that decodes fixed batches keeps
// every row until the batch's longest sentence ends, and a request that arrives meanwhile
// waits for the next batch; here a finished sentence leaves at once, and a new one joins at
// the next step (Seq2SeqModel::append), so the decoder works on every sentence in flight.
//
// A sentence's result is greedy search's for it alone, as in any batch (tokens equal,
// scores to float rounding; tests/decode): beam_search with beam 1 ranks by the same
// scores, and normalized_score is the score over the GNMT length penalty as there.
// Without attention (the merged states carry none).
#pragma once

#include <memory>
#include <vector>

#include "decode/hypothesis.h"
#include "decode/search_options.h"
#include "models/seq2seq_model.h"

namespace heed {

class InflightGreedySearch {
 public:
  // `model` must outlive the search.
  explicit InflightGreedySearch(Seq2SeqModel& model) : model_(model) {}

  // Encodes the sentences of `source` and adds them to the batch; `tags` (one per row of
  // source) name them in what step() returns. `options` (their length limit and length
  // penalty) must ask for beam 1 without attention: heed::Error otherwise. Sentences
  // added with other length options share the batch all the same.
  void add(const SourceBatch& source, const std::vector<int64_t>& tags, const SearchOptions& options);

  struct Finished {
    int64_t tag;
    Hypothesis hypothesis;
  };
  // One step of every sentence in flight; the sentences it finished (</s> or the length
  // limit), which leave the batch.
  std::vector<Finished> step();

  int64_t size() const { return static_cast<int64_t>(rows_.size()); }
  // Drops every sentence (after an error).
  void clear();

 private:
  struct Row {
    int64_t tag;
    int64_t limit;          // max_target_length of its source
    double length_penalty;  // GNMT alpha of its normalized score
    Hypothesis hypothesis;
  };
  Seq2SeqModel& model_;
  std::unique_ptr<DecoderState> state_;  // one row per rows_ entry, in that order
  torch::Tensor tokens_;                 // (B) int64: each row's next input token
  std::vector<Row> rows_;
};

}  // namespace heed
