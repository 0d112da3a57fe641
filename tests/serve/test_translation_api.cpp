// heed serve's JSON API without sockets (serve/translation_api.h): what each endpoint
// answers, that a sentence gets what `heed translate --output jsonl` gives it, and the
// status and message of every malformed or oversized request.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <future>
#include <thread>

#include "decode/output_format.h"
#include "serve/translation_api.h"
#include "support/new_model.h"
#include "support/tiny_models.h"

namespace heed {
namespace {

using nlohmann::json;

const std::vector<SentencePair>& api_corpus() {
  static const std::vector<SentencePair> pairs = {
      {"ein kleiner hund läuft", "a small dog runs"}, {"zwei frauen lachen", "two women laugh"},
      {"der mann liest ein buch", "the man reads a book"}, {"eine katze schläft", "a cat sleeps"}};
  return pairs;
}

ServedModel served(const std::string& name, const std::string& model = "transformer") {
  ServedModel m;
  m.name = name;
  m.directory = "/nowhere/" + name;
  m.model = testing::untrained_model(model, TokenizerKind::Word, testing::tiny_hyperparameters(model), api_corpus());
  m.model.model->eval();
  return m;
}

std::unique_ptr<TranslationApi> api_of(std::vector<std::string> names, ApiLimits limits = {},
                                       BatchingLimits batching = {}) {
  std::vector<ServedModel> models;
  for (const auto& name : names) models.push_back(served(name));
  return std::make_unique<TranslationApi>(std::move(models), TranslatorOptions{}, batching, limits);
}

void expect_error(const ApiResponse& response, int status, const std::string& message) {
  EXPECT_EQ(response.status, status) << response.body.dump();
  ASSERT_TRUE(response.body.contains("error")) << response.body.dump();
  EXPECT_EQ(response.body["error"].get<std::string>().rfind(message, 0), 0u) << response.body["error"];
}

TEST(TranslationApi, HealthAndModelsDescribeWhatIsServed) {
  const auto api = api_of({"de-en"});
  EXPECT_EQ(api->health().body, json({{"status", "ok"}, {"models", {"de-en"}}}));
  const auto models = api->models();
  ASSERT_EQ(models.status, 200);
  const auto& m = models.body["models"][0];
  EXPECT_EQ(m["name"], "de-en");
  EXPECT_EQ(m["model"], "transformer");
  EXPECT_EQ(m["hyperparameters"]["d_model"], 16);
  EXPECT_GT(m["source_vocab_size"].get<int64_t>(), 4);
  EXPECT_EQ(m["attention"].size(), 3u);  // enc_self, dec_self, cross
}

TEST(TranslationApi, ASentenceGetsTheFieldsAndValuesOfTranslateJsonl) {
  const auto api = api_of({"de-en"});
  const auto response = api->translate(R"({"text": ["ein kleiner hund läuft", "eine katze"], "beam": 3, "nbest": 2,
                                          "alignment": "hard"})");
  ASSERT_EQ(response.status, 200) << response.body.dump();
  EXPECT_EQ(response.body["model"], "de-en");
  ASSERT_EQ(response.body["translations"].size(), 2u);
  // What `heed translate --beam 3 --nbest 2 --alignment hard --output jsonl` writes.
  ServedModel same = served("x");
  TranslatorOptions options;
  options.search.beam_size = 3;
  options.search.nbest = 2;
  options.search.return_attention = true;
  OutputOptions output;
  output.format = OutputFormat::Jsonl;
  output.alignment = AlignmentKind::Hard;
  output.all_hypotheses = true;
  const auto expected = Translator(same.model, options).translate_nbest({"ein kleiner hund läuft", "eine katze"});
  for (size_t i = 0; i < 2; ++i) {
    const json& got = response.body["translations"][i];
    const json want = translation_json(i, i == 0 ? "ein kleiner hund läuft" : "eine katze", expected[i], output);
    EXPECT_EQ(got["hypothesis"], want["hypothesis"]);
    EXPECT_EQ(got["tokens"], want["tokens"]);
    EXPECT_EQ(got["alignment"], want["alignment"]);
    EXPECT_NEAR(got["score"].get<double>(), want["score"].get<double>(), 1e-5);
    ASSERT_EQ(got["nbest"].size(), 2u);
    EXPECT_FALSE(got.contains("attention"));
  }
}

TEST(TranslationApi, AttentionComesAsLabelledMatricesOfEveryPartLayerAndHead) {
  const auto api = api_of({"de-en"});
  const auto all = api->translate(R"({"text": "ein kleiner hund läuft", "attention": "all"})");
  ASSERT_EQ(all.status, 200) << all.body.dump();
  const json& translation = all.body["translations"][0];
  const json& matrices = translation["attention"];
  // 2 layers x 4 heads for each of the three parts.
  ASSERT_EQ(matrices.size(), 24u);
  const size_t targets = translation["tokens"].size(), sources = translation["source_tokens"].size();
  for (const auto& m : matrices) {
    if (m["part"] == "cross") {
      EXPECT_EQ(m["query_tokens"], translation["tokens"]);
      EXPECT_EQ(m["key_tokens"], translation["source_tokens"]);
      ASSERT_EQ(m["weights"].size(), targets);
      ASSERT_EQ(m["weights"][0].size(), sources);
      double sum = 0;
      for (double w : m["weights"][0]) sum += w;
      EXPECT_NEAR(sum, 1.0, 1e-4);
    }
  }
  const auto cross = api->translate(R"({"text": "ein kleiner hund läuft", "attention": "cross"})");
  ASSERT_EQ(cross.body["translations"][0]["attention"].size(), 8u);
  for (const auto& m : cross.body["translations"][0]["attention"]) EXPECT_EQ(m["part"], "cross");
}

TEST(TranslationApi, MalformedRequestsGetA400ThatSaysWhatIsWrong) {
  ApiLimits limits;
  limits.max_sentences = 3;
  limits.max_sentence_bytes = 40;
  const auto api = api_of({"de-en"}, limits);
  expect_error(api->translate("{\"text\": "), 400, "the body is not valid JSON");
  expect_error(api->translate("[1, 2]"), 400, "the body must be a JSON object");
  expect_error(api->translate(R"({"txt": "a"})"), 400, "unknown field \"txt\"");
  expect_error(api->translate(R"({"beam": 2})"), 400, "\"text\" is required");
  expect_error(api->translate(R"({"text": 5})"), 400, "\"text\" must be a string or a list of strings");
  expect_error(api->translate(R"({"text": ["a", 5]})"), 400, "\"text\" must be a string or a list of strings");
  expect_error(api->translate(R"({"text": "a", "beam": 0})"), 400, "\"beam\" must be an integer in [1, 64]");
  expect_error(api->translate(R"({"text": "a", "beam": "5"})"), 400, "\"beam\" must be an integer in [1, 64]");
  expect_error(api->translate(R"({"text": "a", "beam": 2, "nbest": 3})"), 400, "\"nbest\" must be an integer in [1, 2]");
  expect_error(api->translate(R"({"text": "a", "alignment": "soft-ish"})"), 400,
               "\"alignment\" must be one of none, hard, soft");
  expect_error(api->translate(R"({"text": "a", "length_penalty": -1})"), 400, "\"length_penalty\" must be a number");
  expect_error(api->translate(R"({"text": "a\nb"})"), 400, "sentence 0 holds a line break");
  expect_error(api->translate(R"({"text": ["a", "b", "c", "d"]})"), 413, "4 sentences in one request; at most 3");
  expect_error(api->translate(R"({"text": ["a", ")" + std::string(41, 'x') + R"("]})"), 413,
               "sentence 1 has 41 bytes; at most 40");
  expect_error(api->translate(R"({"text": "a", "model": 7})"), 400, "\"model\" must be a string");
  // An empty sentence is a valid request: an empty translation.
  const auto empty = api->translate(R"({"text": ""})");
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body["translations"][0]["hypothesis"], "");
}

