// Word alignments from cross-attention: which matrix, argmax links, and the text formats.
//
// The matrix: cross-attention (target tokens x source tokens, both incl. </s>) of one
// layer and one head, or the mean over the layer's heads. Default layer: the penultimate
// one (the last for a 1-layer model), where Transformer cross-attention aligns best
// (Garg et al. 2019); default head: the mean over heads. The GRU model has one.
// Indices are 0-based positions of model tokens (words for the word tokenizer,
// pieces for SentencePiece).
#pragma once

#include <torch/types.h>

#include <optional>
#include <string>
#include <vector>

#include "core/alignment_link.h"
#include "decode/hypothesis.h"

namespace heed {

struct AlignmentHead {
  std::optional<int64_t> layer;  // 0-based; default: the penultimate layer
  std::optional<int64_t> head;   // 0-based; default: the mean over heads
};

// The cross-attention layer `head` reads in a model with `layers` layers: head.layer, or
// the default (the penultimate; the last for a 1-layer model). Not range-checked.
int64_t alignment_layer(const AlignmentHead& head, int64_t layers);

// heed::Error naming the flag when `head` asks for a layer or head the model's
// cross-attention does not have (checked before translating).
void check_alignment_head(const AttentionLayout& layout, const AlignmentHead& head);

// (T, S) float CPU. heed::Error when layer or head is out of range or the hypothesis has
// no cross-attention.
torch::Tensor alignment_matrix(const Hypothesis& hypothesis, const AlignmentHead& head);


// One link per target token except a final </s>: the most attended source token except
// the source's final </s> (ties: the first). weights: (T, S) as alignment_matrix returns.
std::vector<AlignmentLink> hard_alignment(const torch::Tensor& weights, bool target_ends_with_eos);

// Every (source, target) pair whose weight is >= threshold, except the source's final
// </s> column and a final target </s> row: zero, one or several links per target token,
// ordered by target, then source. weights: (T, S) as alignment_matrix returns.
std::vector<AlignmentLink> threshold_alignment(const torch::Tensor& weights, double threshold,
                                               bool target_ends_with_eos);

// Marian's soft alignment: per target token (incl. </s>), its weights over all source
// tokens (incl. </s>) joined by ",", target tokens separated by " ".
std::string soft_alignment(const torch::Tensor& weights);

}  // namespace heed
