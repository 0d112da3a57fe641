// Export of attention matrices to CSV.
//
// Long format (one row per weight), header:
//   sentence,part,layer,head,query_index,query_token,key_index,key_token,weight
// sentence: 0-based input line; part: enc_self | dec_self | cross; layer, head: 0-based.
// With beam search asked for (dump-attention --beam/--nbest), a `hypothesis` column (the
// 0-based rank in the n-best list) follows `sentence`.
// Token labels per part:
//   cross     queries = target tokens (incl. </s>), keys = source tokens (incl. </s>)
//   enc_self  queries = keys = source tokens
//   dec_self  queries = target tokens, keys = decoder inputs (<s> y1 .. y_{T-1})
// Matrix format: one CSV per (sentence, part, layer, head) named
//   s<sentence>_<part>_l<layer>_h<head>.csv (s<sentence>_n<rank>_<part>_... with the
//   hypothesis rank); first row "" (or the reduced precision, "bf16" / "int8") then the
//   key tokens, then one row per query: its token, then the weights.
// A model run with --precision bf16|int8 says so: a `precision` column in the long
// format, the corner cell of a matrix file, and the panel titles of SVG and HTML.
// Fields are quoted per RFC 4180.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "attention/attention_matrix.h"
#include "decode/translator.h"

namespace heed {

struct AttentionFilter {
  std::optional<AttentionPart> part;
  std::optional<int64_t> layer;
  std::optional<int64_t> head;
  bool average_heads = false;  // one matrix per layer, the mean over heads (head = -1)
};

// heed::Error naming the flag when the filter asks for a part, layer or head the model
// does not have (which would otherwise select nothing).
void check_attention_filter(const AttentionLayout& layout, const AttentionFilter& filter);

// The matrices of one translation that pass the filter, in part/layer/head order.
std::vector<AttentionMatrix> attention_matrices(const Translation& translation,
                                                const AttentionFilter& filter);

// With a reduced `precision` (the model's --precision), a last column `precision` holds
// its name on every row (write_long_csv_rows writes it from each matrix).
void write_long_csv_header(std::ostream& out, bool with_hypothesis, const StatsExport& stats = {},
                           Precision precision = Precision::Float32);
void write_long_csv_rows(std::ostream& out, const MatrixOwner& owner, const std::vector<AttentionMatrix>& matrices,
                         const StatsExport& stats = {});

// Writes each matrix to its own file in DIR (named as above, atomically).
void write_matrix_csvs(const std::string& dir, const MatrixOwner& owner,
                       const std::vector<AttentionMatrix>& matrices, const StatsExport& stats = {});

}  // namespace heed
