// bf16 mixed precision: the option, the autocast scope, and what it does to every model's
// forward and backward pass (close to fp32, fp32 where the policy says so), and that a
// model still learns a seeded toy task with it.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <ATen/autocast_mode.h>

#include "data/generators.h"
#include "support/new_model.h"
#include "support/temp_dir.h"
#include "support/tiny_models.h"
#include "text/vocabulary.h"
#include "train/evaluation.h"
#include "train/precision.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/threads.h"

namespace heed {
namespace {

TEST(Precision, ParsesAndNamesEachAndRejectsOthers) {
  EXPECT_EQ(parse_precision("fp32"), Precision::Float32);
  EXPECT_EQ(parse_precision("bf16"), Precision::BFloat16);
  EXPECT_EQ(precision_name(Precision::Float32), "fp32");
  EXPECT_EQ(precision_name(Precision::BFloat16), "bf16");
  EXPECT_EQ(parse_precision("int8"), Precision::Int8);
  try {
    parse_precision("fp16");
    FAIL() << "fp16 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "unknown precision 'fp16' (known: fp32, bf16, int8)");
  }
  // Training runs fp32 or bf16 only.
  try {
    parse_enum(kTrainingPrecisionNames, "int8", "precision");
    FAIL() << "int8 accepted for training";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "unknown precision 'int8' (known: fp32, bf16)");
  }
}

TEST(Precision, TrainOptionsStoreIt) {
  TrainOptions options;
  EXPECT_EQ(options.precision, Precision::Float32);
  options.precision = Precision::BFloat16;
  EXPECT_EQ(options.to_json().at("precision"), "bf16");
  TrainOptions restored;
  restored.set_from_json(options.to_json());
  EXPECT_EQ(restored.precision, Precision::BFloat16);
  EXPECT_THROW(restored.set_from_json({{"precision", "half"}}), Error);
}

// Inside a bf16 scope a matrix product of float tensors comes out bf16; outside, and in
// an fp32 scope, float. Scopes nest and restore the state they found.
TEST(Precision, ScopeTurnsCpuAutocastOnAndRestoresIt) {
  const auto a = torch::randn({4, 8}), b = torch::randn({8, 3});
  ASSERT_FALSE(at::autocast::is_cpu_enabled());
  {
    const MixedPrecisionScope fp32(Precision::Float32);
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat);
  }
  {
    const MixedPrecisionScope outer(Precision::BFloat16);
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(at::autocast::get_autocast_cpu_dtype(), at::kBFloat16);
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);
    {
      const MixedPrecisionScope inner(Precision::BFloat16);
      EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);
    }
    EXPECT_TRUE(at::autocast::is_cpu_enabled());  // the inner scope restored "on"
    EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kBFloat16);
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(torch::mm(a, b).scalar_type(), torch::kFloat);
  // The product is the fp32 one to bf16's 8-bit mantissa.
  torch::Tensor mixed;
  {
    const MixedPrecisionScope scope(Precision::BFloat16);
    mixed = torch::mm(a, b);
  }
  EXPECT_TRUE(torch::allclose(mixed.to(torch::kFloat), torch::mm(a, b), 0.03, 0.03));
}

class PrecisionModel : public ::testing::TestWithParam<std::string> {};

struct PassResult {
  torch::Tensor logits;                          // float32
  AttentionMaps attention;
  std::vector<torch::Tensor> gradients;          // one per parameter
  std::vector<std::string> names;
};

PassResult forward_backward(const std::string& name, Precision precision) {
  auto model = testing::tiny_model(name, 23, 19, /*seed=*/3);
  model->eval();  // no dropout: both passes see the same network
  const auto source = make_source_batch(testing::random_sentences({6, 3, 8}, 23, 5), torch::kCPU);
  torch::manual_seed(9);
  auto target = torch::randint(4, 19, {3, 7}, torch::kInt64);
  target.select(1, 0).fill_(Vocabulary::kBos);
  ForwardOutput out;
  {
    const MixedPrecisionScope scope(precision);
    out = model->forward(source, target, /*return_attention=*/true);
  }
  PassResult result{out.logits.to(torch::kFloat), out.attention, {}, {}};
  torch::log_softmax(result.logits, -1).select(2, 1).mean().backward();
  for (const auto& parameter : model->named_parameters()) {
    result.gradients.push_back(parameter.value().grad());
    result.names.push_back(parameter.key());
  }
  return result;
}

