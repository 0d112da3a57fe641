#include "model_dir/model_directory.h"

#include <caffe2/serialize/inline_container.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "support/temp_dir.h"
#include "support/tiny_models.h"
#include "util/error.h"

namespace heed {
namespace {

// Found by fuzz/fuzz_weights.cpp: a weights file whose TorchScript code is damaged made
// LibTorch's script parser throw std::runtime_error, which load_weights let through
// instead of the heed::Error naming the file.
TEST(LoadWeights, DamagedCodeInTheArchiveIsAnErrorNamingTheFile) {
  testing::TempDir dir("heed_load_weights");
  const ModelPtr model = testing::tiny_model("gru-bahdanau");
  const std::string good = dir / "good.pt";
  save_weights(*model, good);

  // The same archive with its first TorchScript source file replaced by text that does
  // not parse.
  const std::string bad = dir / "bad.pt";
  {
    caffe2::serialize::PyTorchStreamReader reader(good);
    caffe2::serialize::PyTorchStreamWriter writer(bad);
    bool damaged = false;
    for (const std::string& name : reader.getAllRecords()) {
      if (!damaged && name.rfind("code/", 0) == 0 && name.size() > 3 && name.substr(name.size() - 3) == ".py") {
        const std::string garbage = "class \xff\xff\xff(\n";
        writer.writeRecord(name, garbage.data(), garbage.size());
        damaged = true;
        continue;
      }
      if (name == "version" || name == ".data/version") continue;  // the writer writes its own
      const auto [data, size] = reader.getRecord(name);
      writer.writeRecord(name, data.get(), size);
    }
    ASSERT_TRUE(damaged);
    writer.writeEndOfFile();
  }

  const ModelPtr other = testing::tiny_model("gru-bahdanau");
  try {
    load_weights(*other, bad, torch::kCPU);
    ADD_FAILURE() << "the damaged file loaded";
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_EQ(message.rfind(bad + ": not a weights file of this model", 0), 0u) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;  // one line
  }
  load_weights(*other, good, torch::kCPU);  // the undamaged file still loads
}

// Found by fuzz/fuzz_model_json.cpp: format_version was read with nlohmann's get<int>(),
// undefined behaviour for a number like 1e300.
TEST(ModelDirectoryConfigJson, FormatVersionMustBeAnInteger) {
  nlohmann::json json = ModelDirectoryConfig{"gru-bahdanau", nlohmann::json::object(), {}, {}, {}, {}}.to_json();
  EXPECT_EQ(ModelDirectoryConfig::from_json(json, "config.json").to_json(), json);
  json["format_version"] = 1e300;
  try {
    ModelDirectoryConfig::from_json(json, "config.json");
    ADD_FAILURE() << "read";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "config.json: format_version must be an integer (got 1e+300)");
  }
}

}  // namespace
}  // namespace heed
