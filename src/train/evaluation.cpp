#include "train/evaluation.h"

#include <torch/nn/functional/loss.h>

#include <cmath>
#include <cstring>

#include "data/encoding.h"
#include "decode/greedy_search.h"
#include "decode/translator.h"
#include "text/vocabulary.h"
#include "util/error.h"

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

namespace {

// Teacher-forced loss sums of `pairs`, on the device the model is on.
TeacherForcedLoss pairs_loss(const LoadedModel& model, const std::vector<SentencePair>& pairs, int64_t batch_tokens,
                             bool free_running = false) {
  const torch::Device device = model.model->parameters().front().device();
  const TextCodec codec{model.source_tokenizer.get(), &model.source_vocab,
                        model.target_tokenizer.get(), &model.target_vocab};
  const auto examples = encode_pairs(pairs, codec);
  return free_running ? free_running_loss(*model.model, examples, batch_tokens, device)
                      : teacher_forced_loss(*model.model, examples, batch_tokens, device);
}

std::vector<std::string> translate_sources(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                                           const EvaluationOptions& options) {
  TranslatorOptions translator_options;
  translator_options.batch_size = options.batch_size;
  translator_options.search = options.search;
  const Translator translator(model, translator_options);
  std::vector<std::string> sources;
  for (const auto& pair : pairs) sources.push_back(pair.source);
  std::vector<std::string> hypotheses;
  for (auto& translation : translator.translate(sources)) hypotheses.push_back(std::move(translation.text));
  return hypotheses;
}

// The scores of the whole set from its loss sums and its translations.
EvaluationResult score(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                       const TeacherForcedLoss& loss, std::vector<std::string> hypotheses,
                       const EvaluationOptions& options) {
  EvaluationResult result;
  result.sentences = pairs.size();
  result.loss = loss.mean();
  result.perplexity = std::exp(result.loss);
  std::vector<std::string> references;
  for (const auto& pair : pairs) {
    references.push_back(model.target_tokenizer->decode(model.target_tokenizer->encode(pair.target)));
  }
  result.hypotheses = std::move(hypotheses);
  result.exact_match = exact_match(result.hypotheses, references);
  result.bleu = corpus_bleu(result.hypotheses, references, options.bleu);
  result.chrf = corpus_chrf(result.hypotheses, references, {options.bleu.lowercase});
  return result;
}

// Strings to one byte string and back: each as its length (8 bytes) and its bytes.
std::string pack_strings(const std::vector<std::string>& strings) {
  std::string packed;
  for (const auto& text : strings) {
    const uint64_t size = text.size();
    packed.append(reinterpret_cast<const char*>(&size), sizeof size);
    packed += text;
  }
  return packed;
}

std::vector<std::string> unpack_strings(const std::string& packed) {
  std::vector<std::string> strings;
  for (size_t at = 0; at + sizeof(uint64_t) <= packed.size();) {
    uint64_t size = 0;
    std::memcpy(&size, packed.data() + at, sizeof size);
    at += sizeof size;
    strings.push_back(packed.substr(at, size));
    at += size;
  }
  return strings;
}

}  // namespace

EvaluationResult evaluate(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                          const EvaluationOptions& options) {
  const auto loss = pairs_loss(model, pairs, options.batch_tokens);
  EvaluationResult result = score(model, pairs, loss, translate_sources(model, pairs, options), options);
  if (options.free_running) {
    const auto free = pairs_loss(model, pairs, options.batch_tokens, /*free_running=*/true);
    result.free_running_loss = free.mean();
    result.free_running_perplexity = std::exp(result.free_running_loss);
  }
  return result;
}

EvaluationResult evaluate_shared(const LoadedModel& model, const std::vector<SentencePair>& pairs,
                                 const EvaluationOptions& options, Communicator& communicator) {
  if (!communicator.distributed()) return evaluate(model, pairs, options);
  const size_t ranks = static_cast<size_t>(communicator.size());
  std::vector<SentencePair> shard;
  for (size_t i = static_cast<size_t>(communicator.rank()); i < pairs.size(); i += ranks) shard.push_back(pairs[i]);
  const auto loss = pairs_loss(model, shard, options.batch_tokens);
  auto sums = torch::tensor({loss.total_nll, static_cast<double>(loss.tokens)}, torch::kFloat64);
  communicator.all_reduce_sum(sums);
  TeacherForcedLoss total;
  total.total_nll = sums[0].item<double>();
  total.tokens = static_cast<int64_t>(sums[1].item<double>());
  const auto gathered = communicator.all_gather_bytes(pack_strings(translate_sources(model, shard, options)));
  std::vector<std::vector<std::string>> parts;
  for (const auto& bytes : gathered) parts.push_back(unpack_strings(bytes));
  std::vector<std::string> hypotheses(pairs.size());
  for (size_t i = 0; i < pairs.size(); ++i) {
    const auto& part = parts.at(i % ranks);
    const size_t j = i / ranks;
    if (j >= part.size()) throw Error("rank " + std::to_string(i % ranks) + " returned too few validation translations");
    hypotheses[i] = part[j];
  }
  return score(model, pairs, total, std::move(hypotheses), options);
}

}  // namespace heed
