// The contract every registry model must keep, run for every registered name:
// shapes, masks, stepwise == teacher-forced, save -> load, reorder.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>

#include "support/tiny_models.h"
#include "text/vocabulary.h"
#include "model_dir/model_directory.h"
#include "models/packed_linear.h"
#include "util/error.h"

namespace heed {
namespace {

class ModelContract : public ::testing::TestWithParam<std::string> {
 protected:
  static constexpr int64_t kSourceVocab = 23;
  static constexpr int64_t kTargetVocab = 19;

  SourceBatch source_batch() const {
    return make_source_batch(testing::random_sentences({5, 2, 7}, kSourceVocab, 11), torch::kCPU);
  }
  // <s> y1 .. y5 for three rows (targets ignore padding; all rows full length).
  torch::Tensor target_input() const {
    auto ids = torch::randint(4, kTargetVocab, {3, 6}, torch::kInt64);
    ids.select(1, 0).fill_(Vocabulary::kBos);
    return ids;
  }
  // In the model's current precision: stepwise decoding gives the log-probabilities of
  // the teacher-forced `logits` (B, T, V), and each row's logits are the same alone.
  static void expect_stepwise_and_alone_match(Seq2SeqModel& model, const SourceBatch& source,
                                              const torch::Tensor& target, const torch::Tensor& logits) {
    const auto full_log_probs = torch::log_softmax(logits, 2);
    auto state = model.start(source, false);
    for (int64_t t = 0; t < target.size(1); ++t) {
      const auto step = model.step(*state, target.select(1, t), false);
      EXPECT_TRUE(torch::allclose(step.log_probs, full_log_probs.select(1, t), 1e-5, 1e-5)) << "step " << t;
    }
    for (int64_t row = 0; row < source.ids.size(0); ++row) {
      const int64_t length = source.lengths[row].item<int64_t>();
      SourceBatch alone{source.ids.narrow(0, row, 1).narrow(1, 0, length), source.mask.narrow(0, row, 1).narrow(1, 0, length),
                        source.lengths.narrow(0, row, 1)};
      const auto row_logits = model.forward(alone, target.narrow(0, row, 1), false).logits;
      EXPECT_TRUE(torch::allclose(row_logits[0], logits[row], 1e-5, 1e-5)) << "row " << row;
    }
  }
};

TEST_P(ModelContract, ForwardShapesAndAttentionConvention) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab);
  const auto source = source_batch();
  const auto target = target_input();
  const auto out = model->forward(source, target, /*return_attention=*/true);
  EXPECT_EQ(out.logits.sizes(), (std::vector<int64_t>{3, 6, kTargetVocab}));
  ASSERT_TRUE(out.attention.has(AttentionPart::Cross));
  const auto& cross = out.attention.at(AttentionPart::Cross);
  ASSERT_EQ(cross.dim(), 5);
  EXPECT_EQ(cross.size(0), 3);
  EXPECT_EQ(cross.size(3), 6);
  EXPECT_EQ(cross.size(4), source.ids.size(1));
  // Rows sum to 1; padded source positions get exactly 0.
  EXPECT_TRUE(torch::allclose(cross.sum(-1), torch::ones_like(cross.sum(-1)), 0, 1e-5));
  const auto padded = source.mask.logical_not().view({3, 1, 1, 1, -1}).expand_as(cross);
  EXPECT_EQ(cross.masked_select(padded).abs().sum().item<float>(), 0.0f);
  // Without the flag, no attention is returned.
  EXPECT_TRUE(model->forward(source, target, false).attention.empty());
}

