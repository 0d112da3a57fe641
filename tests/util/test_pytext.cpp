// Python str semantics for the metrics: expectations printed by CPython 3.11's str.lower().
#include <gtest/gtest.h>

#include "util/pytext.h"

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

// heed's one lowercaser (text normalisation's --lowercase and sacreBLEU's -lc).
TEST(PytextLower, LatinGreekCyrillic) {
  EXPECT_EQ(pytext::lower("Hello, WORLD 42!"), "hello, world 42!");
  EXPECT_EQ(pytext::lower("ÇA COÛTE ÉTÉ ÀÖØÞ"), "ça coûte été àöøþ");
  EXPECT_EQ(pytext::lower("×ß"), "×ß");  // multiplication sign and sharp s unchanged
  EXPECT_EQ(pytext::lower("ŁÓDŹ ŻÓŁW ČŠŽ Ő Ÿ"), "łódź żółw čšž ő ÿ");
  EXPECT_EQ(pytext::lower("İ"), "i\xCC\x87");  // i + combining dot above, as Python
  EXPECT_EQ(pytext::lower("ĳ ı"), "ĳ ı");  // already lowercase
  EXPECT_EQ(pytext::lower("ΑΘΗΝΑ Ά Έ Ό Ώ"), "αθηνα ά έ ό ώ");
  EXPECT_EQ(pytext::lower("МОСКВА ЁЖ Ї Ґ"), "москва ёж ї ґ");
}

TEST(PytextLower, OtherScriptsAndInvalidBytes) {
  EXPECT_EQ(pytext::lower("日本語 € ✓"), "日本語 € ✓");
  EXPECT_EQ(pytext::lower("ԱՐԱՄ"), "արամ");  // Armenian
  EXPECT_EQ(pytext::lower("A\xFF" "B"), "a\xFF" "b");  // an invalid byte passes through
}

}  // namespace
}  // namespace heed
