#include "model_dir/model_directory.h"

#include <torch/serialize.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <vector>

#include "models/registry.h"
#include "text/vocabularies.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/options.h"
#include "util/strings.h"

namespace heed {

namespace fs = std::filesystem;

namespace model_files {
std::string config(const std::string& dir) { return dir + "/config.json"; }
std::string train_log_copy(const std::string& dir) { return dir + "/train_log.csv"; }
}  // namespace model_files

namespace {

// The description files a model directory has under fixed names, by role.
std::vector<std::pair<std::string, std::string>> description_files(const std::string& dir) {
  return {{roles::kConfig, model_files::config(dir)},
          {roles::kSourceVocab, vocab_files::source_vocab(dir)},
          {roles::kTargetVocab, vocab_files::target_vocab(dir)},
          {roles::kSourceSentencePiece, vocab_files::source_sentencepiece(dir)},
          {roles::kTargetSentencePiece, vocab_files::target_sentencepiece(dir)}};
}

// Format 1 kept its training state under these fixed names.
const std::vector<std::pair<std::string, std::string>>& format1_state_files() {
  static const std::vector<std::pair<std::string, std::string>> files = {
      {roles::kWeightsLast, "model.last.pt"}, {roles::kWeightsBest, "model.best.pt"},
      {roles::kWeightsAveraged, "model.avg.pt"}, {roles::kOptimizer, "optimizer.pt"},
      {roles::kRng, "rng.pt"}, {roles::kProgress, "progress.json"}, {roles::kTrainLog, "train_log.csv"}};
  return files;
}

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// A manifest for a format-1 directory, of the files that are there. Its entries carry
// no checksum worth checking (nothing recorded one); model_file skips the check.
Manifest format1_manifest(const std::string& dir) {
  Manifest manifest;
  manifest.format_version = 1;
  auto add = [&](const std::string& role, const std::string& file) {
    if (exists(dir + "/" + file)) manifest.files[role] = ManifestEntry{file, 0, 0};
  };
  for (const auto& [role, path] : description_files(dir)) add(role, fs::path(path).filename().string());
  for (const auto& [role, file] : format1_state_files()) add(role, file);
  std::error_code ec;
  if (fs::is_directory(dir + "/checkpoints", ec)) {
    for (const auto& item : fs::directory_iterator(dir + "/checkpoints", ec)) {
      const std::string name = item.path().filename().string();
      int64_t step = 0;
      if (std::sscanf(name.c_str(), "step-%ld.pt", &step) == 1 && name == "step-" + std::to_string(step) + ".pt") {
        add(roles::checkpoint(step), "checkpoints/" + name);
      }
    }
  }
  return manifest;
}

// The highest save number among the files of `dir` ("weights.14.pt": 14); 0 when none.
int64_t highest_saved_generation(const std::string& dir) {
  int64_t highest = 0;
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(dir, ec)) {
    const std::string name = item.path().filename().string();
    if (!is_state_file_name(name)) continue;
    const size_t first = name.find('.'), second = name.find('.', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    const std::string number = name.substr(first + 1, second - first - 1);
    if (!number.empty() && number.find_first_not_of("0123456789") == std::string::npos && number.size() < 18) {
      highest = std::max<int64_t>(highest, std::stoll(number));
    }
  }
  return highest;
}

}  // namespace

Manifest directory_manifest(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error(dir + " is not a heed model directory (no such directory)");
  if (std::optional<Manifest> manifest = read_manifest(dir)) return *manifest;
  if (!exists(model_files::config(dir))) throw Error(dir + " is not a heed model directory (no MANIFEST.json or config.json)");
  Manifest manifest = format1_manifest(dir);
  if (!manifest.has(roles::kWeightsLast) && !manifest.has(roles::kWeightsBest)) {
    // Files of the second save or later: saves completed, and the manifest was lost.
    if (highest_saved_generation(dir) > 1) {
      throw Error(manifest_path(dir) + " is missing, though " + dir + " holds saved files: without it they "
                  "cannot be trusted (was the directory copied in part?)");
    }
    throw Error(dir + " holds no saved model: its training stopped before the first save completed "
                "(train into it again with heed train --out " + dir + ")");
  }
  return manifest;
}

bool holds_saved_model(const std::string& dir) {
  return exists(manifest_path(dir)) || highest_saved_generation(dir) > 1 ||
         (exists(model_files::config(dir)) && (exists(dir + "/model.last.pt") || exists(dir + "/model.best.pt")));
}

std::string model_file(const std::string& dir, const Manifest& manifest, const std::string& role) {
  const ManifestEntry& entry = manifest.at(role, dir);
  if (manifest.format_version >= 2) return verified_path(dir, entry);
  const std::string path = dir + "/" + entry.file;
  if (!exists(path)) throw Error("cannot open " + path);
  return path;
}

void add_description_files(SaveTransaction& save, const std::string& dir) {
  for (const auto& [role, path] : description_files(dir)) {
    if (exists(path)) save.add(role, path);
  }
}


nlohmann::json ModelDirectoryConfig::to_json() const {
  return {{"format_version", kModelFormatVersion},
          {"heed_version", HEED_VERSION},
          {"model", model},
          {"hyperparameters", hyperparameters},
          {"source", tokenizer_config_json(source_tokenizer)},
          {"target", tokenizer_config_json(target_tokenizer)},
          {"training", training},
          {"examples", examples}};
}

ModelDirectoryConfig ModelDirectoryConfig::from_json(const nlohmann::json& json,
                                                     const std::string& origin) {
  try {
    const int64_t version = json_integer(json.at("format_version"), origin + ": format_version");
    if (version > kModelFormatVersion) {
      throw Error(origin + ": model format version " + std::to_string(version) +
                  " is newer than this heed understands (" +
                  std::to_string(kModelFormatVersion) + ")");
    }
    ModelDirectoryConfig config;
    config.model = json.at("model").get<std::string>();
    config.hyperparameters = json.at("hyperparameters");
    config.source_tokenizer = tokenizer_config_from_json(json.at("source"));
    config.target_tokenizer = tokenizer_config_from_json(json.at("target"));
    config.training = json.value("training", nlohmann::json::object());
    if (json.contains("examples")) config.examples = json.at("examples").get<std::vector<std::string>>();
    return config;
  } catch (const nlohmann::json::exception& e) {
    throw Error(origin + ": invalid model configuration: " + e.what());
  }
}

void save_config(const std::string& dir, const ModelDirectoryConfig& config) {
  write_file_atomically(model_files::config(dir), config.to_json().dump(2) + "\n");
}

void save_text_files(const std::string& dir, const LoadedModel& model) {
  save_vocabulary_files(dir, model.source_vocab, model.target_vocab, *model.source_tokenizer, *model.target_tokenizer);
}

void save_weights(const torch::nn::Module& module, const std::string& path) {
  torch::serialize::OutputArchive archive;
  module.save(archive);
  // Serialised in memory, so that a full disk is one write error, not a failure inside
  // LibTorch's zip writer.
  std::string bytes;
  archive.save_to([&](const void* data, size_t size) {
    bytes.append(static_cast<const char*>(data), size);
    return size;
  });
  write_file_atomically(path, bytes);
}

namespace {

struct TensorShape {
  std::vector<int64_t> sizes;
  c10::ScalarType type;
};

std::map<std::string, TensorShape> tensor_shapes(const torch::nn::Module& module) {
  std::map<std::string, TensorShape> shapes;
  for (const auto& item : module.named_parameters()) shapes[item.key()] = {item.value().sizes().vec(), item.value().scalar_type()};
  for (const auto& item : module.named_buffers()) shapes[item.key()] = {item.value().sizes().vec(), item.value().scalar_type()};
  return shapes;
}

std::string shape_text(const std::vector<int64_t>& sizes) {
  std::string text = "[";
  for (size_t i = 0; i < sizes.size(); ++i) text += (i > 0 ? ", " : "") + std::to_string(sizes[i]);
  return text + "]";
}

}  // namespace

void load_weights(torch::nn::Module& module, const std::string& path, const torch::Device& device) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error("cannot open " + path);
  if (!fs::is_regular_file(path, ec)) throw Error("cannot load " + path + ": not a regular file");
  // LibTorch replaces each tensor by the one in the file whatever its shape; the shapes
  // the configuration builds are checked afterwards, so that weights of another
  // configuration are an error here rather than a crash or nonsense later.
  const auto expected = tensor_shapes(module);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    module.load(archive);
  } catch (const c10::Error& e) {
    throw Error(path + ": not a weights file of this model (corrupt, truncated or of another model): " +
                e.what_without_backtrace());
  } catch (const std::exception& e) {
    // Damaged TorchScript code inside the archive fails in LibTorch's script parser,
    // which throws std::runtime_error, not c10::Error (its message quotes the code on
    // further lines: the first says what is wrong).
    throw Error(path + ": not a weights file of this model (corrupt, truncated or of another model): " +
                std::string(first_line(e.what())));
  }
  for (const auto& [name, loaded] : tensor_shapes(module)) {
    const TensorShape& want = expected.at(name);
    if (loaded.sizes != want.sizes || loaded.type != want.type) {
      throw Error(path + ": tensor " + name + " is " + shape_text(loaded.sizes) + " " + c10::toString(loaded.type) +
                  ", the model that config.json and the vocabularies describe needs " + shape_text(want.sizes) +
                  " " + c10::toString(want.type));
    }
  }
}