// Every part a model returns: rows sum to 1, padded source keys get exactly 0, and the
// decoder self-attention is exactly 0 above the diagonal.
TEST_P(ModelContract, EveryAttentionPartMasksPaddingAndTheFuture) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab);
  const auto source = source_batch();
  const auto out = model->forward(source, target_input(), true);
  const auto source_padding = source.mask.logical_not().view({3, 1, 1, 1, -1});
  for (const auto& [part, weights] : out.attention.parts) {
    SCOPED_TRACE(attention_part_name(part));
    ASSERT_EQ(weights.dim(), 5);
    const auto sums = weights.sum(-1);
    if (part == AttentionPart::EncoderSelf) {
      // Rows of padded queries are not used; check the real ones.
      const auto real = source.mask.view({3, 1, 1, -1}).expand_as(sums);
      EXPECT_TRUE(torch::allclose(sums.masked_select(real), torch::ones({real.sum().item<int64_t>()}), 0, 1e-5));
    } else {
      EXPECT_TRUE(torch::allclose(sums, torch::ones_like(sums), 0, 1e-5));
    }
    if (part == AttentionPart::DecoderSelf) {
      const auto future = torch::ones({weights.size(3), weights.size(4)}, torch::kBool).triu(1);
      EXPECT_EQ(weights.masked_select(future.expand_as(weights)).abs().sum().item<float>(), 0.0f);
    } else {
      EXPECT_EQ(weights.masked_select(source_padding.expand_as(weights)).abs().sum().item<float>(), 0.0f);
    }
  }
}

TEST_P(ModelContract, StepwiseDecodingEqualsTeacherForcedPass) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab);
  torch::NoGradGuard no_grad;
  const auto source = source_batch();
  const auto target = target_input();
  const auto full = model->forward(source, target, true);
  const auto full_log_probs = torch::log_softmax(full.logits, 2);
  auto state = model->start(source, true);
  for (int64_t t = 0; t < target.size(1); ++t) {
    const auto step = model->step(*state, target.select(1, t), true);
    EXPECT_TRUE(torch::allclose(step.log_probs, full_log_probs.select(1, t), 1e-5, 1e-5)) << "step " << t;
    const auto& cross = step.attention.at(AttentionPart::Cross);
    EXPECT_TRUE(torch::allclose(cross.select(3, 0), full.attention.at(AttentionPart::Cross).select(3, t),
                                1e-5, 1e-6));
    if (full.attention.has(AttentionPart::DecoderSelf)) {
      // Step t sees keys 0..t; the full pass's row t over the same keys.
      const auto stepped = step.attention.at(AttentionPart::DecoderSelf).select(3, 0);  // (B, L, H, t+1)
      const auto row = full.attention.at(AttentionPart::DecoderSelf).select(3, t).narrow(3, 0, t + 1);
      EXPECT_TRUE(torch::allclose(stepped, row, 1e-5, 1e-6)) << "dec_self step " << t;
    }
  }
}

TEST_P(ModelContract, ReorderKeepsTheSelectedRows) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab);
  torch::NoGradGuard no_grad;
  const auto source = source_batch();
  const auto target = target_input();
  auto state = model->start(source, false);
  model->step(*state, target.select(1, 0), false);
  model->reorder(*state, torch::tensor({2, 0}, torch::kInt64));
  const auto after = model->step(*state, target.select(1, 1).index_select(0, torch::tensor({2, 0})), false);
  auto reference = model->start(source, false);
  model->step(*reference, target.select(1, 0), false);
  const auto expected = model->step(*reference, target.select(1, 1), false);
  EXPECT_TRUE(torch::allclose(after.log_probs[0], expected.log_probs[2], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(after.log_probs[1], expected.log_probs[0], 1e-5, 1e-5));
}

