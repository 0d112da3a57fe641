// Weights files (model_dir/model_directory.h load_weights: weights.G.pt, model.best.pt)
// from arbitrary bytes, into tiny models built through the registry.
//
// The first byte picks the model (even: gru-bahdanau, odd: transformer); the rest is
// the file. A file that loads must give the model every tensor in the shape and type
// the model was built with (load_weights' promise).
// HEED_FUZZ_WRITE_SEEDS=DIR writes the tiny models' own weights to DIR and exits.
#include <torch/torch.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>
#include <string>
#include <string_view>

#include "fuzz_support.h"
#include "model_dir/model_directory.h"
#include "models/registry.h"
#include "util/error.h"

namespace {

using heed::fuzz::Scratch;

// The hyperparameters of tests/support/tiny_models.h, smaller still: one layer.
heed::ModelPtr tiny_model(bool transformer) {
  torch::manual_seed(7);
  const nlohmann::json hyperparameters =
      transformer ? nlohmann::json{{"d_model", 8}, {"heads", 2}, {"layers", 1}, {"ff", 12}, {"dropout", 0.1}}
                  : nlohmann::json{{"emb", 6}, {"hidden", 8}, {"attention_size", 5}, {"layers", 1}, {"dropout", 0.1}};
  auto model = heed::build_model(transformer ? "transformer" : "gru-bahdanau", hyperparameters, {9, 7});
  model->eval();
  return model;
}

std::map<std::string, std::pair<std::vector<int64_t>, c10::ScalarType>> shapes(const torch::nn::Module& module) {
  std::map<std::string, std::pair<std::vector<int64_t>, c10::ScalarType>> out;
  for (const auto& item : module.named_parameters()) out[item.key()] = {item.value().sizes().vec(), item.value().scalar_type()};
  for (const auto& item : module.named_buffers()) out[item.key()] = {item.value().sizes().vec(), item.value().scalar_type()};
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  torch::set_num_threads(1);
  if (const char* dir = std::getenv("HEED_FUZZ_WRITE_SEEDS")) {
    for (const bool transformer : {false, true}) {
      const std::string path = std::string(dir) + (transformer ? "/transformer.pt" : "/gru-bahdanau.pt");
      heed::save_weights(*tiny_model(transformer), path);
      // The seed: the model byte, then the file.
      std::ifstream in(path, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      in.close();
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << (transformer ? '\1' : '\0') << bytes;
    }
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool transformer = (data[0] & 1) != 0;
  const std::string path =
      Scratch::get().write("weights.pt", std::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  const heed::ModelPtr model = tiny_model(transformer);
  const auto expected = shapes(*model);
  try {
    heed::load_weights(*model, path, torch::kCPU);
  } catch (const heed::Error&) {
    return 0;
  }
  FUZZ_CHECK(shapes(*model) == expected, "a file that loaded changed a tensor's shape or type");
  return 0;
}
