// Beam search for any registry model, batched over sentences and beams.
//
// The state holds K = beam_size rows per unfinished sentence (B' x K rows in all). Each
// step feeds every row its last token, adds the row's score to its log-probabilities
// (<pad> and <s> are never output), and takes the 2K best (row, token) candidates of each
// sentence over its K x V:
//   - a </s> candidate among the first K finishes a hypothesis (it is ranked by
//     score / lp(length), search_options.h); </s> candidates below the first K are dropped;
//   - the K best other candidates are the sentence's next beam (rows with no candidate
//     left are padded with score -inf and never chosen).
// The model's incremental state (GRU state, Transformer key/value caches) is reordered
// along the chosen rows (model.reorder), never recomputed; finished sentences drop out.
// A sentence is finished when it has K finished hypotheses (as fairseq), when no live
// hypothesis can still beat its N-th best finished one (exact: log-probabilities only
// decrease and lp only grows up to the length limit), or at its length limit, where
// the live hypotheses are cut (kept without </s>).
//
// With K = 1 this is exactly greedy_search: the one candidate that may be taken is the
// best token, and the first finished hypothesis ends the sentence.
//
// Attention (when asked for) is traced back through the beam's backpointers, so each
// returned hypothesis carries the attention of its own prefix, in the layout of
// hypothesis.h (per part (layers, heads, queries, keys), trimmed to real tokens).
// Scores are summed in double on the host; the selection uses the same sums, so a
// sentence's result does not depend on the other sentences of its batch beyond the
// rounding of the model's own batched products.
#pragma once

#include <vector>

#include "decode/hypothesis.h"
#include "decode/search_options.h"
#include "models/seq2seq_model.h"

namespace heed {

// Per sentence of `source`, its min(nbest, found) best hypotheses, best first by
// normalized_score (ties: the one finished first).
std::vector<std::vector<Hypothesis>> beam_search(Seq2SeqModel& model, const SourceBatch& source,
                                                 const SearchOptions& options);

}  // namespace heed
