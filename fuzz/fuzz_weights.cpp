// Weights files (model_dir/model_directory.h load_weights: weights.G.pt, model.best.pt)
// from arbitrary bytes, into tiny models built through the registry.
//
// The first byte picks the model (even: gru-bahdanau, odd: transformer); the rest is
// the file. A file that loads must give the model every tensor in the shape and type
// the model was built with (load_weights' promise).
//
// A weights file is a LibTorch archive (a zip): the pickled module (data.pkl), the
// tensors (data/N) and the module's TorchScript code (code/...), which LibTorch parses
// and compiles on every load. LibTorch 1.13's TorchScript importer crashes on some
// damaged code (a SEGV in ScriptTypeParser::parseClassConstant; see scripts/fuzz.sh's
// report), which heed cannot prevent short of a format without code. So by default the
// target keeps the code: of the fuzzed archive it takes data.pkl and the tensors, and
// the rest from the model's own archive. HEED_FUZZ_WEIGHTS_RAW=1 loads the fuzzed
// bytes as they are (LibTorch's own parsing and importing included).
// HEED_FUZZ_WRITE_SEEDS=DIR writes the tiny models' own weights to DIR and exits.
#include <caffe2/serialize/inline_container.h>
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

const bool kRaw = [] {
  const char* raw = std::getenv("HEED_FUZZ_WEIGHTS_RAW");
  return raw != nullptr && std::string(raw) == "1";
}();

// The model's own archive, saved once.
const std::string& own_archive(bool transformer) {
  static const std::string paths[2] = {
      [] {
        const std::string path = Scratch::get().path("own-gru-bahdanau.pt");
        heed::save_weights(*tiny_model(false), path);
        return path;
      }(),
      [] {
        const std::string path = Scratch::get().path("own-transformer.pt");
        heed::save_weights(*tiny_model(true), path);
        return path;
      }(),
  };
  return paths[transformer ? 1 : 0];
}

bool is_module_data(const std::string& record) { return record == "data.pkl" || record.rfind("data/", 0) == 0; }

// data.pkl and the tensors of `fuzzed`, the code and the rest of the model's own archive,
// written to a new archive; false when `fuzzed` is no archive LibTorch can read.
bool keep_own_code(const std::string& fuzzed, bool transformer, const std::string& out) {
  try {
    caffe2::serialize::PyTorchStreamReader from_fuzzed(fuzzed);
    caffe2::serialize::PyTorchStreamReader own(own_archive(transformer));
    caffe2::serialize::PyTorchStreamWriter writer(out);
    for (const std::string& name : own.getAllRecords()) {
      if (is_module_data(name) || name == "version" || name == ".data/version") continue;
      const auto [data, size] = own.getRecord(name);
      writer.writeRecord(name, data.get(), size);
    }
    for (const std::string& name : from_fuzzed.getAllRecords()) {
      if (!is_module_data(name)) continue;
      const auto [data, size] = from_fuzzed.getRecord(name);
      writer.writeRecord(name, data.get(), size);
    }
    writer.writeEndOfFile();
    return true;
  } catch (const c10::Error&) {
    return false;
  }
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
  std::string file = path;
  if (!kRaw) {
    file = Scratch::get().path("weights-own-code.pt");
    if (!keep_own_code(path, transformer, file)) return 0;  // no archive: nothing of heed's to test
  }
  const heed::ModelPtr model = tiny_model(transformer);
  const auto expected = shapes(*model);
  try {
    heed::load_weights(*model, file, torch::kCPU);
  } catch (const heed::Error&) {
    return 0;
  }
  FUZZ_CHECK(shapes(*model) == expected, "a file that loaded changed a tensor's shape or type");
  return 0;
}