TEST(TranslationApi, SeveralModelsArePickedByNameOrByLanguagePair) {
  const auto api = api_of({"de-en", "en-fr"});
  expect_error(api->translate(R"({"text": "a"})"), 400, "\"model\" is required: this server has several");
  expect_error(api->translate(R"({"text": "a", "model": "xx-yy"})"), 404, "no model named \"xx-yy\"");
  EXPECT_EQ(api->translate(R"({"text": "a", "model": "en-fr"})").body["model"], "en-fr");
  const auto picked = api->libretranslate({{"q", "ein hund"}, {"source", "de"}, {"target", "en"}});
  ASSERT_EQ(picked.status, 200) << picked.body.dump();
  EXPECT_TRUE(picked.body["translatedText"].is_string());
  expect_error(api->libretranslate({{"q", "a"}, {"source", "fr"}, {"target", "de"}}), 400,
               "no model translates fr to de (this server has de-en, en-fr)");
  EXPECT_EQ(api->languages().body,
            json::parse(R"([{"code": "de", "name": "de", "targets": ["en"]},
                            {"code": "en", "name": "en", "targets": ["fr"]}])"));
}

TEST(TranslationApi, LibreTranslateClientsGetAStringForAStringAndAListForAList) {
  const auto api = api_of({"de-en"});
  // With one model, source and target may be anything, "auto" included.
  const auto one = api->libretranslate({{"q", "ein kleiner hund läuft"}, {"source", "auto"}, {"target", "en"}});
  ASSERT_EQ(one.status, 200) << one.body.dump();
  EXPECT_TRUE(one.body["translatedText"].is_string());
  EXPECT_EQ(one.body["detectedLanguage"]["language"], "de");
  const auto list = api->libretranslate({{"q", {"ein hund", "eine katze"}}, {"source", "de"}, {"target", "en"},
                                         {"format", "text"}, {"api_key", ""}});
  ASSERT_EQ(list.status, 200) << list.body.dump();
  ASSERT_EQ(list.body["translatedText"].size(), 2u);
  EXPECT_EQ(list.body["translatedText"][1], api->translate(R"({"text": "eine katze"})").body["translations"][0]["hypothesis"]);
  expect_error(api->libretranslate({{"source", "de"}, {"target", "en"}}), 400, "\"q\" is required");
}

TEST(TranslationApi, AFullQueueAnswers503AndTheWaitingRequestStillSucceeds) {
  BatchingLimits batching;
  batching.max_queue_sentences = 2;
  batching.max_wait_ms = 1500;  // the first request (beam: a fixed batch) waits in the queue for company
  batching.max_batch_sentences = 100;
  const auto api = api_of({"de-en"}, {}, batching);
  auto first = std::async(std::launch::async,
                          [&] { return api->translate(R"({"text": ["ein hund", "eine katze"], "beam": 2})"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  expect_error(api->translate(R"({"text": "zwei frauen"})"), 503, "the server is busy");
  EXPECT_EQ(first.get().status, 200);
}

}  // namespace
}  // namespace heed
