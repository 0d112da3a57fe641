// BLEU: 13a tokenizer, hand-computed BLEU figures, and sacreBLEU's own published
// expectations (test/test_bleu.py, test/test_sentence_bleu.py, README, HF metric card).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "metrics/bleu.h"
#include "metrics/metrics_internal.h"
#include "util/error.h"

namespace heed {
namespace {

using metrics_internal::BleuConfig;
using metrics_internal::Smooth;

// ---------------------------------------------------------------- 13a tokenizer

TEST(Tokenize13a, SplitsPunctuation) {
  EXPECT_EQ(tokenize_13a("Hello, world!"), "Hello , world !");
  EXPECT_EQ(tokenize_13a("(a) [b] {c} \"d\" a/b a:b a;b a?b a@b a#b a$b a%b a&b a*b a+b a=b"),
            "( a ) [ b ] { c } \" d \" a / b a : b a ; b a ? b a @ b a # b a $ b a % b a & b "
            "a * b a + b a = b");
}

TEST(Tokenize13a, PeriodAndCommaAroundDigits) {
  // Kept inside numbers; split when a non-digit is on either side.
  EXPECT_EQ(tokenize_13a("3.5 is 1,000."), "3.5 is 1,000 .");
  EXPECT_EQ(tokenize_13a("U.S.A."), "U . S . A .");
  EXPECT_EQ(tokenize_13a("a.5 5.a"), "a . 5 5 . a");
  EXPECT_EQ(tokenize_13a("x,y"), "x , y");
}

TEST(Tokenize13a, ApostropheAndDash) {
  EXPECT_EQ(tokenize_13a("don't-stop"), "don't-stop");   // ' and - are never split...
  EXPECT_EQ(tokenize_13a("5-3 and a-5"), "5 - 3 and a-5");  // ...except a dash after a digit
}

TEST(Tokenize13a, Entities) {
  EXPECT_EQ(tokenize_13a("a&quot;b"), "a \" b");
  EXPECT_EQ(tokenize_13a("&lt;b&gt; &amp;"), "< b > &");
  // One pass per entity, in the order quot, amp, lt, gt (as sacreBLEU).
  EXPECT_EQ(tokenize_13a("&amp;lt;"), "<");
  EXPECT_EQ(tokenize_13a("&amp;quot;"), "& quot ;");
}

TEST(Tokenize13a, SkippedAndNewlines) {
  EXPECT_EQ(tokenize_13a("<skipped>word"), "word");
  EXPECT_EQ(tokenize_13a("line-\nbreak"), "linebreak");
  EXPECT_EQ(tokenize_13a("a\nb"), "a b");
}

TEST(Tokenize13a, WhitespaceIsCollapsedIncludingUnicode) {
  EXPECT_EQ(tokenize_13a("  a \t b  "), "a b");
  EXPECT_EQ(tokenize_13a(""), "");
  // U+00A0 (no-break space) and U+3000 are whitespace for Python's str.split().
  EXPECT_EQ(tokenize_13a("10\xC2\xA0" "000.\xE3\x80\x80" "x"), "10 000 . x");
  EXPECT_EQ(tokenize_13a("café."), "café .");
}

TEST(Tokenize13a, InvalidUtf8IsKept) {
  EXPECT_EQ(tokenize_13a("\xFF\xFE.a"), "\xFF\xFE . a");
}

// ---------------------------------------------------------------- hand-computed BLEU

TEST(CorpusBleu, HandComputedPrecisions) {
  // hyp: the cat sat on the mat      ref: the cat is on the mat
  // 1-grams: the x2, cat, on, mat match            -> 5/6
  // 2-grams: "the cat", "on the", "the mat"         -> 3/5
  // 3-grams: "on the mat"                           -> 1/4
  // 4-grams: none of 3; exp smoothing: 1/(2*3)      -> 100/6
  // BP = 1 (6 vs 6); BLEU = (500/6 * 60 * 25 * 100/6)^(1/4) = 37.99178428257963
  const BleuScore s = corpus_bleu({"the cat sat on the mat"}, {"the cat is on the mat"});
  EXPECT_NEAR(s.precisions[0], 500.0 / 6, 1e-9);
  EXPECT_NEAR(s.precisions[1], 60.0, 1e-9);
  EXPECT_NEAR(s.precisions[2], 25.0, 1e-9);
  EXPECT_NEAR(s.precisions[3], 100.0 / 6, 1e-9);
  EXPECT_NEAR(s.score, 37.99178428257963, 1e-9);
  EXPECT_NEAR(s.score, std::pow(500.0 / 6 * 60.0 * 25.0 * (100.0 / 6), 0.25), 1e-9);
  EXPECT_DOUBLE_EQ(s.brevity_penalty, 1.0);
  EXPECT_EQ(s.hyp_len, 6u);
  EXPECT_EQ(s.ref_len, 6u);
  EXPECT_DOUBLE_EQ(s.ratio, 1.0);
}

TEST(CorpusBleu, ExpSmoothingHalvesPerZeroOrder) {
  // hyp: a b c d   ref: a b x d
  // p1 = 3/4, p2 = 1/3, p3 = 0/2 -> 1/(2*2), p4 = 0/1 -> 1/(4*1)
  // BLEU = (75 * 100/3 * 25 * 25)^(1/4) = 1562500^(1/4) = 25*sqrt(2)
  const BleuScore s = corpus_bleu({"a b c d"}, {"a b x d"});
  EXPECT_NEAR(s.precisions[2], 25.0, 1e-9);
  EXPECT_NEAR(s.precisions[3], 25.0, 1e-9);
  EXPECT_NEAR(s.score, 25.0 * std::sqrt(2.0), 1e-9);
}

TEST(CorpusBleu, StatisticsAreSummedOverTheCorpus) {
  // "a b c d"/"a b c d" gives 4/4 3/3 2/2 1/1, "a b c d"/"a b x d" gives 3/4 1/3 0/2 0/1.
  // Summed: 7/8 4/6 2/4 1/2 -> (87.5 * 200/3 * 50 * 50)^(1/4) = 61.79654585112238
  const BleuScore s = corpus_bleu({"a b c d", "a b c d"}, {"a b c d", "a b x d"});
  EXPECT_NEAR(s.precisions[0], 87.5, 1e-9);
  EXPECT_NEAR(s.precisions[1], 200.0 / 3, 1e-9);
  EXPECT_NEAR(s.score, 61.79654585112238, 1e-9);
}

TEST(CorpusBleu, BrevityPenaltyForShortHypothesis) {
  // 5 tokens vs 6: every precision is 100, BP = exp(1 - 6/5).
  const BleuScore s = corpus_bleu({"the cat sat on the"}, {"the cat sat on the mat"});
  EXPECT_NEAR(s.brevity_penalty, std::exp(-0.2), 1e-12);
  EXPECT_NEAR(s.score, 100.0 * std::exp(-0.2), 1e-9);  // 81.87307530779819
  EXPECT_NEAR(s.ratio, 5.0 / 6.0, 1e-12);
}

TEST(CorpusBleu, TooShortForFourGramsScoresZero) {
  // 2 tokens vs 6: no 3-grams at all, so p3 = p4 = 0 and BLEU = 0 (no effective order).
  const BleuScore s = corpus_bleu({"the cat"}, {"the cat sat on the mat"});
  EXPECT_DOUBLE_EQ(s.score, 0.0);
  EXPECT_NEAR(s.precisions[0], 100.0, 1e-9);
  EXPECT_NEAR(s.precisions[1], 100.0, 1e-9);
  EXPECT_DOUBLE_EQ(s.precisions[2], 0.0);
  EXPECT_NEAR(s.brevity_penalty, std::exp(-2.0), 1e-12);
}

TEST(CorpusBleu, OneWordHypothesis) {
  // "cat" vs "the cat": p1 = 1/1, then no 2-grams -> BLEU 0; BP = exp(1 - 2/1).
  const BleuScore s = corpus_bleu({"cat"}, {"the cat"});
  EXPECT_DOUBLE_EQ(s.score, 0.0);
  EXPECT_NEAR(s.precisions[0], 100.0, 1e-9);
  EXPECT_NEAR(s.brevity_penalty, std::exp(-1.0), 1e-12);
  // With effective order (sacreBLEU test_bleu.py: ["test"] vs ["a test"]) it is exp(-1).
  BleuConfig eff;
  eff.effective_order = true;
  EXPECT_NEAR(metrics_internal::corpus_bleu({"cat"}, {{"the cat"}}, eff).score,
              100.0 * std::exp(-1.0), 1e-9);
}

TEST(CorpusBleu, PerfectMatchIs100) {
  const std::vector<std::string> lines = {"The quick brown fox jumps over the dog.",
                                          "Hello, world! How are you?"};
  const BleuScore s = corpus_bleu(lines, lines);
  EXPECT_NEAR(s.score, 100.0, 1e-9);
  for (const double p : s.precisions) EXPECT_NEAR(p, 100.0, 1e-9);
  EXPECT_DOUBLE_EQ(s.brevity_penalty, 1.0);
}

TEST(CorpusBleu, EmptyHypothesesScoreZero) {
  const BleuScore s = corpus_bleu({"", ""}, {"a b c", "d e"});
  EXPECT_DOUBLE_EQ(s.score, 0.0);
  EXPECT_DOUBLE_EQ(s.brevity_penalty, 0.0);
  EXPECT_EQ(s.hyp_len, 0u);
  EXPECT_EQ(s.ref_len, 5u);
  EXPECT_DOUBLE_EQ(corpus_bleu({"", "a b c d"}, {"", "a b c d"}).score, 100.0);
}

TEST(CorpusBleu, EmptyCorpusScoresZero) {
  const BleuScore s = corpus_bleu({}, {});
  EXPECT_DOUBLE_EQ(s.score, 0.0);
  EXPECT_DOUBLE_EQ(s.ratio, 0.0);
  EXPECT_EQ(s.hyp_len, 0u);
}

TEST(CorpusBleu, TokenizeNone) {
  BleuOptions none;
  none.tokenize = BleuTokenizer::None;
  const std::vector<std::string> hyp = {"Hello, world! It is fine."};
  const std::vector<std::string> ref = {"Hello , world ! It is fine ."};
  EXPECT_NEAR(corpus_bleu(hyp, ref).score, 100.0, 1e-9);  // 13a makes them equal
  const BleuScore s = corpus_bleu(hyp, ref, none);
  // none: "Hello, world! It is fine." -> 5 tokens, 2 of them ("It", "is") match.
  EXPECT_NEAR(s.precisions[0], 40.0, 1e-9);
  EXPECT_EQ(s.hyp_len, 5u);
  EXPECT_EQ(s.ref_len, 8u);
  EXPECT_EQ(s.signature, "nrefs:1|case:mixed|eff:no|tok:none|smooth:exp|version:2.3.1");
}

TEST(CorpusBleu, Lowercase) {
  const std::vector<std::string> hyp = {"THE CAT SAT ON THE MAT"};
  const std::vector<std::string> ref = {"the cat sat on the mat"};
  EXPECT_DOUBLE_EQ(corpus_bleu(hyp, ref).score, 0.0);
  BleuOptions lc;
  lc.lowercase = true;
  const BleuScore s = corpus_bleu(hyp, ref, lc);
  EXPECT_NEAR(s.score, 100.0, 1e-9);
  EXPECT_EQ(s.signature, "nrefs:1|case:lc|eff:no|tok:13a|smooth:exp|version:2.3.1");
  // Python str.lower(): Latin-1, Greek (with final sigma), Cyrillic, dotted capital I.
  EXPECT_NEAR(corpus_bleu({"ΟΔΟΣ ÉTÉ ЖУК "
                           "İSTANBUL"},
                          {"οδος été жук "
                           "i̇stanbul"},
                          lc)
                  .score,
              100.0, 1e-9);
}

TEST(CorpusBleu, TokenizesTheRightStrippedSegment) {
  // sacreBLEU runs the tokenizer on sent.rstrip(), so a trailing "-\n" is not joined.
  EXPECT_EQ(tokenize_13a("well-\n"), "well");
  EXPECT_EQ(metrics_internal::bleu_tokens("well-\n", {}), std::vector<std::string>{"well-"});
  BleuConfig lc_none;
  lc_none.lowercase = true;
  lc_none.tokenize = BleuTokenizer::None;
  EXPECT_EQ(metrics_internal::bleu_tokens(" A,\tB\xC2\xA0" "C ", lc_none),
            (std::vector<std::string>{"a,", "b", "c"}));
}

TEST(CorpusBleu, Signature) {
  EXPECT_EQ(corpus_bleu({"a"}, {"a"}).signature,
            "nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.3.1");
}

TEST(CorpusBleu, ErrorsOnMismatchAndUnknownTokenizer) {
  EXPECT_THROW(corpus_bleu({"a", "b"}, {"a"}), Error);
  EXPECT_THROW(parse_enum(kBleuTokenizerNames, "intl", "BLEU tokenizer"), Error);
}

TEST(ExactMatch, ShareOfIdenticalStrings) {
  EXPECT_DOUBLE_EQ(exact_match({"a b", "c", "d "}, {"a b", "x", "d"}), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(exact_match({}, {}), 0.0);
  EXPECT_DOUBLE_EQ(exact_match({""}, {""}), 1.0);
  EXPECT_THROW(exact_match({"a"}, {}), Error);
}

// ---------------------------------------------------------------- published sacreBLEU figures

// sacreBLEU README / test_bleu.py: two reference streams.
const std::vector<std::string> kHyps = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
const std::vector<std::vector<std::string>> kRefs = {
    {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
    {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};

TEST(SacrebleuPublished, ReadmeCorpusBleu) {
  // "BLEU = 48.53 82.4/50.0/45.5/37.5 (BP = 0.943 ratio = 0.944 hyp_len = 17 ref_len = 18)"
  const auto r = metrics_internal::corpus_bleu(kHyps, kRefs, {});
  EXPECT_NEAR(r.score, 48.530827, 1e-6);
  EXPECT_NEAR(r.precisions[0], 82.4, 0.05);
  EXPECT_NEAR(r.precisions[1], 50.0, 0.05);
  EXPECT_NEAR(r.precisions[2], 45.5, 0.05);
  EXPECT_NEAR(r.precisions[3], 37.5, 0.05);
  EXPECT_NEAR(r.bp, 0.943, 0.0005);
  EXPECT_EQ(r.sys_len, 17u);
  EXPECT_EQ(r.ref_len, 18u);
}

TEST(SacrebleuPublished, TestBleuCorpusCases) {
  BleuConfig none;
  none.tokenize = BleuTokenizer::None;
  EXPECT_NEAR(metrics_internal::corpus_bleu(kHyps, kRefs, none).score, 49.1919566, 1e-6);
  BleuConfig no_smooth;
  no_smooth.smooth = Smooth::None;
  EXPECT_NEAR(metrics_internal::corpus_bleu(kHyps, kRefs, no_smooth).score, 48.530827, 1e-6);
  EXPECT_DOUBLE_EQ(metrics_internal::corpus_bleu({"", "", ""}, kRefs, {}).score, 0.0);
}

TEST(SacrebleuPublished, MaxNgramOrder) {
  const char* expected[] = {"77.65", "60.50", "53.93", "48.53", "46.14", "43.28"};
  for (int order = 1; order <= 6; ++order) {
    BleuConfig config;
    config.max_order = order;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", metrics_internal::corpus_bleu(kHyps, kRefs, config).score);
    EXPECT_EQ(std::string(buf), expected[order - 1]) << "order " << order;
  }
}

TEST(SacrebleuPublished, FirstReferenceStreamOnly) {
  // Default BLEU with one reference (the README refs' first stream), as reported by a
  // sacreBLEU 2 user: "BLEU = 45.07 70.6/42.9/36.4/37.5 (BP = 1.000 ... 17 / 17)".
  const BleuScore s = corpus_bleu(kHyps, kRefs[0]);
  EXPECT_NEAR(s.score, 45.07, 0.005);
  EXPECT_NEAR(s.precisions[0], 70.6, 0.05);
  EXPECT_NEAR(s.precisions[1], 42.9, 0.05);
  EXPECT_NEAR(s.precisions[2], 36.4, 0.05);
  EXPECT_NEAR(s.precisions[3], 37.5, 0.05);
  EXPECT_EQ(s.hyp_len, 17u);
  EXPECT_EQ(s.ref_len, 17u);
}

TEST(SacrebleuPublished, HuggingFaceMetricCard) {
  // datasets' sacrebleu card: counts [6,4,2,1], totals [10,8,6,4], score 39.76353643835252.
  const auto r = metrics_internal::corpus_bleu(
      {"hello there general kenobi", "on our way to ankh morpork"},
      {{"hello there general kenobi", "goodbye ankh morpork"}, {"hello there !", "ankh morpork"}}, {});
  EXPECT_NEAR(r.score, 39.76353643835252, 1e-9);
  EXPECT_EQ(r.counts, (std::vector<double>{6, 4, 2, 1}));
  EXPECT_EQ(r.totals, (std::vector<double>{10, 8, 6, 4}));
  EXPECT_EQ(r.sys_len, 10u);
  EXPECT_EQ(r.ref_len, 7u);
}

// compat.raw_corpus_bleu: floor smoothing, tokenize none, effective order.
double raw_corpus_bleu(const std::vector<std::string>& hyps, const std::vector<std::string>& refs,
                       double floor) {
  BleuConfig config;
  config.tokenize = BleuTokenizer::None;
  config.smooth = Smooth::Floor;
  config.smooth_value = floor;
  config.effective_order = true;
  return metrics_internal::corpus_bleu(hyps, {refs}, config).score / 100;
}

TEST(SacrebleuPublished, RawBleuAndEffectiveOrder) {
  EXPECT_NEAR(raw_corpus_bleu({"this is a test", "another test"}, {"ref1", "ref2"}, .01), 0.0, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"this is a test"}, {"this is a test"}, .01), 1.0, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"this is a fest"}, {"this is a test"}, .01), 0.223606797749979, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"test"}, {"a test"}, .01), 0.3678794411714425, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"a test"}, {"a test"}, .01), 1.0, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu({"a little test"}, {"a test"}, .01), 0.03218297948685433, 1e-8);
}

