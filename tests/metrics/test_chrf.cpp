// chrF: hand-computed figures and sacreBLEU's published expectations
// (test/test_chrf.py, README, HF metric card).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "metrics/bleu.h"
#include "metrics/metrics_internal.h"
#include "util/error.h"

namespace heed {
namespace {

using metrics_internal::ChrfConfig;

TEST(CorpusChrf, IdenticalIs100) {
  const std::vector<std::string> lines = {"Niemand hat die Absicht, eine Mauer zu errichten",
                                          "café αβ"};
  EXPECT_NEAR(corpus_chrf(lines, lines).score, 100.0, 1e-9);
}

TEST(CorpusChrf, HandComputedExample) {
  // hyp "ab", ref "abc" (beta 2, orders 1..6):
  //   order 1: hyp 2, ref 3, match 2 -> P 1, R 2/3
  //   order 2: hyp 1, ref 2, match 1 -> P 1, R 1/2
  //   order 3: hyp 0 -> not counted; orders 4..6: nothing.
  //   avg P = 1, avg R = 7/12; F2 = 5 * 1 * 7/12 / (4 + 7/12) = 7/11
  EXPECT_NEAR(corpus_chrf({"ab"}, {"abc"}).score, 700.0 / 11.0, 1e-9);
}

TEST(CorpusChrf, StatisticsAreSummedOverTheCorpus) {
  // Adds "xz"/"y": order 1 gets hyp 2, ref 1, match 0; order 2 gets hyp 0, not 1, since
  // sacreBLEU ignores hypothesis n-grams of an order the reference has none of.
  // Summed: order 1 hyp 4 / ref 4 / match 2, order 2 hyp 1 / ref 2 / match 1.
  //   avg P = (1/2 + 1)/2 = 3/4, avg R = (1/2 + 1/2)/2 = 1/2
  //   F2 = 5 * 3/4 * 1/2 / (4 * 3/4 + 1/2) = 15/28 (the sentence mean would be 31.8)
  EXPECT_NEAR(corpus_chrf({"ab", "xz"}, {"abc", "y"}).score, 1500.0 / 28.0, 1e-9);
}

TEST(CorpusChrf, WhitespaceIsRemoved) {
  EXPECT_NEAR(corpus_chrf({"a b\xC2\xA0" "c"}, {"abc"}).score, 100.0, 1e-9);
}

TEST(CorpusChrf, EmptyInputs) {
  EXPECT_DOUBLE_EQ(corpus_chrf({}, {}).score, 0.0);
  EXPECT_DOUBLE_EQ(corpus_chrf({""}, {"reference"}).score, 0.0);
  EXPECT_DOUBLE_EQ(corpus_chrf({"hyp"}, {""}).score, 0.0);
}

TEST(CorpusChrf, SignatureAndErrors) {
  EXPECT_EQ(corpus_chrf({"a"}, {"a"}).signature,
            "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.3.1");
  EXPECT_THROW(corpus_chrf({"a"}, {"a", "b"}), Error);
}

// ---------------------------------------------------------------- published figures

TEST(SacrebleuPublishedChrf, HuggingFaceMetricCard) {
  // datasets' chrf card (sacreBLEU CHRF defaults).
  EXPECT_NEAR(corpus_chrf({"The relationship between cats and dogs is not exactly friendly.",
                           "a good bookshop is just a genteel black hole that knows how to read."},
                          {"The relationship between dogs and cats is not exactly friendly.",
                           "A good bookshop is just a genteel Black Hole that knows how to read."})
                  .score,
              84.64214891738334, 1e-9);
  EXPECT_NEAR(corpus_chrf({"The relationship between Obama and Netanyahu is not exactly friendly."},
                          {"The ties between Obama and Netanyahu are not particularly friendly."})
                  .score,
              61.576379378113785, 1e-9);
}

double chrf(const std::vector<std::string>& hyps, const std::vector<std::string>& refs, int beta,
            bool eps_smoothing, bool whitespace = false) {
  ChrfConfig config;
  config.beta = beta;
  config.eps_smoothing = eps_smoothing;
  config.whitespace = whitespace;
  return metrics_internal::corpus_chrf(hyps, {refs}, config);
}

TEST(SacrebleuPublishedChrf, EffectiveOrderBeta3) {
  // test_chrf.py test_cases_effective_order (eps_smoothing=False, beta=3).
  EXPECT_NEAR(chrf({"a"}, {"a"}, 3, false), 100.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"reference"}, 3, false), 0.0, 1e-4);
  EXPECT_NEAR(chrf({"a b c"}, {"a b c"}, 3, false), 100.0, 1e-4);
  EXPECT_NEAR(chrf({"a b c"}, {"abc"}, 3, false), 100.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"c"}, 3, false), 0.0, 1e-4);
  EXPECT_NEAR(chrf({"a", "b"}, {"a", "c"}, 3, false), 50.0, 1e-4);
  EXPECT_NEAR(chrf({"aa"}, {"ab"}, 3, false), 25.0, 1e-4);
}

