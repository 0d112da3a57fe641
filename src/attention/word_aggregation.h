// Reading attention in words when the model reads subword pieces or characters.
//
// Word rule (SentencePiece and char tokenizers): a token that starts with "▁" (U+2581,
// the space marker both use) begins a new word, every other token continues the word
// before it; the specials <s> and </s> are words of their own and stay explicit. A
// word's label is its pieces joined, without the "▁" markers ("▁hou" "se" -> "house").
// The word tokenizer's tokens are words already (glued punctuation included).
//
// Merging a matrix (queries x keys): along keys, the weights of a word's pieces are
// SUMMED (the attention a word receives); along queries, the rows of a word's pieces are
// AVERAGED (a word attends as its pieces do on average). Rows therefore still sum to 1.
#pragma once

#include <string>
#include <vector>

#include "attention/attention_matrix.h"

namespace heed {

struct WordSpan {
  size_t begin = 0;  // first token
  size_t end = 0;    // one past the last token
  std::string label;
};

// The words of a token sequence by the rule above.
std::vector<WordSpan> word_spans(const std::vector<std::string>& tokens);

// Which sides of a matrix hold pieces to merge (a word-tokenizer side is left as it is).
struct PieceSides {
  bool queries = true;
  bool keys = true;
};

// The matrix in words: labels of the merged sides become word labels. (Q', K') weights.
AttentionMatrix aggregate_words(const AttentionMatrix& matrix, const PieceSides& sides = {});

}  // namespace heed