TEST(SacrebleuPublished, StatisticsAndOffset) {
  const std::vector<std::string> hyp = {"am I am a character sequence"};
  const std::vector<std::string> ref = {"I am a symbol string sequence a a"};
  BleuConfig config;
  config.tokenize = BleuTokenizer::None;
  config.smooth = Smooth::Floor;
  config.smooth_value = 0.01;
  config.effective_order = true;
  const auto r = metrics_internal::corpus_bleu(hyp, {ref}, config);
  EXPECT_EQ(r.counts, (std::vector<double>{4, 2, 1, 0}));
  EXPECT_EQ(r.totals, (std::vector<double>{6, 5, 4, 3}));
  EXPECT_NEAR(raw_corpus_bleu(hyp, ref, 0.0), 0.0, 1e-8);
  EXPECT_NEAR(raw_corpus_bleu(hyp, ref, 0.1), 0.1555722182, 1e-8);
}

TEST(SacrebleuPublished, ScoringFromStatistics) {
  BleuConfig none;
  none.smooth = Smooth::None;
  EXPECT_NEAR(metrics_internal::compute_bleu({9, 7, 5, 3}, {10, 8, 6, 4}, 11, 11, none).score / 100,
              0.8375922397, 1e-8);
}

TEST(SacrebleuPublished, DegenerateStatistics) {
  struct Case {
    std::vector<double> counts, totals;
    size_t sys_len, ref_len;
    double floor;
  };
  const Case cases[] = {{{0, 0, 0, 0}, {4, 4, 2, 1}, 0, 1, 0.0},
                        {{0, 0, 0, 0}, {10, 11, 12, 0}, 14, 10, 0.0},
                        {{0, 0, 0, 0}, {0, 0, 0, 0}, 0, 0, 0.0},
                        {{6, 5, 4, 0}, {6, 5, 4, 3}, 6, 6, 0.0},
                        {{0, 0, 0, 0}, {0, 0, 0, 0}, 0, 0, 0.1},
                        {{0, 0, 0, 0}, {0, 0, 0, 0}, 1, 5, 0.01}};
  for (const Case& c : cases) {
    BleuConfig config;
    config.smooth = Smooth::Floor;
    config.smooth_value = c.floor;
    EXPECT_EQ(metrics_internal::compute_bleu(c.counts, c.totals, c.sys_len, c.ref_len, config).score,
              0.0);
  }
}