// append (in-flight batching): rows that join a stepped batch, with longer and shorter
// sources and fewer steps taken, go on as each batch would alone; so do the rows that
// reorder keeps afterwards (it drops the padding no kept row needs). fp32 and int8.
TEST_P(ModelContract, AppendedRowsGoOnAsTheyWouldAlone) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab);
  torch::NoGradGuard no_grad;
  const auto first = source_batch();  // lengths 5, 2, 7
  const auto second = make_source_batch(testing::random_sentences({9, 3}, kSourceVocab, 12), torch::kCPU);
  const auto first_target = target_input();  // (3, 6)
  auto second_target = torch::randint(4, kTargetVocab, {2, 6}, torch::kInt64);
  second_target.select(1, 0).fill_(Vocabulary::kBos);
  for (const Precision precision : {Precision::Float32, Precision::Int8}) {
    SCOPED_TRACE(precision_name(precision));
    model->set_precision(precision);
    const auto expected_first = torch::log_softmax(model->forward(first, first_target, false).logits, 2);
    const auto expected_second = torch::log_softmax(model->forward(second, second_target, false).logits, 2);
    // The first batch takes 2 steps, the second 1, then they go on together: positions
    // 2.. of the first rows, 1.. of the second.
    auto state = model->start(first, false);
    for (int64_t t = 0; t < 2; ++t) model->step(*state, first_target.select(1, t), false);
    auto joining = model->start(second, false);
    model->step(*joining, second_target.select(1, 0), false);
    model->append(*state, *joining);
    for (int64_t t = 0; t < 3; ++t) {
      const auto tokens = torch::cat({first_target.select(1, 2 + t), second_target.select(1, 1 + t)});
      const auto out = model->step(*state, tokens, false);
      ASSERT_EQ(out.log_probs.size(0), 5);
      EXPECT_TRUE(torch::allclose(out.log_probs.narrow(0, 0, 3), expected_first.select(1, 2 + t), 1e-5, 1e-5)) << "step " << t;
      EXPECT_TRUE(torch::allclose(out.log_probs.narrow(0, 3, 2), expected_second.select(1, 1 + t), 1e-5, 1e-5)) << "step " << t;
    }
    // Keep the second batch's short sentence and the first's two shortest: the longest
    // source and the first batch's extra step are padding in every kept row.
    model->reorder(*state, torch::tensor({4, 1, 0}, torch::kInt64));
    const auto tokens = torch::stack({second_target[1][4], first_target[1][5], first_target[0][5]});
    const auto out = model->step(*state, tokens, false);
    EXPECT_TRUE(torch::allclose(out.log_probs[0], expected_second[1][4], 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(out.log_probs[1], expected_first[1][5], 1e-5, 1e-5));
    EXPECT_TRUE(torch::allclose(out.log_probs[2], expected_first[0][5], 1e-5, 1e-5));
    // States with attention are not merged.
    auto with_attention = model->start(first, true);
    auto other = model->start(second, false);
    if (!with_attention->source_attention.empty()) {
      EXPECT_THROW(model->append(*with_attention, *other), std::logic_error);
    }
  }
  model->set_precision(Precision::Float32);
}

TEST_P(ModelContract, SaveThenLoadGivesIdenticalOutputs) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab, /*seed=*/3);
  const auto path = std::filesystem::temp_directory_path() / ("heed_contract_" + GetParam() + ".pt");
  save_weights(*model, path.string());
  auto other = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab, /*seed=*/99);
  load_weights(*other, path.string(), torch::kCPU);
  other->eval();
  const auto source = source_batch();
  const auto target = target_input();
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(model->forward(source, target, false).logits,
                           other->forward(source, target, false).logits));
  std::filesystem::remove(path);
}

TEST_P(ModelContract, RejectsOptionsOfOtherModels) {
  try {
    build_model(GetParam(), {{"no_such_option", 3}}, {10, 10});
    FAIL() << "expected heed::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "option --no-such-option does not apply to model " + GetParam());
  }
}

