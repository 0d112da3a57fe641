// heed serve's JSON API, apart from HTTP: requests in, status and JSON out, so that every
// endpoint's behaviour (and every malformed request) is tested without sockets.
//
//   GET  /health        {"status": "ok", "models": [names]}
//   GET  /v1/models     each model: name, registry name, hyperparameters, tokenizers,
//                       vocabulary sizes, attention layout, example sentences
//   POST /v1/translate  {"model"?, "text": string | [strings], "beam"?, "nbest"?,
//                        "length_penalty"?, "max_length_ratio"?, "alignment"?: none|hard|soft,
//                        "replace_unknown"?, "attention"?: none|cross|all}
//                       -> {"model", "translations": [one object per sentence: the fields of
//                          `heed translate --output jsonl`, and "attention": matrices
//                          labelled as in dump-attention's CSV when asked]}
//   POST /translate     LibreTranslate: {"q": string | [strings], "source", "target"}
//                       (JSON or form fields) -> {"translatedText": string | [strings]}
//   GET  /languages     LibreTranslate: the language pairs the models' names give
//
// With one model, "model" (and LibreTranslate's source/target) may be left out or be
// anything; with several, /v1 names the model and LibreTranslate picks "source-target".
// Errors are {"error": "..."} with 400 (a malformed request), 404 (no such model),
// 413 (over a limit) or 503 (the queue is full).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "model_dir/model_directory.h"
#include "serve/batching_translator.h"

namespace heed {

struct ApiLimits {
  int64_t max_sentences = 64;          // per request
  int64_t max_sentence_bytes = 10000;  // per sentence (about 1000 words)
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
};

struct ServedModel {
  std::string name;       // de-en, or the directory's name
  std::string directory;
  LoadedModel model;
  std::vector<std::string> examples;  // sentences the explorer offers (serve --example, then config.json's)
};

class TranslationApi {
 public:
  TranslationApi(std::vector<ServedModel> models, TranslatorOptions base, BatchingLimits batching, ApiLimits limits);
  ~TranslationApi();

  ApiResponse health() const;
  ApiResponse models() const;
  ApiResponse translate(const std::string& body) const;
  // LibreTranslate's /translate, from its parameters (JSON body or form fields, as
  // strings; "q" may hold a JSON list when it came as JSON).
  ApiResponse libretranslate(const nlohmann::json& parameters) const;
  ApiResponse languages() const;

 private:
  struct Entry {
    ServedModel served;
    std::unique_ptr<BatchingTranslator> batching;
  };
  // The model a request names; nullptr when there is none of that name.
  const Entry* find(const std::string& name) const;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<std::string> names_;
  ApiLimits limits_;
};

// "Request error" (400) as the API writes it.
ApiResponse api_error(int status, const std::string& message);

}  // namespace heed