// test_sentence_bleu.py (#98): sentence BLEU with effective order, tolerance 1e-3.
TEST(SacrebleuPublished, SentenceBleuSmoothingMethods) {
  const std::string ref = "producţia de zahăr brut se exprimă în zahăr alb;";
  const std::string sys =
      "Producția de zahăr primă va fi exprimată în ceea ce "
      "privește zahărul alb;";
  struct Case {
    Smooth smooth;
    double value;
    const char* tok;
    double expected;
  };
  const Case cases[] = {{Smooth::Exp, -1, "13a", 8.493},     {Smooth::None, -1, "13a", 0.0},
                        {Smooth::Floor, -1, "13a", 4.51688}, {Smooth::Floor, 0.1, "13a", 4.51688},
                        {Smooth::Floor, 0.5, "13a", 10.10},  {Smooth::AddK, -1, "13a", 14.882},
                        {Smooth::AddK, 1, "13a", 14.882},    {Smooth::AddK, 2, "13a", 21.389},
                        {Smooth::Exp, -1, "none", 7.347}};
  for (const Case& c : cases) {
    BleuConfig config;
    config.smooth = c.smooth;
    config.smooth_value = c.value;
    config.tokenize = parse_enum(kBleuTokenizerNames, c.tok, "BLEU tokenizer");
    config.effective_order = true;
    EXPECT_NEAR(metrics_internal::corpus_bleu({sys}, {{ref}}, config).score, c.expected, 1e-3)
        << "smooth " << static_cast<int>(c.smooth) << " value " << c.value << " tok " << c.tok;
  }
  // #141: no match at all is 0 whatever the smoothing.
  for (const Smooth smooth : {Smooth::Exp, Smooth::None, Smooth::Floor, Smooth::AddK}) {
    BleuConfig config;
    config.smooth = smooth;
    config.effective_order = true;
    EXPECT_DOUBLE_EQ(metrics_internal::corpus_bleu({"this is a cat"}, {{"okay thanks"}}, config).score,
                     0.0);
  }
}

}  // namespace
}  // namespace heed
