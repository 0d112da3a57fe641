#include "decode/translator.h"

#include <algorithm>
#include <numeric>

#include "data/batching.h"
#include "decode/recomputing_model.h"

namespace heed {

Translator::Translator(const LoadedModel& model, TranslatorOptions options)
    : model_(model), options_(options) {}

std::vector<Translation> Translator::translate(const std::vector<std::string>& sentences) const {
  return run(sentences, nullptr);
}

std::vector<Translation> Translator::force_decode(const std::vector<SentencePair>& pairs) const {
  std::vector<std::string> sources, targets;
  for (const auto& pair : pairs) {
    sources.push_back(pair.source);
    targets.push_back(pair.target);
  }
  return run(sources, &targets);
}

std::vector<Translation> Translator::run(const std::vector<std::string>& sources,
                                         const std::vector<std::string>* targets) const {
  const size_t count = sources.size();
  std::vector<Translation> translations(count);
  std::vector<std::vector<int64_t>> source_ids(count), target_ids(count);
  std::vector<size_t> order;  // non-empty sentences, sorted by length
  for (size_t i = 0; i < count; ++i) {
    auto tokens = model_.source_tokenizer->encode(sources[i]);
    if (tokens.empty()) continue;
    source_ids[i] = model_.source_vocab.ids(tokens);
    tokens.push_back(model_.source_vocab.token(Vocabulary::kEos));
    translations[i].source_tokens = std::move(tokens);
    if (targets) target_ids[i] = model_.target_vocab.ids(model_.target_tokenizer->encode((*targets)[i]));
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return source_ids[a].size() < source_ids[b].size();
  });

  const torch::Device device = model_.model->parameters().empty()
                                   ? torch::Device(torch::kCPU)
                                   : model_.model->parameters().front().device();
  const auto batch_size = static_cast<size_t>(std::max<int64_t>(1, options_.batch_size));
  RecomputingModel recomputing(model_.model);
  Seq2SeqModel& searched = options_.use_cache ? static_cast<Seq2SeqModel&>(*model_.model) : recomputing;
  for (size_t begin = 0; begin < order.size(); begin += batch_size) {
    const size_t end = std::min(order.size(), begin + batch_size);
    std::vector<std::vector<int64_t>> batch_sources, batch_targets;
    for (size_t k = begin; k < end; ++k) {
      batch_sources.push_back(source_ids[order[k]]);
      if (targets) batch_targets.push_back(target_ids[order[k]]);
    }
    const SourceBatch source = make_source_batch(batch_sources, device);
    std::vector<Hypothesis> hypotheses =
        targets ? heed::force_decode(*model_.model, source, batch_targets,
                                     options_.search.return_attention)
                : greedy_search(searched, source, options_.search);
    for (size_t k = begin; k < end; ++k) {
      Translation& translation = translations[order[k]];
      translation.hypothesis = std::move(hypotheses[k - begin]);
      std::vector<std::string> words;
      for (int64_t id : translation.hypothesis.tokens) {
        translation.target_tokens.push_back(model_.target_vocab.token(id));
        if (id != Vocabulary::kEos) words.push_back(model_.target_vocab.token(id));
      }
      translation.text = model_.target_tokenizer->decode(words);
    }
  }
  return translations;
}

}  // namespace heed
