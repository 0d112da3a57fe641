// Two hypotheses carry the same attention: the same parts, shapes and weights.
#pragma once

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "decode/hypothesis.h"
#include "models/attention_maps.h"

namespace heed::testing {

inline void expect_same_attention(const Hypothesis& a, const Hypothesis& b, const std::string& what,
                                  double rtol = 1e-5, double atol = 1e-6) {
  ASSERT_EQ(a.attention.parts.size(), b.attention.parts.size()) << what;
  for (const auto& [part, weights] : a.attention.parts) {
    const auto& other = b.attention.at(part);
    ASSERT_EQ(weights.sizes(), other.sizes()) << what << " " << attention_part_name(part);
    EXPECT_TRUE(torch::allclose(weights, other, rtol, atol)) << what << " " << attention_part_name(part);
  }
}

}  // namespace heed::testing