namespace {

// The model that config.json and the vocabulary files of `dir` describe, with fresh
// weights. The files are not checked against a manifest here.
LoadedModel describe_model(const std::string& dir, const std::string& config_path) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file(config_path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(config_path + ": not valid JSON: " + e.what());
  }
  LoadedModel loaded;
  loaded.config = ModelDirectoryConfig::from_json(json, config_path);
  Vocabularies text = load_vocabularies(dir, loaded.config.source_tokenizer, loaded.config.target_tokenizer);
  loaded.source_vocab = std::move(text.source);
  loaded.target_vocab = std::move(text.target);
  loaded.source_tokenizer = std::move(text.source_tokenizer);
  loaded.target_tokenizer = std::move(text.target_tokenizer);
  const ModelDims dims{loaded.source_vocab.size(), loaded.target_vocab.size()};
  try {
    loaded.model = build_model(loaded.config.model, loaded.config.hyperparameters, dims);
  } catch (const Error& e) {
    throw Error(config_path + ": " + e.what());
  }
  return loaded;
}

LoadedModel load_saved_model(const std::string& dir, const Manifest& manifest, WhichWeights which,
                             const torch::Device& device) {
  const std::string config_path = model_file(dir, manifest, roles::kConfig);
  for (const char* role : {roles::kSourceVocab, roles::kTargetVocab, roles::kSourceSentencePiece,
                           roles::kTargetSentencePiece}) {
    if (manifest.has(role)) model_file(dir, manifest, role);
  }
  LoadedModel loaded = describe_model(dir, config_path);
  // A directory trained without validation has no separate best weights.
  const char* role = which == WhichWeights::Best && manifest.has(roles::kWeightsBest) ? roles::kWeightsBest
                                                                                       : roles::kWeightsLast;
  load_weights(*loaded.model, model_file(dir, manifest, role), device);
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace

LoadedModel load_model_directory(const std::string& dir, WhichWeights which, const torch::Device& device) {
  for (int attempt = 0;; ++attempt) {
    const Manifest manifest = directory_manifest(dir);
    try {
      return load_saved_model(dir, manifest, which, device);
    } catch (const Error&) {
      // A training run may have committed a newer save, and removed this one's files,
      // while they were read: read the new manifest and try again.
      const std::optional<Manifest> now = manifest.format_version >= 2 ? read_manifest(dir) : std::nullopt;
      if (attempt < 3 && now && now->generation != manifest.generation) continue;
      throw;
    }
  }
}

}  // namespace heed