double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  return torch::cosine_similarity(a.flatten(), b.flatten(), 0).item<double>();
}

// bf16 logits and gradients follow fp32's to a few significant digits; attention weights
// come out of a float32 softmax (rows sum to 1 to float precision, masks still exact);
// every gradient is float32, as the weights and Adam's moments are.
TEST_P(PrecisionModel, Bf16PassFollowsTheFp32One) {
  const PassResult fp32 = forward_backward(GetParam(), Precision::Float32);
  const PassResult bf16 = forward_backward(GetParam(), Precision::BFloat16);
  ASSERT_EQ(bf16.logits.sizes(), fp32.logits.sizes());
  EXPECT_FALSE(torch::equal(bf16.logits, fp32.logits));  // bf16 did run
  EXPECT_LT((bf16.logits - fp32.logits).abs().max().item<double>(), 0.05);
  EXPECT_GT(cosine(bf16.logits, fp32.logits), 0.999);
  ASSERT_EQ(bf16.attention.parts.size(), fp32.attention.parts.size());
  for (const auto& [part, weights] : bf16.attention.parts) {
    SCOPED_TRACE(attention_part_name(part));
    EXPECT_EQ(weights.scalar_type(), torch::kFloat);
    const auto& reference = fp32.attention.at(part);
    EXPECT_LT((weights - reference).abs().max().item<double>(), 0.03);
    // Exact zeros where fp32 has them (padding, the future); rows of real queries sum to 1.
    EXPECT_TRUE(torch::equal(weights.eq(0), reference.eq(0)));
    const auto sums = weights.sum(-1);
    const auto real = sums.masked_select(sums.gt(0.5));
    EXPECT_TRUE(torch::allclose(real, torch::ones_like(real), 0, 1e-5));
  }
  // Per parameter, close relative to its own size, with a floor for the gradients that
  // are nearly 0 in fp32 already (an attention bias, 2e-5): there bf16 rounding dominates.
  ASSERT_EQ(bf16.gradients.size(), fp32.gradients.size());
  std::vector<torch::Tensor> all_fp32, all_bf16;
  for (size_t i = 0; i < fp32.gradients.size(); ++i) {
    SCOPED_TRACE(fp32.names[i]);
    if (!fp32.gradients[i].defined()) {
      EXPECT_FALSE(bf16.gradients[i].defined());
      continue;
    }
    ASSERT_TRUE(bf16.gradients[i].defined());
    EXPECT_EQ(bf16.gradients[i].scalar_type(), torch::kFloat);
    const double norm = fp32.gradients[i].norm().item<double>();
    EXPECT_LE((bf16.gradients[i] - fp32.gradients[i]).norm().item<double>(), 0.05 * norm + 1e-4) << "norm " << norm;
    all_fp32.push_back(fp32.gradients[i].flatten());
    all_bf16.push_back(bf16.gradients[i].flatten());
  }
  EXPECT_GT(cosine(torch::cat(all_bf16), torch::cat(all_fp32)), 0.999);
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, PrecisionModel, ::testing::ValuesIn(testing::registry_names()),
                         testing::model_test_name);

// The dates task learned with bf16 products: the GRU test of test_learning.cpp, same
// seed, budget and goal.
// ctest: learning
TEST(Precision, Bf16TrainingLearnsDatesToIso) {
  set_threads(2);
  testing::TempDir dir("heed_bf16_dates");
  const auto train_pairs = generate_dates(6000, 1);
  const auto test_pairs = generate_dates(400, 2);
  LoadedModel model = testing::untrained_model(
      "gru-bahdanau", TokenizerKind::Char, {{"emb", 32}, {"hidden", 64}, {"attention_size", 32}, {"dropout", 0.0}},
      train_pairs);
  TrainOptions options;
  options.out_dir = dir / "model";
  options.log_every_s = 1e9;
  options.seed = 1;
  options.epochs = 6;
  options.batch_tokens = 1200;
  options.lr = 3e-3;
  options.precision = Precision::BFloat16;
  train(model, train_pairs, {}, options, false);
  EXPECT_FALSE(at::autocast::is_cpu_enabled());  // training left autocast as it found it
  const EvaluationResult result = evaluate(model, test_pairs, {});
  EXPECT_GE(result.exact_match, 0.95) << "exact match " << result.exact_match;
}

}  // namespace
}  // namespace heed
