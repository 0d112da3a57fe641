// heed serve's HTTP side (serve/http_server.h), with a real client over loopback:
// routes, JSON errors for what httplib refuses itself, LibreTranslate's form encoding,
// many clients at once, a client that hangs up, and a clean stop.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "serve/http_server.h"
#include "support/new_model.h"
#include "support/tiny_models.h"

namespace heed {
namespace {

using nlohmann::json;

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServedModel m;
    m.name = "de-en";
    const std::vector<SentencePair> pairs = {{"ein kleiner hund läuft", "a small dog runs"},
                                             {"eine katze schläft", "a cat sleeps"}};
    m.model = testing::untrained_model("gru-bahdanau", TokenizerKind::Word, testing::tiny_hyperparameters("gru-bahdanau"),
                                       pairs);
    m.model.model->eval();
    std::vector<ServedModel> models;
    models.push_back(std::move(m));
    BatchingLimits batching;
    batching.max_wait_ms = 20;
    api_ = std::make_unique<TranslationApi>(std::move(models), TranslatorOptions{}, batching, ApiLimits{});
    HttpOptions options;
    options.port = 0;
    options.max_body_bytes = 4096;
    server_ = std::make_unique<HttpServer>(*api_, options);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  std::unique_ptr<TranslationApi> api_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(HttpServerTest, TranslatesAndDescribesOverHttp) {
  auto c = client();
  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(json::parse(health->body)["status"], "ok");
  auto translated = c.Post("/v1/translate", R"({"text": "ein kleiner hund läuft"})", "application/json");
  ASSERT_TRUE(translated);
  ASSERT_EQ(translated->status, 200) << translated->body;
  EXPECT_EQ(json::parse(translated->body)["translations"][0]["hypothesis"],
            api_->translate(R"({"text": "ein kleiner hund läuft"})").body["translations"][0]["hypothesis"]);
  auto models = c.Get("/v1/models");
  ASSERT_TRUE(models);
  EXPECT_EQ(json::parse(models->body)["models"][0]["model"], "gru-bahdanau");
}

TEST_F(HttpServerTest, LibreTranslateFormFieldsWorkAsJsonDoes) {
  auto c = client();
  httplib::Params form{{"q", "eine katze schläft"}, {"source", "de"}, {"target", "en"}};
  auto by_form = c.Post("/translate", form);
  auto by_json = c.Post("/translate", R"({"q": "eine katze schläft", "source": "de", "target": "en"})",
                        "application/json");
  ASSERT_TRUE(by_form && by_json);
  ASSERT_EQ(by_form->status, 200) << by_form->body;
  EXPECT_EQ(json::parse(by_form->body), json::parse(by_json->body));
  auto languages = c.Get("/languages");
  ASSERT_TRUE(languages);
  EXPECT_EQ(json::parse(languages->body)[0]["code"], "de");
}

TEST_F(HttpServerTest, WhatHttpRefusesIsAJsonErrorToo) {
  auto c = client();
  auto missing = c.Get("/v2/nothing");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["error"], "no such endpoint: GET /v2/nothing");
  auto large = c.Post("/v1/translate", "{\"text\": \"" + std::string(5000, 'a') + "\"}", "application/json");
  ASSERT_TRUE(large);
  EXPECT_EQ(large->status, 413);
  EXPECT_EQ(json::parse(large->body)["error"], "the request body is over the server's limit");
  auto malformed = c.Post("/v1/translate", "{oops", "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_EQ(json::parse(malformed->body)["error"].get<std::string>().rfind("the body is not valid JSON", 0), 0u);
}

TEST_F(HttpServerTest, ManyClientsAtOnceAndOneThatHangsUpDisturbNoOne) {
  // A client that sends half a request and goes away.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port_));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string half = "POST /v1/translate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"text\":";
  ASSERT_EQ(::write(fd, half.data(), half.size()), static_cast<ssize_t>(half.size()));
  ::close(fd);

  const std::vector<std::string> sentences = {"ein kleiner hund läuft", "eine katze schläft", "ein hund", "katze"};
  constexpr int kClients = 16;
  std::vector<std::string> answers(kClients);
  std::vector<int> statuses(kClients, 0);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      auto c = client();
      const json request = {{"text", sentences[i % sentences.size()]}};
      if (auto response = c.Post("/v1/translate", request.dump(), "application/json")) {
        statuses[i] = response->status;
        answers[i] = json::parse(response->body)["translations"][0]["hypothesis"];
      } else {
        answers[i] = "no answer: " + httplib::to_string(response.error());
      }
    });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < kClients; ++i) {
    EXPECT_EQ(statuses[i], 200) << "client " << i;
    const json alone = api_->translate(json({{"text", sentences[i % sentences.size()]}}).dump()).body;
    EXPECT_EQ(answers[i], alone["translations"][0]["hypothesis"]) << "client " << i;
  }
}

}  // namespace
}  // namespace heed
