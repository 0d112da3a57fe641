// Heatmaps of attention matrices: SVG cells, escaping, hover text, the colour scale,
// sizes for long sentences, the self-contained HTML page and the SVG files.
#include "attention/heatmap_svg.h"
#include "util/xml.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <cmath>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "attention/attention_html.h"
#include "support/temp_dir.h"

namespace heed {
namespace {

// A (queries, keys) matrix with the given weights, row by row.
AttentionMatrix make_matrix(AttentionPart part, int64_t layer, int64_t head, std::vector<std::string> queries,
                            std::vector<std::string> keys, const std::vector<float>& weights) {
  const auto rows = static_cast<int64_t>(queries.size()), columns = static_cast<int64_t>(keys.size());
  EXPECT_EQ(static_cast<int64_t>(weights.size()), rows * columns);
  AttentionMatrix matrix;
  matrix.part = part;
  matrix.layer = layer;
  matrix.head = head;
  matrix.query_tokens = std::move(queries);
  matrix.key_tokens = std::move(keys);
  matrix.weights = torch::tensor(weights, torch::kFloat32).reshape({rows, columns});
  return matrix;
}

// Uniform rows over `keys` for `queries` x `keys` generated tokens.
AttentionMatrix uniform_matrix(AttentionPart part, int64_t layer, int64_t head, size_t queries, size_t keys) {
  std::vector<std::string> query_tokens, key_tokens;
  for (size_t q = 0; q < queries; ++q) query_tokens.push_back("q" + std::to_string(q));
  for (size_t k = 0; k < keys; ++k) key_tokens.push_back("k" + std::to_string(k));
  return make_matrix(part, layer, head, query_tokens, key_tokens,
                     std::vector<float>(queries * keys, 1.0f / static_cast<float>(keys)));
}

size_t count_of(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

// The value of attribute `name` on the root <svg> element.
double root_attribute(const std::string& svg, const std::string& name) {
  std::smatch match;
  const std::string root = svg.substr(0, svg.find('>'));
  EXPECT_TRUE(std::regex_search(root, match, std::regex(" " + name + "=\"([0-9.]+)\""))) << name;
  return match.empty() ? -1.0 : std::stod(match[1].str());
}

// Every start tag is closed in order (or self-closing): a cheap well-formedness check that
// also fails when a token's '<' leaks into the markup unescaped.
bool tags_balance(const std::string& xml) {
  std::vector<std::string> open;
  for (size_t at = xml.find('<'); at != std::string::npos; at = xml.find('<', at + 1)) {
    const size_t end = xml.find('>', at);
    if (end == std::string::npos) return false;
    const std::string tag = xml.substr(at + 1, end - at - 1);
    if (tag.empty()) return false;
    if (tag[0] == '?' || tag[0] == '!') continue;
    if (tag[0] == '/') {
      if (open.empty() || open.back() != tag.substr(1)) return false;
      open.pop_back();
    } else if (tag.back() != '/') {
      open.push_back(tag.substr(0, tag.find_first_of(" \n")));
    }
  }
  return open.empty();
}

std::array<int, 3> rgb(const std::string& hex) {
  return {std::stoi(hex.substr(1, 2), nullptr, 16), std::stoi(hex.substr(3, 2), nullptr, 16),
          std::stoi(hex.substr(5, 2), nullptr, 16)};
}

TEST(HeatmapSvg, OneCellPerQueryKeyPair) {
  const auto matrix = uniform_matrix(AttentionPart::Cross, 0, 0, 3, 4);
  const std::string svg = heatmap_svg(matrix);
  EXPECT_EQ(count_of(svg, "class=\"cell\""), 12u);
  EXPECT_EQ(count_of(svg, "<title>"), 12u);  // labels are short: no cut-label titles
  EXPECT_TRUE(tags_balance(svg));
}

TEST(HeatmapSvg, IsAStandaloneSvgWithSizeAndViewBox) {
  const std::string svg = heatmap_svg(uniform_matrix(AttentionPart::EncoderSelf, 1, 2, 5, 5));
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" ", 0), 0u) << svg.substr(0, 80);
  const double width = root_attribute(svg, "width"), height = root_attribute(svg, "height");
  EXPECT_GT(width, 5 * 14.0);
  EXPECT_GT(height, 5 * 14.0);
  std::ostringstream view_box;
  view_box << "viewBox=\"0 0 " << width << " " << height << "\"";
  EXPECT_NE(svg.find(view_box.str()), std::string::npos);
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
}

TEST(HeatmapSvg, EscapesTokenText) {
  const auto matrix = make_matrix(AttentionPart::Cross, 0, 0, {"<unk>", "a&b", "</s>"},
                                  {"\"q\"", "it's", ">", "</s>"}, std::vector<float>(12, 0.25f));
  const std::string svg = heatmap_svg(matrix);
  EXPECT_NE(svg.find("&lt;unk&gt;"), std::string::npos);
  EXPECT_NE(svg.find("a&amp;b"), std::string::npos);
  EXPECT_NE(svg.find("&quot;q&quot;"), std::string::npos);
  EXPECT_NE(svg.find("it&apos;s"), std::string::npos);
  EXPECT_NE(svg.find("&lt;/s&gt;"), std::string::npos);  // </s> stays a labelled row and column
  EXPECT_EQ(svg.find("<unk>"), std::string::npos);
  EXPECT_EQ(svg.find("a&b"), std::string::npos);
  EXPECT_TRUE(tags_balance(svg));
  EXPECT_EQ(count_of(svg, "class=\"cell\""), 12u);
}

TEST(HeatmapSvg, MarkupEscapeHandlesEverySpecialCharacterAndControls) {
  EXPECT_EQ(xml_escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  EXPECT_EQ(xml_escape("▁der"), "▁der");
  EXPECT_EQ(xml_escape(std::string("a\x01") + "b"), "a\xEF\xBF\xBD" "b");  // not allowed in XML
  EXPECT_EQ(xml_escape("tab\there"), "tab\there");
}

TEST(HeatmapSvg, CellTitleGivesTheTokenPairAndTheWeight) {
  const auto matrix = make_matrix(AttentionPart::Cross, 0, 0, {"der", "</s>"}, {"the", "</s>"},
                                  {0.8123f, 0.1877f, 0.0f, 1.0f});
  const std::string svg = heatmap_svg(matrix);
  EXPECT_NE(svg.find("<title>“der” → “the”: 0.8123</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("<title>“der” → “&lt;/s&gt;”: 0.1877</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>“&lt;/s&gt;” → “the”: 0.0000</title>"), std::string::npos);
  EXPECT_NE(svg.find("<title>“&lt;/s&gt;” → “&lt;/s&gt;”: 1.0000</title>"), std::string::npos);
}

TEST(HeatmapSvg, ColourScaleRunsFromWhiteToDarkBlue) {
  EXPECT_EQ(heatmap_colour(0.0), "#ffffff");
  EXPECT_EQ(heatmap_colour(1.0), "#08306b");
  EXPECT_EQ(heatmap_colour(-0.5), "#ffffff");  // clamped
  EXPECT_EQ(heatmap_colour(2.0), "#08306b");
  EXPECT_EQ(heatmap_colour(std::nan("")), "#ffffff");
  // Monotonic: every channel falls (or stays) as the weight grows.
  std::array<int, 3> previous = rgb(heatmap_colour(0.0));
  for (int i = 1; i <= 20; ++i) {
    const std::string colour = heatmap_colour(i / 20.0);
    ASSERT_EQ(colour.size(), 7u);
    const auto current = rgb(colour);
    for (size_t c = 0; c < 3; ++c) EXPECT_LE(current[c], previous[c]) << colour << " at " << i / 20.0;
    previous = current;
  }
  // The cells use the scale's ends for 0 and 1.
  const auto matrix = make_matrix(AttentionPart::Cross, 0, 0, {"a"}, {"x", "y"}, {0.0f, 1.0f});
  const std::string svg = heatmap_svg(matrix);
  EXPECT_NE(svg.find("fill=\"#ffffff\"><title>“a” → “x”: 0.0000</title>"), std::string::npos) << svg;
  EXPECT_NE(svg.find("fill=\"#08306b\"><title>“a” → “y”: 1.0000</title>"), std::string::npos) << svg;
}

TEST(HeatmapSvg, SixtyTokenSentencesStayReadableAndBounded) {
  std::vector<std::string> tokens;
  for (int i = 0; i < 60; ++i) tokens.push_back("▁word" + std::to_string(i));
  tokens.push_back("</s>");
  const size_t n = tokens.size();
  const auto matrix = make_matrix(AttentionPart::EncoderSelf, 0, 0, tokens, tokens,
                                  std::vector<float>(n * n, 1.0f / static_cast<float>(n)));
  const std::string svg = heatmap_svg(matrix);
  EXPECT_EQ(count_of(svg, "class=\"cell\""), n * n);
  const double width = root_attribute(svg, "width"), height = root_attribute(svg, "height");
  EXPECT_GE(width, n * 14.0);  // cells no smaller than 14 px
  EXPECT_LT(width, 2000.0);
  EXPECT_LT(height, 2000.0);
  EXPECT_NE(svg.find("rotate(-60)"), std::string::npos);  // word labels are wider than a cell
  // An explicit cell size is used as given.
  const std::string big = heatmap_svg(matrix, HeatmapStyle{/*cell=*/30.0});
  EXPECT_GE(root_attribute(big, "width"), n * 30.0);
}

TEST(HeatmapSvg, LongTokensAreCutWithTheFullTokenOnHover) {
  const std::string long_token = "internationalisation_of_everything";
  const auto matrix = make_matrix(AttentionPart::Cross, 0, 0, {long_token}, {"a"}, {1.0f});
  const std::string svg = heatmap_svg(matrix);
  EXPECT_NE(svg.find("international…"), std::string::npos);
  EXPECT_NE(svg.find("<title>" + long_token + "</title>"), std::string::npos);
}

TEST(HeatmapSvg, MismatchedWeightsAreRejected) {
  auto matrix = uniform_matrix(AttentionPart::Cross, 0, 0, 2, 3);
  matrix.key_tokens.pop_back();
  EXPECT_THROW(heatmap_svg(matrix), std::invalid_argument);
}

TEST(HeatmapSvg, PanelTitlesAreZeroBasedAndNameThePart) {
  EXPECT_EQ(panel_title(uniform_matrix(AttentionPart::Cross, 0, 3, 1, 1)), "layer 0 · head 3 · cross-attention");
  EXPECT_EQ(panel_title(uniform_matrix(AttentionPart::EncoderSelf, 1, -1, 1, 1)),
            "layer 1 · mean of heads · encoder self-attention");
  EXPECT_EQ(panel_title(uniform_matrix(AttentionPart::DecoderSelf, 1, 0, 1, 1)),
            "layer 1 · head 0 · decoder self-attention");
  const std::string svg = heatmap_svg(uniform_matrix(AttentionPart::Cross, 0, 3, 2, 2));
  EXPECT_NE(svg.find(">layer 0 · head 3 · cross-attention</text>"), std::string::npos);
}

// Two sentences: a Transformer-like one (3 parts x 2 layers x 2 heads) and a GRU-like one
// (one cross matrix), the second with an n-best rank and markup in its text.
std::vector<HtmlSentence> two_sentences() {
  HtmlSentence transformer{0, std::nullopt, "3 may 1979", "1979-05-03", {}, {}};
  for (auto part : {AttentionPart::EncoderSelf, AttentionPart::DecoderSelf, AttentionPart::Cross}) {
    for (int64_t layer = 0; layer < 2; ++layer) {
      for (int64_t head = 0; head < 2; ++head) transformer.matrices.push_back(uniform_matrix(part, layer, head, 4, 5));
    }
  }
  HtmlSentence gru{1, size_t{2}, "a < b & \"c\"", "<unk> 'd'", {uniform_matrix(AttentionPart::Cross, 0, 0, 3, 3)}, {}};
  return {transformer, gru};
}

TEST(AttentionHtml, IsSelfContained) {
  std::ostringstream out;
  write_attention_html(out, "transformer · runs/x", two_sentences());
  const std::string html = out.str();
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(count_of(html, "https://"), 0u);
  EXPECT_EQ(count_of(html, "http://"), count_of(html, "http://www.w3.org/2000/svg"));
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("<style>"), std::string::npos);
  EXPECT_NE(html.find("each row sums to 1"), std::string::npos);
  EXPECT_NE(html.find("Hover"), std::string::npos);
  const size_t main_start = html.find("<main>"), main_end = html.find("</main>");
  ASSERT_NE(main_end, std::string::npos);
  EXPECT_TRUE(tags_balance(html.substr(main_start, main_end + 7 - main_start)));
}

TEST(AttentionHtml, OnePanelPerMatrixWithItsDataAttributes) {
  std::ostringstream out;
  write_attention_html(out, "m", two_sentences());
  const std::string html = out.str();
  EXPECT_EQ(count_of(html, "class=\"panel\""), 13u);
  EXPECT_EQ(count_of(html, "class=\"cell\""), 12u * 4u * 5u + 3u * 3u);
  EXPECT_EQ(count_of(html, "data-part=\"enc_self\""), 4u);
  EXPECT_EQ(count_of(html, "data-part=\"dec_self\""), 4u);
  EXPECT_EQ(count_of(html, "data-part=\"cross\""), 5u);
  EXPECT_NE(html.find("<figure class=\"panel\" data-part=\"enc_self\" data-layer=\"1\" data-head=\"0\">"),
            std::string::npos);
  EXPECT_NE(html.find("<figure class=\"panel\" data-part=\"cross\" data-layer=\"0\" data-head=\"0\">"),
            std::string::npos);
  // Sentences: number, rank, escaped texts.
  EXPECT_EQ(count_of(html, "<section class=\"sentence\""), 2u);
  EXPECT_NE(html.find("data-sentence=\"1\" data-hypothesis=\"2\""), std::string::npos);
  EXPECT_NE(html.find("Sentence 1 · n-best rank 2"), std::string::npos);
  EXPECT_NE(html.find("a &lt; b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(html.find("&lt;unk&gt; &apos;d&apos;"), std::string::npos);
  EXPECT_NE(html.find("3 may 1979"), std::string::npos);
  // Parts in enc_self, dec_self, cross order.
  EXPECT_LT(html.find("data-part=\"enc_self\""), html.find("data-part=\"dec_self\""));
  EXPECT_LT(html.find("data-part=\"dec_self\""), html.find("data-part=\"cross\""));
}

TEST(AttentionHtml, MeanOverHeadsIsMarkedAvg) {
  std::ostringstream out;
  const HtmlSentence sentence{0, std::nullopt, "x", "y", {uniform_matrix(AttentionPart::Cross, 1, -1, 2, 2)}, {}};
  write_attention_html(out, "m", {sentence});
  EXPECT_NE(out.str().find("data-part=\"cross\" data-layer=\"1\" data-head=\"avg\""), std::string::npos);
  EXPECT_NE(out.str().find("layer 1 · mean of heads · cross-attention"), std::string::npos);
}

TEST(SvgFiles, OneStandaloneFilePerMatrixNamedLikeTheCsvs) {
  testing::TempDir dir("heed_svg_files");
  const std::vector<AttentionMatrix> matrices{uniform_matrix(AttentionPart::Cross, 0, 2, 2, 3),
                                              uniform_matrix(AttentionPart::EncoderSelf, 1, -1, 3, 3)};
  write_svg_files(dir.path().string(), MatrixOwner{3, size_t{1}}, matrices);
  write_svg_files(dir.path().string(), MatrixOwner{0, std::nullopt}, {matrices[0]});
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) files.insert(entry.path().filename());
  EXPECT_EQ(files, (std::set<std::string>{"s3_n1_cross_l0_h2.svg", "s3_n1_enc_self_l1_havg.svg",
                                          "s0_cross_l0_h2.svg"}));
  const std::string svg = testing::read_text(dir / "s3_n1_cross_l0_h2.svg");
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=", 0), 0u);
  EXPECT_EQ(count_of(svg, "class=\"cell\""), 6u);
  EXPECT_TRUE(tags_balance(svg));
}

}  // namespace
}  // namespace heed
