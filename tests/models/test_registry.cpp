// The registry's view of the models' declared hyperparameters: one spec per key, shared
// keys merged, every declared default a valid value.
#include <gtest/gtest.h>

#include <algorithm>

#include "models/registry.h"
#include "text/vocabulary.h"
#include "util/error.h"

namespace heed {
namespace {

const OptionSpec& spec_of(const std::vector<OptionSpec>& specs, const std::string& key) {
  const auto it = std::find_if(specs.begin(), specs.end(), [&](const OptionSpec& s) { return s.key == key; });
  if (it == specs.end()) throw Error("no spec " + key);
  return *it;
}

TEST(RegistryOptions, SharedKeysAreOneOptionNamingEveryModelThatUsesThem) {
  const auto specs = all_hyperparameters();
  EXPECT_EQ(spec_of(specs, "layers").used_by, (std::vector<std::string>{"gru-bahdanau", "transformer"}));
  EXPECT_EQ(spec_of(specs, "dropout").used_by, (std::vector<std::string>{"gru-bahdanau", "transformer"}));
  EXPECT_EQ(spec_of(specs, "hidden").used_by, (std::vector<std::string>{"gru-bahdanau"}));
  EXPECT_EQ(spec_of(specs, "tie_embeddings").used_by, (std::vector<std::string>{"transformer"}));
  for (size_t i = 0; i < specs.size(); ++i) {
    for (size_t j = i + 1; j < specs.size(); ++j) EXPECT_NE(specs[i].key, specs[j].key);
  }
}

TEST(RegistryOptions, DeclaredDefaultsBuildTheDefaultModel) {
  const ModelDims dims{Vocabulary::kNumSpecials + 3, Vocabulary::kNumSpecials + 5};
  for (const auto& entry : model_registry()) {
    nlohmann::json defaults = nlohmann::json::object();
    for (const auto& spec : entry.hyperparameters) defaults[spec.key] = spec.default_value;
    EXPECT_EQ(entry.build(defaults, dims)->hyperparameters(), entry.build({}, dims)->hyperparameters()) << entry.name;
    // config.json holds every declared key, so a stored model rebuilds exactly.
    const nlohmann::json stored = entry.build({}, dims)->hyperparameters();
    EXPECT_EQ(stored.size(), entry.hyperparameters.size()) << entry.name;
    EXPECT_EQ(entry.build(stored, dims)->hyperparameters(), stored) << entry.name;
  }
}

TEST(RegistryOptions, TransformerLayersSetBothStacksUnlessGivenApart) {
  const ModelDims dims{8, 8};
  const auto built = build_model("transformer", {{"layers", 2}, {"decoder_layers", 1}}, dims)->hyperparameters();
  EXPECT_EQ(built["encoder_layers"], 2);
  EXPECT_EQ(built["decoder_layers"], 1);
  try {
    build_model("transformer", {{"d_model", 30}, {"heads", 4}}, dims);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "--d-model (30) must be a multiple of --heads (4)");
  }
}

}  // namespace
}  // namespace heed
