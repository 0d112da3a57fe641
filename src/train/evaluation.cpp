#include "train/evaluation.h"

#include <torch/nn/functional/loss.h>

#include <cmath>

#include "data/encoding.h"
#include "decode/greedy_search.h"
#include "decode/translator.h"
#include "text/vocabulary.h"

namespace heed {

TeacherForcedLoss teacher_forced_loss(Seq2SeqModel& model, const std::vector<EncodedPair>& examples,
                                      int64_t batch_tokens, const torch::Device& device) {
  namespace F = torch::nn::functional;
  torch::NoGradGuard no_grad;
  TeacherForcedLoss result;
  for (const auto& indices : make_batches(examples, batch_tokens)) {
    const Batch batch = make_batch(examples, indices, device);
    const auto logits = model.forward(batch.source, batch.target_input, false, batch.target_mask).logits;
    const auto nll = F::cross_entropy(logits, batch.target_output.masked_select(batch.target_mask),
                                      F::CrossEntropyFuncOptions().reduction(torch::kSum));
    result.total_nll += nll.item<double>();
    result.tokens += batch.target_tokens;
  }
  return result;
}

TeacherForcedLoss free_running_loss(Seq2SeqModel& model, const std::vector<EncodedPair>& examples,
                                    int64_t batch_tokens, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  TeacherForcedLoss result;
  for (const auto& indices : make_batches(examples, batch_tokens)) {
    const Batch batch = make_batch(examples, indices, device);
    const int64_t rows = batch.target_output.size(0), steps = batch.target_output.size(1);
    auto state = model.start(batch.source, false);
    auto tokens = torch::full({rows}, Vocabulary::kBos, torch::TensorOptions().dtype(torch::kInt64).device(device));
    auto nll = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat64).device(device));
    for (int64_t t = 0; t < steps; ++t) {
      auto log_probs = model.step(*state, tokens, false).log_probs;  // (B, V)
      const auto reference = batch.target_output.select(1, t);            // (B)
      const auto scored = log_probs.gather(1, reference.unsqueeze(1)).squeeze(1);
      nll -= scored.masked_select(batch.target_mask.select(1, t)).sum().to(torch::kFloat64);
      tokens = greedy_choice(log_probs).tokens;
    }
    result.total_nll += nll.item<double>();
    result.tokens += batch.target_tokens;
  }
  return result;
}

EvaluationResult evaluate(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                          const EvaluationOptions& options) {
  EvaluationResult result;
  result.sentences = pairs.size();
  const torch::Device device = model.model->parameters().front().device();
  const TextCodec codec{model.source_tokenizer.get(), &model.source_vocab,
                        model.target_tokenizer.get(), &model.target_vocab};
  const auto loss = teacher_forced_loss(*model.model, encode_pairs(pairs, codec),
                                        options.batch_tokens, device);
  result.loss = loss.mean();
  result.perplexity = std::exp(result.loss);
  if (options.free_running) {
    const auto free = free_running_loss(*model.model, encode_pairs(pairs, codec), options.batch_tokens, device);
    result.free_running_loss = free.mean();
    result.free_running_perplexity = std::exp(result.free_running_loss);
  }

  TranslatorOptions translator_options;
  translator_options.batch_size = options.batch_size;
  translator_options.search = options.search;
  const Translator translator(model, translator_options);
  std::vector<std::string> sources, references;
  for (const auto& pair : pairs) {
    sources.push_back(pair.source);
    references.push_back(model.target_tokenizer->decode(model.target_tokenizer->encode(pair.target)));
  }
  for (auto& translation : translator.translate(sources)) {
    result.hypotheses.push_back(std::move(translation.text));
  }
  result.exact_match = exact_match(result.hypotheses, references);
  result.bleu = corpus_bleu(result.hypotheses, references, options.bleu);
  result.chrf = corpus_chrf(result.hypotheses, references, {options.bleu.lowercase});
  return result;
}

}  // namespace heed
