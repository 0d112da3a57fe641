#include <gtest/gtest.h>
#include <torch/torch.h>

#include <sstream>

#include "kernels/adam_update.h"
#include "train/fused_adam.h"

namespace heed {
namespace {

// Parameters of several sizes (odd ones exercise the loop's tail), as leaf tensors.
std::vector<torch::Tensor> make_parameters() {
  torch::manual_seed(3);
  return {torch::randn({37, 11}), torch::randn({5}), torch::randn({64, 33}), torch::randn({1})};
}

std::vector<torch::Tensor> clones(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> out;
  for (const auto& t : tensors) out.push_back(t.clone().requires_grad_(true));
  return out;
}

// Gradients of step `step`, the same for every optimizer under test.
void set_gradients(std::vector<torch::Tensor>& params, int step) {
  torch::manual_seed(100 + step);
  for (auto& p : params) p.mutable_grad() = torch::randn_like(p) * (step + 1);
}

torch::optim::AdamOptions options() { return torch::optim::AdamOptions(3e-3).betas({0.9, 0.98}); }

const torch::optim::AdamParamState& adam_state(const torch::optim::Optimizer& optimizer, const torch::Tensor& p) {
  return static_cast<const torch::optim::AdamParamState&>(
      *optimizer.state().at(c10::guts::to_string(p.unsafeGetTensorImpl())));
}

// Loads `from`'s saved state into `to`, through the archive format optimizer.pt uses.
void copy_state(const torch::optim::Optimizer& from, torch::optim::Optimizer& to) {
  std::stringstream buffer;
  torch::serialize::OutputArchive out;
  from.save(out);
  out.save_to(buffer);
  torch::serialize::InputArchive in;
  in.load_from(buffer);
  to.load(in);
}

// The largest difference between a and b, relative to b's largest magnitude: a scale
// for the whole tensor, since an element near zero (m is a difference of terms) keeps
// the absolute rounding of its terms.
double relative_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>() / b.abs().max().item<double>();
}

// The update itself (p - p0) and both moments agree with LibTorch's to float rounding.
void expect_same_adam(const torch::optim::Optimizer& ours, const std::vector<torch::Tensor>& ours_params,
                      const torch::optim::Optimizer& theirs, const std::vector<torch::Tensor>& theirs_params,
                      const std::vector<torch::Tensor>& initial) {
  for (size_t i = 0; i < initial.size(); ++i) {
    const auto moved = ours_params[i].detach() - initial[i];
    EXPECT_FALSE(torch::equal(ours_params[i], initial[i])) << "parameter " << i << " did not move";
    EXPECT_LT(relative_difference(moved, theirs_params[i].detach() - initial[i]), 1e-5) << "parameter " << i;
    const auto& a = adam_state(ours, ours_params[i]);
    const auto& b = adam_state(theirs, theirs_params[i]);
    EXPECT_EQ(a.step(), b.step());
    EXPECT_LT(relative_difference(a.exp_avg(), b.exp_avg()), 1e-6) << "parameter " << i;
    EXPECT_LT(relative_difference(a.exp_avg_sq(), b.exp_avg_sq()), 1e-6) << "parameter " << i;
  }
}

TEST(AdamUpdate, OneElementByHand) {
  // t = 1, beta1 0.5, beta2 0.75 (exact in float), lr 0.01, g = 2: m = 0.5 * 2 = 1,
  // v = 0.25 * 4 = 1, sqrt(v) / sqrt(1 - 0.75) = 2, step size 0.01 / (1 - 0.5) = 0.02,
  // so p = 1 - 0.02 * 1 / 2 = 0.99.
  float p = 1.0f, m = 0.0f, v = 0.0f;
  const float g = 2.0f;
  AdamCoefficients c;
  c.beta1 = 0.5f;
  c.one_minus_beta1 = 0.5f;
  c.beta2 = 0.75f;
  c.one_minus_beta2 = 0.25f;
  c.sqrt_bias_correction2 = 0.5f;
  c.eps = 1e-8f;
  c.step_size = 0.02f;
  adam_update(&p, &m, &v, &g, 1, c);
  EXPECT_EQ(m, 1.0f);
  EXPECT_EQ(v, 1.0f);
  EXPECT_FLOAT_EQ(p, 0.99f);
  // The gradient scale applies before both moments: g = 2 * 0.5 = 1 on fresh state.
  p = 1.0f, m = 0.0f, v = 0.0f;
  c.grad_scale = 0.5f;
  adam_update(&p, &m, &v, &g, 1, c);
  EXPECT_EQ(m, 0.5f);
  EXPECT_EQ(v, 0.25f);
}

TEST(FusedAdam, FollowsLibTorchsAdamOverSteps) {
  const auto initial = make_parameters();
  for (const double eps : {1e-8, 0.05}) {  // a large eps checks where it is added
    auto ours = clones(initial);
    auto theirs = clones(initial);
    FusedAdam fused(ours, options().eps(eps));
    torch::optim::Adam reference(theirs, options().eps(eps));
    for (int step = 0; step < 6; ++step) {
      set_gradients(ours, step);
      set_gradients(theirs, step);
      fused.step();
      reference.step();
      EXPECT_TRUE(fused.last_step_fused());
    }
    SCOPED_TRACE("eps " + std::to_string(eps));
    expect_same_adam(fused, ours, reference, theirs, initial);
  }
}

TEST(FusedAdam, ResumesFromLibTorchsAdamState) {
  const auto initial = make_parameters();
  auto ours = clones(initial);
  auto theirs = clones(initial);
  torch::optim::Adam reference(theirs, options());
  torch::optim::Adam before(ours, options());
  for (int step = 0; step < 3; ++step) {
    set_gradients(ours, step);
    set_gradients(theirs, step);
    before.step();
    reference.step();
  }
  FusedAdam fused(ours, options());
  copy_state(before, fused);
  for (int step = 3; step < 5; ++step) {
    set_gradients(ours, step);
    set_gradients(theirs, step);
    fused.step();
    reference.step();
    EXPECT_TRUE(fused.last_step_fused());
  }
  expect_same_adam(fused, ours, reference, theirs, initial);
}

TEST(FusedAdam, ScaledStepEqualsAdamOnScaledGradients) {
  const auto initial = make_parameters();
  auto ours = clones(initial);
  auto theirs = clones(initial);
  FusedAdam fused(ours, options());
  torch::optim::Adam reference(theirs, options());
  for (int step = 0; step < 3; ++step) {
    set_gradients(ours, step);
    set_gradients(theirs, step);
    for (auto& p : theirs) p.mutable_grad().mul_(0.25);
    fused.step_scaled(0.25);
    reference.step();
    EXPECT_TRUE(fused.last_step_fused());
  }
  expect_same_adam(fused, ours, reference, theirs, initial);
}

TEST(FusedAdam, StateLoadsIntoLibTorchsAdamAndBack) {
  const auto initial = make_parameters();
  auto ours = clones(initial);
  FusedAdam fused(ours, options());
  for (int step = 0; step < 2; ++step) {
    set_gradients(ours, step);
    fused.step();
  }
  torch::optim::Adam plain(ours, options());
  copy_state(fused, plain);
  for (const auto& p : ours) {
    const auto& state = adam_state(plain, p);
    EXPECT_EQ(state.step(), 2);
    const auto& ours_state = adam_state(fused, p);
    EXPECT_TRUE(torch::equal(state.exp_avg(), ours_state.exp_avg()));
    EXPECT_TRUE(torch::equal(state.exp_avg_sq(), ours_state.exp_avg_sq()));
  }
}

TEST(FusedAdam, WeightDecayTakesLibTorchsPathExactlyScaledOrNot) {
  const auto initial = make_parameters();
  auto ours = clones(initial);
  auto theirs = clones(initial);
  FusedAdam fused(ours, options().weight_decay(0.01));
  torch::optim::Adam reference(theirs, options().weight_decay(0.01));
  for (int step = 0; step < 2; ++step) {
    set_gradients(ours, step);
    set_gradients(theirs, step);
    for (auto& p : theirs) p.mutable_grad().mul_(0.5);
    fused.step_scaled(0.5);
    reference.step();
    EXPECT_FALSE(fused.last_step_fused());
  }
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_TRUE(torch::equal(ours[i], theirs[i])) << "parameter " << i;
}

TEST(FusedAdam, ParametersWithoutAGradientAreSkippedAsLibTorchSkipsThem) {
  const auto initial = make_parameters();
  auto ours = clones(initial);
  auto theirs = clones(initial);
  FusedAdam fused(ours, options());
  torch::optim::Adam reference(theirs, options());
  for (int step = 0; step < 3; ++step) {
    set_gradients(ours, step);
    set_gradients(theirs, step);
    if (step == 1) {  // parameter 1 has no gradient in the second step
      ours[1].mutable_grad().reset();
      theirs[1].mutable_grad().reset();
    }
    fused.step();
    reference.step();
  }
  EXPECT_EQ(adam_state(fused, ours[1]).step(), 2);
  expect_same_adam(fused, ours, reference, theirs, initial);
}

TEST(FusedAdam, NonContiguousParametersTakeLibTorchsPath) {
  torch::manual_seed(4);
  const std::vector<torch::Tensor> initial = {torch::randn({6, 4}).t(), torch::randn({5})};
  auto ours = clones(initial);  // clone keeps the transposed strides
  ASSERT_FALSE(ours[0].is_contiguous());
  auto theirs = clones(initial);
  FusedAdam fused(ours, options());
  torch::optim::Adam reference(theirs, options());
  set_gradients(ours, 0);
  set_gradients(theirs, 0);
  fused.step();
  reference.step();
  EXPECT_FALSE(fused.last_step_fused());
  for (size_t i = 0; i < ours.size(); ++i) EXPECT_TRUE(torch::equal(ours[i], theirs[i])) << "parameter " << i;
}

TEST(FusedAdam, ClearGradientsLeavesThemUndefined) {
  auto params = clones(make_parameters());
  FusedAdam fused(params, options());
  set_gradients(params, 0);
  fused.clear_gradients();
  for (const auto& p : params) EXPECT_FALSE(p.grad().defined());
  fused.step();  // nothing to do, no error
}

TEST(ClipCoefficient, IsMaxNormOverTheTotalNormCappedAtOne) {
  auto a = torch::zeros({2}).requires_grad_(true);
  auto b = torch::zeros({1}).requires_grad_(true);
  a.mutable_grad() = torch::tensor({3.0f, 0.0f});
  b.mutable_grad() = torch::tensor({4.0f});
  double norm = 0.0;
  EXPECT_NEAR(clip_coefficient({a, b}, 1.0, &norm), 1.0 / (5.0 + 1e-6), 1e-12);
  EXPECT_NEAR(norm, 5.0, 1e-6);
  EXPECT_EQ(clip_coefficient({a, b}, 10.0), 1.0);
  // The same coefficient LibTorch's clip_grad_norm_ multiplies by.
  torch::nn::utils::clip_grad_norm_(std::vector<torch::Tensor>{a, b}, 1.0);
  EXPECT_NEAR(b.grad().item<double>(), 4.0 / 5.0, 1e-6);
}

}  // namespace
}  // namespace heed
