#include "serve/translation_api.h"

#include <spdlog/fmt/fmt.h>

#include <algorithm>
#include <future>

#include "attention/attention_export.h"
#include "decode/output_format.h"
#include "text/vocabularies.h"
#include "util/error.h"
#include "util/utf8.h"

namespace heed {

namespace {

// A request whose fields are wrong: a 400 with this message.
class BadRequest : public std::runtime_error {
 public:
  explicit BadRequest(const std::string& message, int status = 400) : std::runtime_error(message), status(status) {}
  int status;
};

int64_t integer_field(const nlohmann::json& request, const char* key, int64_t fallback, int64_t lowest,
                      int64_t highest) {
  if (!request.contains(key)) return fallback;
  const auto& value = request.at(key);
  if (!value.is_number_integer() || value.get<int64_t>() < lowest || value.get<int64_t>() > highest) {
    throw BadRequest(std::string("\"") + key + "\" must be an integer in [" + std::to_string(lowest) + ", " +
                     std::to_string(highest) + "]");
  }
  return value.get<int64_t>();
}

double number_field(const nlohmann::json& request, const char* key, double fallback, double lowest, double highest) {
  if (!request.contains(key)) return fallback;
  const auto& value = request.at(key);
  if (!value.is_number() || !(value.get<double>() >= lowest && value.get<double>() <= highest)) {
    throw BadRequest(std::string("\"") + key + "\" must be a number in [" + fmt::format("{}", lowest) + ", " +
                     fmt::format("{}", highest) + "]");
  }
  return value.get<double>();
}

std::string choice_field(const nlohmann::json& request, const char* key, const std::vector<std::string>& choices) {
  if (!request.contains(key)) return choices.front();
  const auto& value = request.at(key);
  if (value.is_string()) {
    for (const auto& choice : choices) {
      if (value.get<std::string>() == choice) return choice;
    }
  }
  std::string list;
  for (const auto& choice : choices) list += (list.empty() ? "" : ", ") + choice;
  throw BadRequest(std::string("\"") + key + "\" must be one of " + list);
}

bool bool_field(const nlohmann::json& request, const char* key) {
  if (!request.contains(key)) return false;
  if (!request.at(key).is_boolean()) throw BadRequest(std::string("\"") + key + "\" must be true or false");
  return request.at(key).get<bool>();
}

// "text": a string or a list of strings, within the limits, valid UTF-8.
std::vector<std::string> sentences_field(const nlohmann::json& request, const char* key, const ApiLimits& limits,
                                         bool* was_list) {
  if (!request.contains(key)) throw BadRequest(std::string("\"") + key + "\" is required");
  const auto& value = request.at(key);
  std::vector<std::string> sentences;
  *was_list = value.is_array();
  if (value.is_string()) {
    sentences.push_back(value.get<std::string>());
  } else if (value.is_array()) {
    for (const auto& item : value) {
      if (!item.is_string()) throw BadRequest(std::string("\"") + key + "\" must be a string or a list of strings");
      sentences.push_back(item.get<std::string>());
    }
  } else {
    throw BadRequest(std::string("\"") + key + "\" must be a string or a list of strings");
  }
  if (static_cast<int64_t>(sentences.size()) > limits.max_sentences) {
    throw BadRequest(std::to_string(sentences.size()) + " sentences in one request; at most " +
                     std::to_string(limits.max_sentences), 413);
  }
  for (size_t i = 0; i < sentences.size(); ++i) {
    if (static_cast<int64_t>(sentences[i].size()) > limits.max_sentence_bytes) {
      throw BadRequest("sentence " + std::to_string(i) + " has " + std::to_string(sentences[i].size()) +
                       " bytes; at most " + std::to_string(limits.max_sentence_bytes), 413);
    }
    // One line per sentence, as `heed translate` reads them.
    if (sentences[i].find('\n') != std::string::npos) {
      throw BadRequest("sentence " + std::to_string(i) + " holds a line break; send one sentence per list item");
    }
  }
  return sentences;
}

nlohmann::json matrices_json(const std::vector<AttentionMatrix>& matrices) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : matrices) {
    nlohmann::json weights = nlohmann::json::array();
    const torch::Tensor contiguous = m.weights.contiguous();
    const auto w = contiguous.accessor<float, 2>();
    for (int64_t q = 0; q < m.weights.size(0); ++q) {
      nlohmann::json row = nlohmann::json::array();
      for (int64_t k = 0; k < m.weights.size(1); ++k) row.push_back(w[q][k]);
      weights.push_back(std::move(row));
    }
    list.push_back({{"part", attention_part_name(m.part)},
                    {"layer", m.layer},
                    {"head", m.head},
                    {"query_tokens", m.query_tokens},
                    {"key_tokens", m.key_tokens},
                    {"weights", std::move(weights)}});
    if (m.precision != Precision::Float32) list.back()["precision"] = precision_name(m.precision);
  }
  return list;
}

