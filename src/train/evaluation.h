// Evaluation of a model on sentence pairs: teacher-forced and free-running loss /
// perplexity, and translation (greedy unless asked) scored by exact match, corpus BLEU and chrF
// (sacreBLEU-exact).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/batching.h"
#include "core/sentence_pair.h"
#include "decode/search_options.h"
#include "metrics/bleu.h"
#include "model_dir/model_directory.h"
#include "parallel/communicator.h"

namespace heed {

struct TeacherForcedLoss {
  double total_nll = 0.0;  // summed over target tokens (incl. </s>), natural log
  int64_t tokens = 0;
  double mean() const { return tokens > 0 ? total_nll / static_cast<double>(tokens) : 0.0; }
};

// Sum of token negative log-likelihoods under teacher forcing, batched under batch_tokens.
TeacherForcedLoss teacher_forced_loss(Seq2SeqModel& model, const std::vector<EncodedPair>& examples,
                                      int64_t batch_tokens, const torch::Device& device);

// Free-running loss: the reference tokens y_t (</s> included) scored by the model while it
// is fed its own greedy tokens instead of the reference prefix, i.e.
// -log p(y_t | x, g_1 .. g_{t-1}) with g the greedy output, over exactly the reference's
// length. It measures what decoding sees (exposure bias); it is never lower than the
// teacher-forced loss in practice, and published "perplexities" are the teacher-forced one.
TeacherForcedLoss free_running_loss(Seq2SeqModel& model, const std::vector<EncodedPair>& examples,
                                    int64_t batch_tokens, const torch::Device& device);

struct EvaluationResult {
  size_t sentences = 0;
  double loss = 0.0;        // teacher-forced mean NLL per target token
  double perplexity = 0.0;  // exp(loss), teacher-forced
  double free_running_loss = 0.0;        // when asked for (EvaluationOptions::free_running)
  double free_running_perplexity = 0.0;  // exp(free_running_loss)
  double exact_match = 0.0; // 0..1
  BleuScore bleu;
  ChrfScore chrf;
  std::vector<std::string> hypotheses;  // detokenized outputs of the search, input order
};

struct EvaluationOptions {
  int64_t batch_tokens = 4096;   // teacher-forced loss batches
  int64_t batch_size = 64;       // sentences per decoding call
  bool free_running = false;     // also compute the free-running loss
  SearchOptions search;          // how the translations are searched (greedy by default)
  BleuOptions bleu;
};

// References are compared as the target tokenizer would write them
// (decode(encode(target))), i.e. with normalised whitespace and the model's casing.
EvaluationResult evaluate(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                          const EvaluationOptions& options);

// evaluate() with the work shared by the ranks of a training run: rank r of N scores and
// translates pairs r, r+N, r+2N, ...; the loss sums and the translations are then
// combined so that every rank returns the whole set's result. Collective. (The free-
// running loss is not computed.)
EvaluationResult evaluate_shared(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                                 const EvaluationOptions& options, Communicator& communicator);

}  // namespace heed
