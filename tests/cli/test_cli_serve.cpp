// `heed serve` run as a user runs it: a model directory behind HTTP, answers equal to
// `heed translate`'s, an access log, a clean stop on SIGTERM, clear errors at start.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/browser.h"
#include "support/run_heed.h"

namespace heed {
namespace {

using testing::run_heed;
using nlohmann::json;

class CliServe : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir("heed_serve");
    ASSERT_EQ(run_heed("data dates --count 600 --seed 1 --out " + (*dir_ / "train.tsv")).exit_code, 0);
    ASSERT_EQ(run_heed("data dates --count 20 --seed 2 --out " + (*dir_ / "valid.tsv")).exit_code, 0);
    // A Transformer: three parts, two layers, two heads for the explorer to draw.
    const auto trained = run_heed("train --train " + (*dir_ / "train.tsv") + " --valid " + (*dir_ / "valid.tsv") +
                                  " --model transformer --tokenizer char --d-model 16 --heads 2 --ff 32 --layers 2"
                                  " --max-steps 30 --threads 1 --out " + (*dir_ / "model"));
    ASSERT_EQ(trained.exit_code, 0) << trained.err;
  }
  static void TearDownTestSuite() { delete dir_; }

  // Starts `heed serve ARGS --port 0` and waits for the port it logs.
  int start_server(const std::string& args) {
    log_ = *dir_ / ("serve" + std::to_string(++servers_) + ".log");
    pid_ = ::fork();
    if (pid_ == 0) {
      const std::string command = std::string("exec ") + HEED_BINARY + " serve " + args + " --port 0 2>" + log_;
      ::execl("/bin/sh", "sh", "-c", command.c_str(), (char*)nullptr);
      ::_exit(127);
    }
    const std::regex serving("serving on http://127\\.0\\.0\\.1:([0-9]+)/");
    for (int i = 0; i < 600; ++i) {
      std::smatch match;
      const std::string text = testing::read_text(log_);
      if (std::regex_search(text, match, serving)) return std::stoi(match[1]);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "the server did not start: " << testing::read_text(log_);
    return -1;
  }
  int stop_server() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  static testing::TempDir* dir_;
  static int servers_;
  std::string log_;
  pid_t pid_ = -1;
};
testing::TempDir* CliServe::dir_ = nullptr;
int CliServe::servers_ = 0;

TEST_F(CliServe, AnswersAsTranslateDoesLogsEachRequestAndStopsOnSigterm) {
  const int port = start_server("--model " + (*dir_ / "model") + " --threads 1");
  ASSERT_GT(port, 0);
  const std::string input = "3 may 1979\nDecember 25, 2020\n";
  const auto offline = run_heed("translate --model " + (*dir_ / "model") + " --beam 3 --output jsonl --threads 1", input);
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  const auto expected = testing::split_lines(offline.out);
  httplib::Client client("127.0.0.1", port);
  auto response = client.Post("/v1/translate", R"({"text": ["3 may 1979", "December 25, 2020"], "beam": 3})",
                              "application/json");
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  const json body = json::parse(response->body);
  EXPECT_EQ(body["model"], "model");  // named after its directory
  for (size_t i = 0; i < 2; ++i) {
    const json want = json::parse(expected[i]);
    EXPECT_EQ(body["translations"][i]["hypothesis"], want["hypothesis"]);
    EXPECT_EQ(body["translations"][i]["tokens"], want["tokens"]);
  }
  // LibreTranslate's endpoint decodes greedily, as `heed translate` does by default.
  const auto greedy = run_heed("translate --model " + (*dir_ / "model") + " --threads 1", "3 may 1979\n");
  auto libre = client.Post("/translate", httplib::Params{{"q", "3 may 1979"}, {"source", "auto"}, {"target", "en"}});
  ASSERT_TRUE(libre);
  EXPECT_EQ(json::parse(libre->body)["translatedText"].get<std::string>() + "\n", greedy.out);
  EXPECT_EQ(stop_server(), 0);
  const std::string log = testing::read_text(log_);
  EXPECT_NE(log.find("127.0.0.1 \"POST /v1/translate HTTP/1.1\" 200"), std::string::npos) << log;
  EXPECT_NE(log.find("SIGTERM: finishing the requests in flight, then stopping"), std::string::npos) << log;
}

// The explorer's own JavaScript, in a real browser against the live server: it fetches
// the models, translates the first example, and draws every view.
TEST_F(CliServe, TheExplorerOpensWithTheExampleTranslatedAndDrawsEveryView) {
  if (!testing::have_chromium()) GTEST_SKIP() << "no " << testing::kChromium;
  const int port = start_server("--model " + (*dir_ / "model") + " --threads 1");
  ASSERT_GT(port, 0);
  httplib::Client client("127.0.0.1", port);
  auto models = client.Get("/v1/models");
  ASSERT_TRUE(models);
  const json examples = json::parse(models->body)["models"][0]["examples"];
  ASSERT_FALSE(examples.empty());
  auto expected = client.Post("/v1/translate", json({{"text", examples[0]}, {"attention", "all"}}).dump(),
                              "application/json");
  ASSERT_TRUE(expected);
  const json translation = json::parse(expected->body)["translations"][0];
  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(page->body.find("http"), page->body.find("http://www.w3.org"));  // nothing from elsewhere

  const std::string dom_file = *dir_ / "explorer.dom.html";
  const std::string command = "timeout 120 " + std::string(testing::kChromium) +
                              " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run"
                              " --virtual-time-budget=20000 --dump-dom http://127.0.0.1:" + std::to_string(port) +
                              "/ > " + dom_file + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0);
  const std::string dom = testing::read_text(dom_file);
  EXPECT_NE(dom.find("data-state=\"ready\""), std::string::npos) << dom.substr(0, 2000);
  // The example's translation, as the API gives it.
  const std::string shown = "<p id=\"translation\">" + translation["hypothesis"].get<std::string>() + "</p>";
  EXPECT_NE(dom.find(shown), std::string::npos) << shown;
  // Heatmap of cross-attention, layer 0, head 0: a cell per target and source token.
  const size_t source = translation["source_tokens"].size(), target = translation["tokens"].size();
  EXPECT_EQ(testing::count_occurrences(dom, "class=\"cell\""), target * source);
  // Model view: every layer x head of that part; head view: lines.
  EXPECT_EQ(testing::count_occurrences(dom, "<canvas"), 4u);
  EXPECT_GT(testing::count_occurrences(dom, "class=\"attention-line\""), 0u);
  EXPECT_EQ(stop_server(), 0);
}

TEST_F(CliServe, MistakesAtStartAreOneLine) {
  const auto missing = run_heed("serve --model " + (*dir_ / "nothing") + " --port 0");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(testing::split_lines(missing.err).size(), 1u) << missing.err;
  EXPECT_NE(missing.err.find("heed: error: "), std::string::npos);
  const auto twice = run_heed("serve --model a=" + (*dir_ / "model") + " --model a=" + (*dir_ / "model") + " --port 0");
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_NE(twice.err.find("heed: error: two models are named a"), std::string::npos) << twice.err;
  const int port = start_server("--model " + (*dir_ / "model") + " --threads 1");
  const auto taken = run_heed("serve --model " + (*dir_ / "model") + " --port " + std::to_string(port));
  EXPECT_EQ(taken.exit_code, 1);
  EXPECT_NE(taken.err.find("heed: error: cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << taken.err;
  EXPECT_EQ(stop_server(), 0);
}

}  // namespace
}  // namespace heed
