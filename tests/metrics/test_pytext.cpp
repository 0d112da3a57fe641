// Python str semantics for the metrics: expectations printed by CPython 3.11's str.lower().
#include <gtest/gtest.h>

#include "metrics/pytext.h"

namespace heed {
namespace {

// Capital sigma is final (ς) after a cased letter, skipping case-ignorable code points,
// unless a cased letter follows (again skipping them), in every plane.
TEST(PythonLower, FinalSigmaSkipsCaseIgnorablesInEveryPlane) {
  EXPECT_EQ(pytext::lower("ΑΣ"), "ας");
  EXPECT_EQ(pytext::lower("ΣΑ"), "σα");
  EXPECT_EQ(pytext::lower("ΑΣ\uFF0EΒ"), "ασ\uFF0Eβ");            // fullwidth full stop
  EXPECT_EQ(pytext::lower("Α\uFE0FΣ"), "α\uFE0Fς");              // variation selector
  EXPECT_EQ(pytext::lower("Α\u3005Σ"), "α\u3005ς");              // ideographic iteration mark
  EXPECT_EQ(pytext::lower("Α\U0001F3FBΣ"), "α\U0001F3FBς");      // emoji skin-tone modifier
  EXPECT_EQ(pytext::lower("ΑΣ\U000E0001Β"), "ασ\U000E0001β");    // language tag
  EXPECT_EQ(pytext::lower("Α\U0001F600Σ"), "α\U0001F600σ");      // an emoji is neither
}

}  // namespace
}  // namespace heed
