// A trained model in bf16 and int8 against its float32 self (models/packed_linear.h):
// exact match within a stated margin of float32's, and batch invariance in each
// precision (every sentence alone and in one batch of all: the same tokens, and scores
// within 1e-3). The packed products give each row bit-identical results in any batch,
// but LibTorch's softmax over a padded row sums its terms in another order, and a
// difference in the last bit of float32 can move a value across a bf16 or int8 rounding
// boundary (one such case moved a score by 1.4e-5 in bf16).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "decode/translator.h"
#include "train/evaluation.h"
#include "util/threads.h"

namespace heed::testing {

// Exact-match points (of 100) a reduced precision may lose against float32 on a learned
// toy task.
inline constexpr double kBf16ExactMatchMargin = 0.01;
inline constexpr double kInt8ExactMatchMargin = 0.02;

inline void expect_reduced_precisions_keep_what_was_learned(const LoadedModel& model,
                                                            const std::vector<SentencePair>& test,
                                                            double float32_exact_match) {
  const ProductPoolScope packed_products(ProductPool::Torch);  // as `translate --precision` runs them
  std::vector<std::string> sources;
  for (size_t i = 0; i < test.size() && i < 48; ++i) sources.push_back(test[i].source);
  for (const auto& [precision, margin] : {std::pair{Precision::BFloat16, kBf16ExactMatchMargin},
                                          std::pair{Precision::Int8, kInt8ExactMatchMargin}}) {
    SCOPED_TRACE(precision_name(precision));
    model.model->set_precision(precision);
    const EvaluationResult result = evaluate(model, test, {});
    EXPECT_GE(result.exact_match, float32_exact_match - margin)
        << "exact match " << result.exact_match << " against float32's " << float32_exact_match;
    for (const int64_t beam : {1, 3}) {
      TranslatorOptions alone, together;
      alone.batch_size = 1;
      together.batch_size = 64;
      alone.search.beam_size = together.search.beam_size = beam;
      const auto one_by_one = Translator(model, alone).translate(sources);
      const auto batched = Translator(model, together).translate(sources);
      for (size_t i = 0; i < sources.size(); ++i) {
        EXPECT_EQ(one_by_one[i].hypothesis.tokens, batched[i].hypothesis.tokens) << "beam " << beam << ": " << sources[i];
        EXPECT_NEAR(one_by_one[i].hypothesis.score, batched[i].hypothesis.score, 1e-3) << "beam " << beam << ": " << sources[i];
      }
    }
  }
  model.model->set_precision(Precision::Float32);
}

}  // namespace heed::testing