// Waits for a request's results; the queue's refusal is a 503.
RequestResult run(BatchingTranslator& batching, std::vector<std::string> sentences, const DecodingChoice& choice) {
  try {
    return batching.submit(std::move(sentences), choice).get();
  } catch (const QueueFull&) {
    throw BadRequest("the server is busy (its translation queue is full); try again shortly", 503);
  }
}

}  // namespace

ApiResponse api_error(int status, const std::string& message) { return {status, {{"error", message}}}; }

TranslationApi::TranslationApi(std::vector<ServedModel> models, TranslatorOptions base, BatchingLimits batching,
                               ApiLimits limits)
    : limits_(limits) {
  if (models.empty()) throw Error("no model to serve");
  for (auto& served : models) {
    for (const auto& name : names_) {
      if (name == served.name) throw Error("two models are named " + name + " (--model NAME=DIR names them)");
    }
    names_.push_back(served.name);
    auto entry = std::make_unique<Entry>();
    entry->served = std::move(served);
    entry->batching = std::make_unique<BatchingTranslator>(entry->served.model, base, batching);
    entries_.push_back(std::move(entry));
  }
}

TranslationApi::~TranslationApi() = default;

const TranslationApi::Entry* TranslationApi::find(const std::string& name) const {
  if (entries_.size() == 1 && name.empty()) return entries_.front().get();
  for (const auto& entry : entries_) {
    if (entry->served.name == name) return entry.get();
  }
  return nullptr;
}

ApiResponse TranslationApi::health() const { return {200, {{"status", "ok"}, {"models", names_}}}; }

ApiResponse TranslationApi::models() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& entry : entries_) {
    const LoadedModel& m = entry->served.model;
    const AttentionLayout layout = m.model->attention_layout();
    nlohmann::json parts = nlohmann::json::array();
    for (const auto& [part, shape] : layout) {
      parts.push_back({{"part", attention_part_name(part)}, {"layers", shape.layers}, {"heads", shape.heads}});
    }
    list.push_back({{"name", entry->served.name},
                    {"model", m.config.model},
                    {"hyperparameters", m.config.hyperparameters},
                    {"source_tokenizer", tokenizer_config_json(m.config.source_tokenizer)},
                    {"target_tokenizer", tokenizer_config_json(m.config.target_tokenizer)},
                    {"source_vocab_size", m.source_vocab.size()},
                    {"target_vocab_size", m.target_vocab.size()},
                    {"attention", parts},
                    {"precision", precision_name(m.model->precision())},
                    {"examples", entry->served.examples}});
  }
  return {200, {{"models", list}}};
}

