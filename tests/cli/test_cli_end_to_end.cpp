// The heed binary end to end: data -> train (tiny) -> translate -> dump-attention -> eval.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "support/saved_state.h"
#include "support/browser.h"
#include "support/run_heed.h"
#include "support/trained_model_suite.h"
#include "util/csv.h"

namespace heed {
namespace {

using testing::run_heed;
using testing::split_lines;

// One tiny model shared by the tests of this file (training is the slow part).
class CliEndToEnd : public testing::TrainedModelSuite<CliEndToEnd> {
 public:
  static constexpr const char* kDirectoryName = "heed_cli";
  static std::vector<std::string> commands(const testing::TempDir& dir) {
    return {"data dates --count 400 --seed 3 --out " + (dir / "train.tsv"),
            "data dates --count 20 --seed 4 --out " + (dir / "valid.tsv"),
            "train --train " + (dir / "train.tsv") + " --valid " + (dir / "valid.tsv") +
                " --model gru-bahdanau --tokenizer char --emb 16 --hidden 16 --attention-size 8"
                " --max-steps 12 --valid-every 6 --batch-tokens 800 --threads 1 --out " + (dir / "model")};
  }
};

TEST_F(CliEndToEnd, ModelDirectoryDescribesItself) {
  for (const char* file : {"MANIFEST.json", "config.json", "source.vocab", "target.vocab", "train_log.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(model() + "/" + file)) << file;
  }
  const auto manifest = testing::read_manifest_json(model());
  EXPECT_EQ(manifest["format_version"], 2);
  EXPECT_EQ(manifest["step"], 12);
  for (const char* role : {"config", "source_vocab", "target_vocab", "weights_last", "weights_best", "optimizer",
                           "rng", "progress", "train_log"}) {
    ASSERT_TRUE(manifest["files"].contains(role)) << role;
    const std::string path = testing::saved_file(model(), role);
    EXPECT_EQ(std::filesystem::file_size(path), manifest["files"][role]["size"].get<uint64_t>()) << role;
    EXPECT_EQ(manifest["files"][role]["crc32c"].get<std::string>().size(), 8u) << role;
  }
  // The saves of steps 0 and 6 are gone; only the files the manifest names stay.
  for (const auto& item : std::filesystem::directory_iterator(model())) {
    const std::string name = item.path().filename().string();
    bool named = name == "MANIFEST.json" || name == "train_log.csv" || name == ".lock";
    for (const auto& [role, entry] : manifest["files"].items()) named = named || entry["file"] == name;
    EXPECT_TRUE(named) << name;
  }
  const auto config = nlohmann::json::parse(testing::read_text(model() + "/config.json"));
  EXPECT_EQ(config["format_version"], 2);
  EXPECT_EQ(config["model"], "gru-bahdanau");
  EXPECT_EQ(config["hyperparameters"]["hidden"], 16);
  EXPECT_EQ(config["hyperparameters"]["attention_size"], 8);
  EXPECT_EQ(config["source"]["tokenizer"], "char");
  const auto log = split_lines(testing::read_text(model() + "/train_log.csv"));
  ASSERT_EQ(log.size(), 3u);  // header + validations at steps 6 and 12
  EXPECT_EQ(log[0], "step,epoch,train_loss,valid_loss,valid_exact,valid_bleu,tokens_per_s,elapsed_s");
  EXPECT_EQ(log[1].substr(0, 2), "6,");
  EXPECT_EQ(log[2].substr(0, 3), "12,");
  const auto progress = testing::saved_progress(model());
  EXPECT_EQ(progress["step"], 12);
}

TEST_F(CliEndToEnd, TranslateWritesOneLinePerInputLineInOrder) {
  const auto result = run_heed("translate --model " + model(), "3 may 1979\n\n5/30/70\ntuesday, march 3, 1970\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split_lines(result.out);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[1], "");  // an empty line gives an empty line
}

TEST_F(CliEndToEnd, DumpAttentionLongCsvRowsSumToOne) {
  const auto result = run_heed("dump-attention --model " + model(), "3 may 1979\n5/30/70\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split_lines(result.out);
  ASSERT_GT(lines.size(), 2u);
  EXPECT_EQ(lines[0], "sentence,part,layer,head,query_index,query_token,key_index,key_token,weight");
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string>, double> sums;
  std::map<std::string, std::string> last_key_token;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto fields = csv::parse_line(lines[i]);
    ASSERT_EQ(fields.size(), 9u) << lines[i];
    EXPECT_EQ(fields[1], "cross");
    EXPECT_EQ(fields[2], "0");
    EXPECT_EQ(fields[3], "0");
    const double weight = std::stod(fields[8]);
    EXPECT_GE(weight, 0.0);
    sums[{fields[0], fields[1], fields[2], fields[3], fields[4]}] += weight;
    last_key_token[fields[0]] = fields[7];
  }
  EXPECT_EQ(last_key_token["0"], "</s>");  // keys include the source </s>
  EXPECT_TRUE(sums.count({"1", "cross", "0", "0", "0"}));
  for (const auto& [key, sum] : sums) EXPECT_NEAR(sum, 1.0, 1e-4);
}

TEST_F(CliEndToEnd, DumpAttentionForceDecodesAReference) {
  const std::string ref = *dir_ / "ref.tsv";
  testing::write_text(ref, "3 may 1979\t1979-05-03\n");
  const auto result = run_heed("dump-attention --model " + model() + " --reference " + ref);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split_lines(result.out);
  // 11 queries (10 chars + </s>) x 11 keys (10 chars + </s>) + header.
  ASSERT_EQ(lines.size(), 1u + 11u * 11u);
  EXPECT_EQ(csv::parse_line(lines[1])[5], "1");
  EXPECT_EQ(csv::parse_line(lines.back())[5], "</s>");
  EXPECT_EQ(csv::parse_line(lines.back())[7], "</s>");
}

TEST_F(CliEndToEnd, DumpAttentionMatrixFormat) {
  const std::string out_dir = *dir_ / "matrices";
  const auto result = run_heed("dump-attention --model " + model() + " --format matrix --out-dir " + out_dir,
                               "3 may 1979\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split_lines(testing::read_text(out_dir + "/s0_cross_l0_h0.csv"));
  ASSERT_GE(lines.size(), 2u);
  const auto header = csv::parse_line(lines[0]);
  EXPECT_EQ(header.size(), 12u);  // corner + 10 chars + </s>
  EXPECT_EQ(header[1], "3");
  EXPECT_EQ(header[2], "▁");
  EXPECT_EQ(header.back(), "</s>");
}

TEST_F(CliEndToEnd, ReportWritesTheTrainingAsOneHtmlPage) {
  const std::string page = *dir_ / "report.html";
  const auto result = run_heed("report " + model() + " --out " + page);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string html = testing::read_text(page);
  EXPECT_NE(html.find("gru-bahdanau"), std::string::npos);
  // Two validations (steps 6 and 12): two points on each validation series.
  EXPECT_NE(html.find("<title>validation at step 12: "), std::string::npos);
  EXPECT_NE(html.find("<title>BLEU at step 6: "), std::string::npos);
  const auto missing = run_heed("report " + (*dir_ / "no-such-model"));
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("is not a heed model directory"), std::string::npos) << missing.err;
}

// The GRU model has one attention matrix per sentence: one cross panel each.
TEST_F(CliEndToEnd, DumpAttentionHtmlHasOneCrossPanelPerSentence) {
  const std::string page = *dir_ / "attention.html";
  const auto result = run_heed("dump-attention --model " + model() + " --html " + page, "3 may 1979\n5/30/70\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");  // no CSV asked for
  const std::string html = testing::read_text(page);
  auto occurrences = [&html](const std::string& needle) {
    size_t count = 0;
    for (size_t at = html.find(needle); at != std::string::npos; at = html.find(needle, at + needle.size())) ++count;
    return count;
  };
  EXPECT_EQ(occurrences("class=\"panel\""), 2u);
  EXPECT_EQ(occurrences("<figure class=\"panel\" data-part=\"cross\" data-layer=\"0\" data-head=\"0\">"), 2u);
  EXPECT_EQ(occurrences("<section class=\"sentence\""), 2u);
  EXPECT_NE(html.find("gru-bahdanau"), std::string::npos);
  EXPECT_NE(html.find("5/30/70"), std::string::npos);
  EXPECT_NE(html.find("&lt;/s&gt;"), std::string::npos);  // </s> is a labelled row and column
}

// Characters merged into words (the source "3 may 1979" reads as 3 words + </s>), with
// the diagnostics columns.
TEST_F(CliEndToEnd, DumpAttentionInWordsWithStats) {
  const auto result = run_heed("dump-attention --model " + model() + " --aggregate words --stats", "3 may 1979\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = split_lines(result.out);
  ASSERT_GT(lines.size(), 4u);
  EXPECT_EQ(lines[0],
            "sentence,part,layer,head,query_index,query_token,key_index,key_token,weight,"
            "query_entropy,key_coverage,eos_mass,unattended_share");
  std::map<std::string, double> row_sums;
  std::map<int, std::string> keys;
  std::map<std::string, double> coverage;  // key token -> sum of its column
  std::map<std::string, double> coverage_column;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = csv::parse_line(lines[i]);
    ASSERT_EQ(f.size(), 13u) << lines[i];
    keys[std::stoi(f[6])] = f[7];
    row_sums[f[4]] += std::stod(f[8]);
    coverage[f[7]] += std::stod(f[8]);
    coverage_column[f[7]] = std::stod(f[10]);
    EXPECT_GE(std::stod(f[9]), 0.0);  // entropy
    const double eos_mass = std::stod(f[11]), unattended = std::stod(f[12]);
    EXPECT_GE(eos_mass, 0.0);
    EXPECT_LE(eos_mass, 1.0);
    EXPECT_GE(unattended, 0.0);
    EXPECT_LE(unattended, 1.0);
  }
  EXPECT_EQ(keys, (std::map<int, std::string>{{0, "3"}, {1, "may"}, {2, "1979"}, {3, "</s>"}}));
  for (const auto& [query, sum] : row_sums) EXPECT_NEAR(sum, 1.0, 1e-4) << "query " << query;
  for (const auto& [key, sum] : coverage) EXPECT_NEAR(coverage_column[key], sum, 1e-4) << key;
}

TEST_F(CliEndToEnd, HtmlRendersOneHeatmapPerSentenceInHeadlessChromium) {
  if (!testing::have_chromium()) GTEST_SKIP() << "no " << testing::kChromium;
  const std::string page = *dir_ / "browser.html";
  const auto result = run_heed("dump-attention --model " + model() + " --html " + page, "3 may 1979\n5/30/70\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto render = testing::render_in_chromium(page, *dir_ / "browser");
  ASSERT_TRUE(render) << "chromium failed";
  EXPECT_EQ(testing::count_occurrences(render->dom, "<figure class=\"panel\""), 2u);
  const auto blank = testing::blank_png_bytes(*dir_ / "browser");
  ASSERT_GT(blank, 0u);
  EXPECT_GT(render->png_bytes, 3 * blank) << "the screenshot looks blank";
}

// A character model is scored in words: its attention merged into the pairs' words.
TEST_F(CliEndToEnd, AlignEvalScoresACharacterModelInWords) {
  const std::string pairs = *dir_ / "char.pairs", gold = *dir_ / "char.gold", predicted = *dir_ / "char.predicted";
  testing::write_text(pairs, "3 may 1979 ||| 1979 - 05 - 03\nmay 5 , 1970 ||| 1970 - 05 - 05\n");
  testing::write_text(gold, "2-0 1-2 0-4\n3-0 0-2 1-4\n");
  const auto result = run_heed("align-eval --json --model " + model() + " --pairs " + pairs + " --gold " + gold +
                               " --output-alignments " + predicted);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["sentences"], 2);
  EXPECT_EQ(json["sure"], 6);
  EXPECT_EQ(json["predicted"], 10);  // one link per target word: 5 + 5
  const auto lines = split_lines(testing::read_text(predicted));
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& line : lines) {
    std::istringstream links(line);
    int count = 0;
    for (std::string link; links >> link; ++count) {
      const int source = std::stoi(link.substr(0, link.find('-')));
      EXPECT_LT(source, 4) << line;  // word indices, not character indices
    }
    EXPECT_EQ(count, 5) << line;
  }
}

TEST_F(CliEndToEnd, EvalReportsJson) {
  const auto result = run_heed("eval --json --model " + model() + " --test " + (*dir_ / "valid.tsv"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["sentences"], 20);
  EXPECT_GE(json["exact_match"].get<double>(), 0.0);
  EXPECT_GT(json["teacher_forced_perplexity"].get<double>(), 1.0);
  EXPECT_NE(json["bleu_signature"].get<std::string>().find("tok:13a"), std::string::npos);
}

TEST_F(CliEndToEnd, ResumeContinuesFromTheSavedStep) {
  const std::string copy = *dir_ / "resumed";
  std::filesystem::copy(model(), copy);
  const auto result = run_heed("train --resume " + copy + " --train " + (*dir_ / "train.tsv") +
                               " --max-steps 15 --batch-tokens 800 --threads 1");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto progress = testing::saved_progress(copy);
  EXPECT_EQ(progress["step"], 15);
}

// A pipe fed one line at a time: each translation must appear before the next line
// is written (translate must not wait for more input or for end of input).
TEST_F(CliEndToEnd, TranslateStreamsLineByLine) {
  int to_child[2], from_child[2];
  ASSERT_EQ(::pipe(to_child), 0);
  ASSERT_EQ(::pipe(from_child), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::dup2(to_child[0], 0);
    ::dup2(from_child[1], 1);
    ::close(to_child[1]);
    ::close(from_child[0]);
    const std::string m = model();
    ::execl(HEED_BINARY, HEED_BINARY, "translate", "--model", m.c_str(), "--threads", "1", (char*)nullptr);
    ::_exit(127);
  }
  ::close(to_child[0]);
  ::close(from_child[1]);
  std::string received;
  for (const std::string line : {"3 may 1979\n", "5/30/70\n", "oct 8, 2011\n"}) {
    ASSERT_EQ(::write(to_child[1], line.data(), line.size()), static_cast<ssize_t>(line.size()));
    const size_t lines_before = std::count(received.begin(), received.end(), '\n');
    while (static_cast<size_t>(std::count(received.begin(), received.end(), '\n')) == lines_before) {
      pollfd descriptor{from_child[0], POLLIN, 0};
      ASSERT_GT(::poll(&descriptor, 1, 60000), 0) << "no translation within 60 s of writing " << line;
      char buffer[256];
      const ssize_t got = ::read(from_child[0], buffer, sizeof(buffer));
      ASSERT_GT(got, 0);
      received.append(buffer, static_cast<size_t>(got));
    }
  }
  ::close(to_child[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(from_child[0]);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(split_lines(received).size(), 3u);
}

}  // namespace
}  // namespace heed