// bf16 and int8 (models/packed_linear.h): logits close to float32's, stepwise decoding
// equal to the teacher-forced pass, each row's logits the same alone as in the batch,
// and float32 again exactly what it was.
TEST_P(ModelContract, ReducedPrecisionsFollowFloat32) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab);
  torch::NoGradGuard no_grad;
  const auto source = source_batch();
  const auto target = target_input();
  const auto float32 = model->forward(source, target, false).logits;
  const double scale = float32.abs().max().item<double>();
  for (const auto& [precision, margin] : {std::pair{Precision::BFloat16, 0.02}, std::pair{Precision::Int8, 0.05}}) {
    SCOPED_TRACE(precision_name(precision));
    model->set_precision(precision);
    EXPECT_EQ(model->precision(), precision);
    const auto reduced = model->forward(source, target, true);
    EXPECT_FALSE(torch::equal(reduced.logits, float32));
    EXPECT_LE((reduced.logits - float32).abs().max().item<double>(), margin * scale);
    expect_stepwise_and_alone_match(*model, source, target, reduced.logits);
  }
  model->set_precision(Precision::Float32);
  EXPECT_TRUE(torch::equal(model->forward(source, target, false).logits, float32));
}

// Packed float32 (kernels/f32_gemm.h, on when inference commands find AVX-512): the same
// arithmetic in another order, so logits within float rounding of the unpacked ones, each
// row's the same alone as in the batch, stepwise equal to teacher-forced; the
// precision stays fp32, and unpacking restores the float32 expression exactly.
TEST_P(ModelContract, PackedFloat32FollowsTheFloat32Expression) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab);
  torch::NoGradGuard no_grad;
  const auto source = source_batch();
  const auto target = target_input();
  const auto float32 = model->forward(source, target, false).logits;
  struct Packing {
    Packing() { pack_float32_products(true); }
    ~Packing() { pack_float32_products(false); }
  };
  {
    const Packing packing;
    model->set_precision(Precision::Float32);
    EXPECT_EQ(model->precision(), Precision::Float32);
    const auto packed = model->forward(source, target, false).logits;
    EXPECT_TRUE(torch::allclose(packed, float32, 1e-4, 1e-5));
    expect_stepwise_and_alone_match(*model, source, target, packed);
  }
  model->set_precision(Precision::Float32);
  EXPECT_TRUE(torch::equal(model->forward(source, target, false).logits, float32));
}

// restrict_output: step's log-probabilities are the log-softmax over the shortlisted ids
// of the unrestricted logits, -inf elsewhere, in float32 and int8; lifting restores them.
TEST_P(ModelContract, RestrictedOutputIsTheSoftmaxOverTheShortlist) {
  auto model = testing::tiny_model(GetParam(), kSourceVocab, kTargetVocab);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto source = source_batch();
  const auto tokens = torch::full({3}, Vocabulary::kBos, torch::kInt64);
  const auto ids = torch::tensor(std::vector<int64_t>{1, 3, 5, 8, 13}, torch::kInt64);
  for (const auto precision : {Precision::Float32, Precision::Int8}) {
    SCOPED_TRACE(precision_name(precision));
    model->set_precision(precision);
    auto state = model->start(source, false);
    const auto full = model->step(*state, tokens, false).log_probs;  // (B, V)
    model->restrict_output(ids);
    auto restricted_state = model->start(source, false);
    const auto restricted = model->step(*restricted_state, tokens, false).log_probs;
    model->restrict_output({});
    const auto expected = torch::log_softmax(full.index_select(1, ids), 1);
    EXPECT_TRUE(torch::allclose(restricted.index_select(1, ids), expected, 1e-5, 1e-5));
    auto outside = torch::ones({kTargetVocab}, torch::kBool);
    outside.index_fill_(0, ids, false);
    EXPECT_TRUE(torch::all(torch::isinf(restricted.index({torch::indexing::Slice(), outside}))).item<bool>());
    auto lifted_state = model->start(source, false);
    EXPECT_TRUE(torch::equal(model->step(*lifted_state, tokens, false).log_probs, full));
  }
  model->set_precision(Precision::Float32);
}

INSTANTIATE_TEST_SUITE_P(EveryRegisteredModel, ModelContract, ::testing::ValuesIn(testing::registry_names()),
                         testing::model_test_name);

TEST(Registry, UnknownModelListsTheKnownOnes) {
  try {
    find_model("lstm");
    FAIL() << "expected heed::Error";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "unknown model 'lstm' (known: gru-bahdanau, transformer)");
  }
}

}  // namespace
}  // namespace heed