ApiResponse TranslationApi::translate(const std::string& body) const {
  try {
    nlohmann::json request;
    try {
      request = nlohmann::json::parse(body);
    } catch (const nlohmann::json::exception& e) {
      throw BadRequest(std::string("the body is not valid JSON: ") + e.what());
    }
    if (!request.is_object()) throw BadRequest("the body must be a JSON object");
    static const std::vector<std::string> kKnown = {"model", "text", "beam", "nbest", "length_penalty",
                                                    "max_length_ratio", "alignment", "replace_unknown", "attention"};
    for (const auto& [key, value] : request.items()) {
      if (std::find(kKnown.begin(), kKnown.end(), key) == kKnown.end()) throw BadRequest("unknown field \"" + key + "\"");
    }
    std::string name;
    if (request.contains("model")) {
      if (!request["model"].is_string()) throw BadRequest("\"model\" must be a string");
      name = request["model"].get<std::string>();
    }
    const Entry* entry = find(name);
    if (entry == nullptr) {
      throw BadRequest(name.empty() ? "\"model\" is required: this server has several (GET /v1/models)"
                                    : "no model named \"" + name + "\" (GET /v1/models)",
                       name.empty() ? 400 : 404);
    }
    bool was_list = false;
    const auto sentences = sentences_field(request, "text", limits_, &was_list);
    DecodingChoice choice;
    choice.search.beam_size = integer_field(request, "beam", 1, 1, 64);
    choice.search.nbest = integer_field(request, "nbest", 1, 1, choice.search.beam_size);
    choice.search.length_penalty = number_field(request, "length_penalty", 0.6, 0.0, 10.0);
    choice.search.max_length_ratio = number_field(request, "max_length_ratio", 2.0, 0.0, 100.0);
    choice.replace_unknown = bool_field(request, "replace_unknown");
    OutputOptions output;
    output.format = OutputFormat::Jsonl;
    output.alignment = parse_alignment_kind(choice_field(request, "alignment", {"none", "hard", "soft"}));
    output.all_hypotheses = choice.search.nbest > 1;
    const std::string attention = choice_field(request, "attention", {"none", "cross", "all"});
    choice.search.return_attention = output.alignment != AlignmentKind::None || attention != "none";
    const auto results = run(*entry->batching, sentences, choice);
    nlohmann::json translations = nlohmann::json::array();
    for (size_t i = 0; i < sentences.size(); ++i) {
      nlohmann::json json = translation_json(i, sentences[i], results[i], output);
      if (attention != "none" && !results[i].front().target_tokens.empty()) {
        AttentionFilter filter;
        if (attention == "cross") filter.part = AttentionPart::Cross;
        json["attention"] = matrices_json(attention_matrices(results[i].front(), filter));
      }
      translations.push_back(std::move(json));
    }
    return {200, {{"model", entry->served.name}, {"translations", std::move(translations)}}};
  } catch (const BadRequest& e) {
    return api_error(e.status, e.what());
  } catch (const Error& e) {
    return api_error(400, e.what());
  }
}

ApiResponse TranslationApi::libretranslate(const nlohmann::json& parameters) const {
  try {
    auto text_of = [&](const char* key) {
      if (!parameters.contains(key)) return std::string();
      if (!parameters[key].is_string()) throw BadRequest(std::string("\"") + key + "\" must be a string");
      return parameters[key].get<std::string>();
    };
    const std::string source = text_of("source"), target = text_of("target");
    const Entry* entry = entries_.size() == 1 ? entries_.front().get() : find(source + "-" + target);
    if (entry == nullptr) {
      std::string pairs;
      for (const auto& name : names_) pairs += (pairs.empty() ? "" : ", ") + name;
      throw BadRequest("no model translates " + source + " to " + target + " (this server has " + pairs + ")");
    }
    bool was_list = false;
    const auto sentences = sentences_field(parameters, "q", limits_, &was_list);
    const auto results = run(*entry->batching, sentences, DecodingChoice{});
    nlohmann::json body;
    if (was_list) {
      body["translatedText"] = nlohmann::json::array();
      for (const auto& nbest : results) body["translatedText"].push_back(nbest.front().text);
    } else {
      body["translatedText"] = results.front().front().text;
    }
    if (source == "auto") {
      const std::string& name = entry->served.name;
      const size_t dash = name.find('-');
      body["detectedLanguage"] = {{"confidence", 100}, {"language", dash == std::string::npos ? name : name.substr(0, dash)}};
    }
    return {200, body};
  } catch (const BadRequest& e) {
    return api_error(e.status, e.what());
  } catch (const Error& e) {
    return api_error(400, e.what());
  }
}

ApiResponse TranslationApi::languages() const {
  // Model names "src-tgt" give the pairs; a single model of another name translates
  // whatever it was trained on, listed under its name.
  std::map<std::string, std::vector<std::string>> targets;
  for (const auto& name : names_) {
    const size_t dash = name.find('-');
    if (dash == std::string::npos) {
      targets[name].push_back(name);
    } else {
      targets[name.substr(0, dash)].push_back(name.substr(dash + 1));
    }
  }
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [code, to] : targets) list.push_back({{"code", code}, {"name", code}, {"targets", to}});
  return {200, list};
}

}  // namespace heed
