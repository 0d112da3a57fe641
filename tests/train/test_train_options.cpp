#include <gtest/gtest.h>

#include "models/registry.h"
#include "train/trainer.h"
#include "util/error.h"

namespace heed {
namespace {

TEST(TrainOptions, JsonRoundTripsEveryStoredOption) {
  TrainOptions options;
  options.epochs = 3;
  options.max_steps = 7;
  options.time_budget_s = 12.5;
  options.batch_tokens = 999;
  options.lr = 0.02;
  options.adam_beta1 = 0.8;
  options.adam_beta2 = 0.97;
  options.clip_norm = 2.0;
  options.label_smoothing = 0.2;
  options.warmup_steps = 11;
  options.valid_every = 5;
  options.patience = 4;
  options.best_metric = BestMetric::Loss;
  options.seed = 42;
  TrainOptions restored;
  restored.set_from_json(options.to_json());
  EXPECT_EQ(restored.to_json(), options.to_json());
}

TEST(TrainOptions, SetsOnlyTheNamedOptionsAndRejectsUnknownOnes) {
  TrainOptions options;
  options.set_from_json({{"lr", 0.5}, {"best_metric", "exact"}});
  EXPECT_EQ(options.lr, 0.5);
  EXPECT_EQ(options.best_metric, BestMetric::ExactMatch);
  EXPECT_EQ(options.batch_tokens, TrainOptions().batch_tokens);
  EXPECT_THROW(options.set_from_json({{"learning_rate", 0.1}}), Error);
  EXPECT_THROW(options.set_from_json({{"lr", "fast"}}), Error);
}

TEST(TrainOptions, DeclaredRangesRejectNegativeLimits) {
  TrainOptions options;
  for (const char* key : {"epochs", "max_steps", "time_budget", "valid_every", "patience", "clip_norm", "seed"}) {
    EXPECT_THROW(options.set_from_json({{key, -1}}), Error) << key;
  }
  EXPECT_THROW(options.set_from_json({{"lr", 0}}), Error);
  EXPECT_THROW(options.set_from_json({{"batch_tokens", 0}}), Error);
}

TEST(TrainOptions, EveryDeclaredOptionIsStored) {
  const nlohmann::json stored = TrainOptions().to_json();
  const auto specs = option_specs<TrainOptions>();
  EXPECT_EQ(stored.size(), specs.size());
  for (const auto& spec : specs) {
    EXPECT_TRUE(stored.contains(spec.key)) << spec.key;
    EXPECT_EQ(stored[spec.key], spec.default_value) << spec.key;
  }
}

TEST(TrainOptions, EveryModelsTrainingDefaultsAreValidOptions) {
  for (const auto& entry : model_registry()) {
    TrainOptions options;
    EXPECT_NO_THROW(options.set_from_json(entry.training_defaults)) << entry.name;
  }
}

}  // namespace
}  // namespace heed