TEST(SacrebleuPublishedChrf, EpsSmoothingBeta3) {
  // test_chrf.py test_cases (eps_smoothing=True, beta=3).
  EXPECT_NEAR(chrf({"abcdefg"}, {"hijklmnop"}, 3, true), 0.0, 1e-4);
  EXPECT_NEAR(chrf({"a"}, {"b"}, 3, true), 0.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"b"}, 3, true), 0.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"ref"}, 3, true), 0.0, 1e-4);
  EXPECT_NEAR(chrf({""}, {"reference"}, 3, true), 0.0, 1e-4);
  EXPECT_NEAR(chrf({"aa"}, {"ab"}, 3, true), 8.3333, 1e-4);
  EXPECT_NEAR(chrf({"a", "b"}, {"a", "c"}, 3, true), 8.3333, 1e-4);
  EXPECT_NEAR(chrf({"a"}, {"a"}, 3, true), 16.6667, 1e-4);
  EXPECT_NEAR(chrf({"a b c"}, {"a b c"}, 3, true), 50.0, 1e-4);
  EXPECT_NEAR(chrf({"a b c"}, {"abc"}, 3, true), 50.0, 1e-4);
  EXPECT_NEAR(chrf({" risk assessment must be made of those who are qualified and expertise in the "
                    "sector - these are the scientists ."},
                   {"risk assessment has to be undertaken by those who are qualified and expert in "
                    "that area - that is the scientists ."},
                   3, true),
              63.361730, 1e-4);
  EXPECT_NEAR(chrf({" Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. "},
                   {"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade "
                    "freundschaftlich."},
                   3, true),
              64.1302698, 1e-4);
  EXPECT_NEAR(chrf({"Niemand hat die Absicht, eine Mauer zu errichten"},
                   {"Niemand hat die Absicht, eine Mauer zu errichten"}, 3, true),
              100.0, 1e-4);
}

TEST(SacrebleuPublishedChrf, KeepWhitespaceBeta3) {
  // test_chrf.py test_cases_keep_whitespace (remove_whitespace=False, beta=3).
  EXPECT_NEAR(chrf({"Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich."},
                   {"Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade "
                    "freundschaftlich."},
                   3, false, true),
              67.3481606, 1e-4);
  EXPECT_NEAR(chrf({"risk assessment must be made of those who are qualified and expertise in the "
                    "sector - these are the scientists ."},
                   {"risk assessment has to be undertaken by those who are qualified and expert in "
                    "that area - that is the scientists ."},
                   3, false, true),
              65.2414427, 1e-4);
}

TEST(SacrebleuPublishedChrf, SentenceLevelEpsSmoothing) {
  // test_chrf.py test_sentence_level_chrf (beta 2, eps_smoothing=True); Czech, non-ASCII.
  EXPECT_NEAR(chrf({"Co nás nejvíc trápí, protože lékaři "
                    "si vybírají, kdo bude žít a kdo zemře."},
                   {"Nejvíce smutní jsme z toho, že musíme rozhodovat "
                    "o tom, kdo bude žít a kdo zemře."},
                   2, true),
              39.14078509, 1e-4);
  EXPECT_NEAR(chrf({"Nebo prostě nemají vybavení, které by jim pomohlo, "
                    "uvedli lékaři."},
                   {"A někdy nemáme ani potřebný materiál, abychom "
                    "jim pomohli, popsali lékaři."},
                   2, true),
              31.22557079, 1e-4);
  EXPECT_NEAR(chrf({"Lapali po dechu, jejich životy skončily dřív, než "
                    "skutečně začaly."},
                   {"Lapali po dechu a pak jejich život skončil - dřív, "
                    "než skutečně mohl začít, připomněli."},
                   2, true),
              57.15704367, 1e-4);
}

TEST(SacrebleuPublishedChrf, ReadmeTwoReferences) {
  // sacreBLEU README: CHRF().corpus_score(sys, refs) -> "chrF2 = 59.73" (two reference streams).
  const std::vector<std::string> sys = {"The dog bit the man.", "It wasn't surprising.",
                                        "The man had just bitten him."};
  const std::vector<std::vector<std::string>> refs = {
      {"The dog bit the man.", "It was not unexpected.", "The man bit him first."},
      {"The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."}};
  EXPECT_NEAR(metrics_internal::corpus_chrf(sys, refs, {}), 59.73, 0.005);
}

}  // namespace
}  // namespace heed
