// The transformer through the same commands as every model: train (tiny) -> translate ->
// dump-attention, with every part, layer and head in the CSV.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "support/browser.h"
#include "support/run_heed.h"
#include "support/trained_model_suite.h"
#include "util/csv.h"

namespace heed {
namespace {

using testing::run_heed;
using testing::split_lines;

constexpr int kLayers = 2;
constexpr int kHeads = 4;

class CliTransformer : public testing::TrainedModelSuite<CliTransformer> {
 public:
  static constexpr const char* kDirectoryName = "heed_cli_transformer";
  static std::vector<std::string> commands(const testing::TempDir& dir) {
    return {"data dates --count 300 --seed 3 --out " + (dir / "train.tsv"),
            "train --train " + (dir / "train.tsv") +
                " --model transformer --tokenizer char --d-model 16 --heads 4 --layers 2 --ff 32"
                " --max-steps 8 --batch-tokens 800 --threads 1 --out " + (dir / "model")};
  }
};

struct Row {
  int sentence, layer, head, query, key;
  std::string part, query_token, key_token;
  double weight;
};

std::vector<Row> parse_rows(const std::string& csv_text) {
  const auto lines = split_lines(csv_text);
  EXPECT_FALSE(lines.empty());
  EXPECT_EQ(lines.at(0), "sentence,part,layer,head,query_index,query_token,key_index,key_token,weight");
  std::vector<Row> rows;
  for (size_t i = 1; i < lines.size(); ++i) {
    const auto f = csv::parse_line(lines[i]);
    EXPECT_EQ(f.size(), 9u) << lines[i];
    if (f.size() != 9) continue;
    rows.push_back({std::stoi(f[0]), std::stoi(f[2]), f[3] == "avg" ? -1 : std::stoi(f[3]), std::stoi(f[4]),
                    std::stoi(f[6]), f[1], f[5], f[7], std::stod(f[8])});
  }
  return rows;
}

TEST_F(CliTransformer, ModelDirectoryDescribesItsTrainingDefaults) {
  const auto config = nlohmann::json::parse(testing::read_text(model() + "/config.json"));
  EXPECT_EQ(config["model"], "transformer");
  EXPECT_EQ(config["hyperparameters"]["encoder_layers"], kLayers);
  EXPECT_EQ(config["hyperparameters"]["decoder_layers"], kLayers);
  EXPECT_EQ(config["hyperparameters"]["heads"], kHeads);
  // Not given on the command line: the registry's transformer defaults.
  EXPECT_GT(config["training"]["warmup_steps"].get<int64_t>(), 0);
  EXPECT_GT(config["training"]["label_smoothing"].get<double>(), 0.0);
}

TEST_F(CliTransformer, TranslateAnswersEveryLine) {
  const auto result = run_heed("translate --model " + model(), "3 may 1979\n\n5/30/70\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(split_lines(result.out).size(), 3u);
}

TEST_F(CliTransformer, DumpHoldsEveryPartLayerAndHeadWithExactMasks) {
  const std::string ref = *dir_ / "ref.tsv";
  testing::write_text(ref, "3 may 1979\t1979-05-03\n5/30/70\t1970-05-30\n");
  const auto result = run_heed("dump-attention --model " + model() + " --reference " + ref);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto rows = parse_rows(result.out);

  // Source "3 may 1979" = 10 chars + </s>; target 10 chars + </s>.
  const int source_len[] = {11, 8}, target_len[] = {11, 11};
  std::map<std::tuple<int, std::string, int, int>, int> cells;
  std::map<std::tuple<int, std::string, int, int, int>, double> row_sums;
  for (const auto& row : rows) {
    ++cells[{row.sentence, row.part, row.layer, row.head}];
    row_sums[{row.sentence, row.part, row.layer, row.head, row.query}] += row.weight;
    EXPECT_GE(row.weight, 0.0);
    if (row.part == "dec_self" && row.key > row.query) {
      EXPECT_EQ(row.weight, 0.0) << "look-ahead mask at " << row.query << "," << row.key;
    }
  }
  EXPECT_EQ(cells.size(), 2u * 3u * kLayers * kHeads);  // sentences x parts x layers x heads
  for (int s = 0; s < 2; ++s) {
    for (int layer = 0; layer < kLayers; ++layer) {
      for (int head = 0; head < kHeads; ++head) {
        EXPECT_EQ((cells[{s, "enc_self", layer, head}]), source_len[s] * source_len[s]);
        EXPECT_EQ((cells[{s, "dec_self", layer, head}]), target_len[s] * target_len[s]);
        EXPECT_EQ((cells[{s, "cross", layer, head}]), target_len[s] * source_len[s]);
      }
    }
  }
  for (const auto& [key, sum] : row_sums) EXPECT_NEAR(sum, 1.0, 1e-4);
  // dec_self keys are the decoder inputs: <s> then the target prefix.
  for (const auto& row : rows) {
    if (row.part == "dec_self" && row.key == 0) {
      EXPECT_EQ(row.key_token, "<s>");
    }
    if (row.part == "enc_self" && row.query == source_len[row.sentence] - 1) {
      EXPECT_EQ(row.query_token, "</s>");
    }
  }
}

TEST_F(CliTransformer, FiltersAndHeadAverage) {
  const auto one = run_heed("dump-attention --model " + model() + " --part cross --layer 1 --head 2", "5/30/70\n");
  ASSERT_EQ(one.exit_code, 0) << one.err;
  for (const auto& row : parse_rows(one.out)) {
    EXPECT_EQ(row.part, "cross");
    EXPECT_EQ(row.layer, 1);
    EXPECT_EQ(row.head, 2);
  }

  const auto all = parse_rows(run_heed("dump-attention --model " + model() + " --part cross", "5/30/70\n").out);
  const auto averaged = run_heed("dump-attention --model " + model() + " --part cross --average-heads", "5/30/70\n");
  ASSERT_EQ(averaged.exit_code, 0) << averaged.err;
  std::map<std::tuple<int, int, int>, double> head_sum;
  for (const auto& row : all) head_sum[{row.layer, row.query, row.key}] += row.weight;
  const auto mean_rows = parse_rows(averaged.out);
  ASSERT_EQ(mean_rows.size() * kHeads, all.size());
  for (const auto& row : mean_rows) {
    EXPECT_EQ(row.head, -1);
    const double mean = head_sum[{row.layer, row.query, row.key}] / kHeads;
    EXPECT_NEAR(row.weight, mean, 1e-5);
  }
}

TEST_F(CliTransformer, MatrixFormatWritesOneFilePerPartLayerHead) {
  const std::string out_dir = *dir_ / "matrices";
  const auto result = run_heed("dump-attention --model " + model() + " --format matrix --out-dir " + out_dir,
                               "3 may 1979\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(out_dir)) files.insert(entry.path().filename());
  EXPECT_EQ(files.size(), 3u * kLayers * kHeads);
  EXPECT_TRUE(files.count("s0_enc_self_l1_h3.csv"));
  EXPECT_TRUE(files.count("s0_dec_self_l0_h0.csv"));
  EXPECT_TRUE(files.count("s0_cross_l1_h0.csv"));
  const auto lines = split_lines(testing::read_text(out_dir + "/s0_enc_self_l0_h0.csv"));
  EXPECT_EQ(lines.size(), 1u + 11u);  // header + 10 chars + </s>
}

size_t occurrences(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

// Heatmaps: one HTML page with a panel per (sentence, part, layer, head) and one SVG file
// per matrix; with only --html/--svg no CSV is printed, with --out - it is.
TEST_F(CliTransformer, HtmlAndSvgHeatmapsHoldEveryPartLayerAndHead) {
  const std::string page = *dir_ / "attention.html";
  const std::string svg_dir = *dir_ / "svg";
  const auto result = run_heed("dump-attention --model " + model() + " --html " + page + " --svg " + svg_dir,
                               "3 may 1979\n5/30/70\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");  // no CSV asked for
  const std::string html = testing::read_text(page);
  EXPECT_EQ(occurrences(html, "class=\"panel\""), 2u * 3u * kLayers * kHeads);  // 48
  for (const std::string part : {"enc_self", "dec_self", "cross"}) {
    EXPECT_EQ(occurrences(html, "data-part=\"" + part + "\""), 2u * kLayers * kHeads) << part;
  }
  EXPECT_NE(html.find("data-part=\"dec_self\" data-layer=\"1\" data-head=\"3\""), std::string::npos);
  EXPECT_NE(html.find("3 may 1979"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);

  std::map<std::string, int> files_per_sentence;
  for (const auto& entry : std::filesystem::directory_iterator(svg_dir)) {
    const std::string name = entry.path().filename().string();
    EXPECT_EQ(name.substr(name.size() - 4), ".svg") << name;
    ++files_per_sentence[name.substr(0, name.find('_'))];
  }
  const int per_sentence = 3 * kLayers * kHeads;  // 24
  EXPECT_EQ(files_per_sentence, (std::map<std::string, int>{{"s0", per_sentence}, {"s1", per_sentence}}));
  EXPECT_TRUE(std::filesystem::exists(svg_dir + "/s1_cross_l1_h3.svg"));
  // enc_self of "3 may 1979": (10 chars + </s>) squared cells.
  EXPECT_EQ(occurrences(testing::read_text(svg_dir + "/s0_enc_self_l0_h0.svg"), "class=\"cell\""), 11u * 11u);

  const std::string cross_page = *dir_ / "cross.html";
  const auto with_csv =
      run_heed("dump-attention --model " + model() + " --part cross --html " + cross_page + " --out -", "5/30/70\n");
  ASSERT_EQ(with_csv.exit_code, 0) << with_csv.err;
  const auto lines = split_lines(with_csv.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "sentence,part,layer,head,query_index,query_token,key_index,key_token,weight");
  EXPECT_EQ(occurrences(testing::read_text(cross_page), "class=\"panel\""), 1u * kLayers * kHeads);
}

// The page in a real browser: headless Chromium parses it, lays out every panel, and the
// screenshot is not blank. Skipped when Chromium is not installed.
TEST_F(CliTransformer, HtmlRendersInHeadlessChromium) {
  if (!testing::have_chromium()) GTEST_SKIP() << "no " << testing::kChromium;
  const std::string page = *dir_ / "browser.html";
  const auto result = run_heed("dump-attention --model " + model() + " --html " + page + " --stats",
                               "3 may 1979\n5/30/70\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto render = testing::render_in_chromium(page, *dir_ / "browser");
  ASSERT_TRUE(render) << "chromium failed";
  // 2 sentences x 3 parts x 2 layers x 4 heads, each a labelled figure with one heatmap.
  EXPECT_EQ(testing::count_occurrences(render->dom, "<figure class=\"panel\""), 48u);
  EXPECT_EQ(testing::count_occurrences(render->dom, "class=\"stats\""), 48u);
  EXPECT_NE(render->dom.find("layer 1 · head 3 · cross-attention"), std::string::npos);
  EXPECT_NE(render->dom.find("layer 0 · head 0 · decoder self-attention"), std::string::npos);
  const auto blank = testing::blank_png_bytes(*dir_ / "browser");
  ASSERT_GT(blank, 0u);
  EXPECT_GT(render->png_bytes, 3 * blank) << "the screenshot looks blank";
}

// The documented default alignment of a Transformer: the penultimate layer (here layer 0
// of 2), mean over heads, argmax over the source without </s>, no link for a final </s>.
TEST_F(CliTransformer, DefaultAlignmentIsTheArgmaxOfThePenultimateLayersMeanHead) {
  const std::string input = "3 may 1979\n5/30/70\n";
  const auto translated = run_heed("translate --model " + model() + " --output jsonl --alignment hard", input);
  ASSERT_EQ(translated.exit_code, 0) << translated.err;
  const auto dumped =
      run_heed("dump-attention --model " + model() + " --part cross --layer 0 --average-heads", input);
  ASSERT_EQ(dumped.exit_code, 0) << dumped.err;
  // (sentence, query) -> weight per key, without the source </s>
  std::map<std::tuple<int, int>, std::map<int, double>> weights;
  std::map<int, int> keys, queries;
  for (const auto& row : parse_rows(dumped.out)) {
    keys[row.sentence] = std::max(keys[row.sentence], row.key + 1);
    queries[row.sentence] = std::max(queries[row.sentence], row.query + 1);
  }
  for (const auto& row : parse_rows(dumped.out)) {
    if (row.key != keys[row.sentence] - 1) weights[{row.sentence, row.query}][row.key] = row.weight;
  }
  const auto lines = split_lines(translated.out);
  ASSERT_EQ(lines.size(), 2u);
  for (int s = 0; s < 2; ++s) {
    const auto json = nlohmann::json::parse(lines[s]);
    const auto tokens = json["tokens"].get<std::vector<std::string>>();
    ASSERT_EQ(static_cast<int>(tokens.size()), queries[s]);
    const auto links = json["alignment"];
    ASSERT_EQ(links.size(), tokens.size() - (tokens.back() == "</s>" ? 1 : 0));
    for (size_t t = 0; t < links.size(); ++t) {
      EXPECT_EQ(links[t][1].get<int>(), static_cast<int>(t));
      // The linked source token has the largest weight (up to the CSV's 6 digits).
      const auto& row = weights[{s, static_cast<int>(t)}];
      double largest = 0;
      for (const auto& [key, weight] : row) largest = std::max(largest, weight);
      EXPECT_NEAR(row.at(links[t][0].get<int>()), largest, 1e-5) << "sentence " << s << " token " << t;
    }
  }
  const auto chosen = run_heed("translate --model " + model() + " --alignment hard --alignment-layer 1 --alignment-head 3",
                               input);
  EXPECT_EQ(chosen.exit_code, 0) << chosen.err;
  const auto out_of_range = run_heed("translate --model " + model() + " --alignment hard --alignment-layer 2", input);
  EXPECT_NE(out_of_range.exit_code, 0);
  EXPECT_NE(out_of_range.err.find("--alignment-layer 2 is out of range"), std::string::npos) << out_of_range.err;
}

TEST_F(CliTransformer, ModelsListsTheRegistryWithDefaults) {
  const auto result = run_heed("models");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("transformer"), std::string::npos);
  EXPECT_NE(result.out.find("d_model="), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("warmup_steps="), std::string::npos) << result.out;
}

}  // namespace
}  // namespace heed