namespace heed {

namespace {

// A directory of its own under the system's temporary directory, removed at the end.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (fs::temp_directory_path() / "heed-model-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw Error("cannot create a temporary directory in " + fs::temp_directory_path().string());
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

std::string pack_model_description(const LoadedModel& model) {
  TemporaryDirectory dir;
  save_config(dir.path(), model.config);
  save_text_files(dir.path(), model);
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  std::string packed;
  for (const auto& name : names) {
    const std::string bytes = read_file(dir.path() + "/" + name);
    packed += name + "\n" + std::to_string(bytes.size()) + "\n" + bytes;
  }
  return packed;
}

LoadedModel unpack_model_description(const std::string& bytes, const torch::Device& device) {
  TemporaryDirectory dir;
  for (size_t at = 0; at < bytes.size();) {
    const size_t name_end = bytes.find('\n', at);
    const size_t size_end = name_end == std::string::npos ? name_end : bytes.find('\n', name_end + 1);
    if (size_end == std::string::npos) throw Error("a model description from another process is truncated");
    const std::string name = bytes.substr(at, name_end - at);
    const size_t size = std::stoull(bytes.substr(name_end + 1, size_end - name_end - 1));
    if (name.empty() || name.find('/') != std::string::npos || size > bytes.size() - size_end - 1) {
      throw Error("a model description from another process is malformed");
    }
    write_file_atomically(dir.path() + "/" + name, bytes.substr(size_end + 1, size));
    at = size_end + 1 + size;
  }
  LoadedModel loaded = describe_model(dir.path(), model_files::config(dir.path()));
  loaded.model->to(device);
  return loaded;
}

}  // namespace heed
