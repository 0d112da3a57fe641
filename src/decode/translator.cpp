#include "decode/translator.h"

#include <algorithm>
#include <numeric>

#include "data/batching.h"
#include "decode/beam_search.h"
#include "decode/greedy_search.h"
#include "decode/recomputing_model.h"

namespace heed {

Translator::Translator(const LoadedModel& model, TranslatorOptions options)
    : model_(model),
      options_(options),
      device_(model.model->parameters().empty() ? torch::Device(torch::kCPU)
                                                : model.model->parameters().front().device()) {
  options_.search.validate();
  if (options_.replace_unknown) options_.search.return_attention = true;
}

std::vector<Translation> Translator::translate(const std::vector<std::string>& sentences) const {
  std::vector<Translation> best;
  for (auto& nbest : run(sentences, nullptr)) best.push_back(std::move(nbest.front()));
  return best;
}

std::vector<std::vector<Translation>> Translator::translate_nbest(const std::vector<std::string>& sentences) const {
  return run(sentences, nullptr);
}

std::vector<Translation> Translator::force_decode(const std::vector<SentencePair>& pairs) const {
  std::vector<std::string> sources, targets;
  for (const auto& pair : pairs) {
    sources.push_back(pair.source);
    targets.push_back(pair.target);
  }
  std::vector<Translation> translations;
  for (auto& nbest : run(sources, &targets)) translations.push_back(std::move(nbest.front()));
  return translations;
}

Translation Translator::make_translation(const std::vector<std::string>& source_tokens, Hypothesis hypothesis,
                                         const std::vector<std::string>* target_tokens) const {
  Translation translation;
  translation.precision = model_.model->precision();
  translation.source_tokens = source_tokens;
  translation.hypothesis = std::move(hypothesis);
  std::vector<std::string> words;
  const auto& ids = translation.hypothesis.tokens;
  for (size_t t = 0; t < ids.size(); ++t) {
    const bool given = target_tokens && t < target_tokens->size();
    const std::string& token = given ? (*target_tokens)[t] : model_.target_vocab.token(ids[t]);
    translation.target_tokens.push_back(token);
    if (ids[t] != Vocabulary::kEos) words.push_back(token);
  }
  if (options_.replace_unknown && !translation.hypothesis.attention.empty()) {
    const auto links = hard_alignment(alignment_matrix(translation.hypothesis, options_.alignment),
                                      translation.hypothesis.tokens.back() == Vocabulary::kEos);
    for (const auto& link : links) {
      if (translation.hypothesis.tokens[link.target] == Vocabulary::kUnk) {
        words[link.target] = source_tokens[link.source];
      }
    }
  }
  translation.text = model_.target_tokenizer->decode(words);
  return translation;
}

namespace {

// The text a tokenizer sees of a line that may be absurdly long: no token is longer than
// kMaxTokenBytes, so the first max_tokens * kMaxTokenBytes bytes (cut at a character
// boundary) hold the first max_tokens tokens, and tokenising a 100 MB line costs no more
// than tokenising a long sentence.
std::string_view bounded_text(const std::string& text, size_t max_tokens, bool* cropped) {
  constexpr size_t kMaxTokenBytes = 64;
  const size_t limit = max_tokens * kMaxTokenBytes;
  if (text.size() <= limit) return text;
  size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a character
  *cropped = true;
  return std::string_view(text).substr(0, end);
}

}  // namespace

size_t Translator::max_source_tokens() const {
  return static_cast<size_t>(std::clamp<int64_t>(options_.max_source_tokens, 1, kMaxSentenceTokens - 1));
}

PreparedSource Translator::prepare(const std::string& sentence) const {
  PreparedSource source;
  const size_t max_tokens = max_source_tokens();
  auto tokens = model_.source_tokenizer->encode(bounded_text(sentence, max_tokens, &source.cropped));
  if (tokens.empty()) return source;
  if (tokens.size() > max_tokens) {
    tokens.resize(max_tokens);
    source.cropped = true;
  }
  source.ids = model_.source_vocab.ids(tokens);
  tokens.push_back(model_.source_vocab.token(Vocabulary::kEos));
  source.tokens = std::move(tokens);
  return source;
}

Translation Translator::translation_of(const PreparedSource& source, Hypothesis hypothesis) const {
  if (source.tokens.empty()) {
    Translation empty;
    empty.precision = model_.model->precision();
    return empty;
  }
  Translation translation = make_translation(source.tokens, std::move(hypothesis));
  translation.source_cropped = source.cropped;
  return translation;
}

std::vector<std::vector<Translation>> Translator::run(const std::vector<std::string>& sources,
                                                      const std::vector<std::string>* targets) const {
  const size_t count = sources.size();
  std::vector<std::vector<Translation>> translations(count);
  std::vector<std::vector<int64_t>> source_ids(count), target_ids(count);
  std::vector<std::vector<std::string>> source_tokens(count), target_tokens(count);
  std::vector<size_t> order;  // non-empty sentences, sorted by length
  std::vector<char> cropped(count, 0);  // per sentence: its source was cropped
  const size_t max_tokens = max_source_tokens();
  for (size_t i = 0; i < count; ++i) {
    PreparedSource prepared = prepare(sources[i]);
    if (prepared.tokens.empty()) {
      translations[i].push_back(translation_of(prepared, Hypothesis()));
      continue;
    }
    cropped[i] = prepared.cropped;
    source_ids[i] = std::move(prepared.ids);
    source_tokens[i] = std::move(prepared.tokens);
    if (targets) {
      bool ignored = false;
      target_tokens[i] = model_.target_tokenizer->encode(bounded_text((*targets)[i], max_tokens, &ignored));
      if (target_tokens[i].size() > max_tokens) target_tokens[i].resize(max_tokens);
      target_ids[i] = model_.target_vocab.ids(target_tokens[i]);
    }
    order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return source_ids[a].size() < source_ids[b].size();
  });

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
    const SourceBatch source = make_source_batch(batch_sources, device_);
    std::vector<std::vector<Hypothesis>> nbest;
    if (targets) {
      for (auto& h : heed::force_decode(*model_.model, source, batch_targets, options_.search.return_attention)) {
        nbest.push_back({std::move(h)});
      }
    } else if (options_.shortlist) {
      // Lifted again however the search ends: the model outlives this call.
      struct Lift {
        Seq2SeqModel& model;
        ~Lift() { model.restrict_output({}); }
      } lift{searched};
      searched.restrict_output(options_.shortlist->candidates(batch_sources));
      nbest = beam_search(searched, source, options_.search);
    } else {
      nbest = beam_search(searched, source, options_.search);
    }
    for (size_t k = begin; k < end; ++k) {
      const size_t i = order[k];
      for (auto& hypothesis : nbest[k - begin]) {
        translations[i].push_back(
            make_translation(source_tokens[i], std::move(hypothesis), targets ? &target_tokens[i] : nullptr));
        translations[i].back().source_cropped = cropped[i] != 0;
      }
    }
  }
  return translations;
}

}  // namespace heed
