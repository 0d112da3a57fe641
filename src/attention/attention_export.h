// Export of attention matrices to CSV.
//
// Long format (one row per weight), header:
//   sentence,part,layer,head,query_index,query_token,key_index,key_token,weight
// sentence: 0-based input line; part: enc_self | dec_self | cross; layer, head: 0-based.
// Token labels per part:
//   cross     queries = target tokens (incl. </s>), keys = source tokens (incl. </s>)
//   enc_self  queries = keys = source tokens
//   dec_self  queries = target tokens, keys = decoder inputs (<s> y1 .. y_{T-1})
// Matrix format: one CSV per (sentence, part, layer, head) named
//   s<sentence>_<part>_l<layer>_h<head>.csv; first row "" then the key tokens, then one
//   row per query: its token, then the weights.
// Fields are quoted per RFC 4180.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "decode/translator.h"

namespace heed {

struct AttentionFilter {
  std::optional<AttentionPart> part;
  std::optional<int64_t> layer;
  std::optional<int64_t> head;
  bool average_heads = false;  // one matrix per layer, the mean over heads (head = -1)
};

// One matrix of one sentence, with its labels.
struct AttentionMatrix {
  AttentionPart part;
  int64_t layer = 0;
  int64_t head = 0;                       // -1 for the average over heads
  std::vector<std::string> query_tokens;  // rows
  std::vector<std::string> key_tokens;    // columns
  torch::Tensor weights;                  // (queries, keys) float, CPU
};

// The matrices of one translation that pass the filter, in part/layer/head order.
std::vector<AttentionMatrix> attention_matrices(const Translation& translation,
                                                const AttentionFilter& filter);

void write_long_csv_header(std::ostream& out);
void write_long_csv_rows(std::ostream& out, size_t sentence, const std::vector<AttentionMatrix>& matrices);

// Writes each matrix to DIR/s<sentence>_<part>_l<layer>_h<head>.csv (atomically).
void write_matrix_csvs(const std::string& dir, size_t sentence,
                       const std::vector<AttentionMatrix>& matrices);

}  // namespace heed
