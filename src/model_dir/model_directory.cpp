#include "model_dir/model_directory.h"

#include <torch/serialize.h>

#include <filesystem>
#include <sstream>

#include "models/registry.h"
#include "text/vocabularies.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace heed {

namespace model_files {
std::string config(const std::string& dir) { return dir + "/config.json"; }
std::string source_vocab(const std::string& dir) { return vocab_files::source_vocab(dir); }
std::string target_vocab(const std::string& dir) { return vocab_files::target_vocab(dir); }
std::string best_weights(const std::string& dir) { return dir + "/model.best.pt"; }
std::string last_weights(const std::string& dir) { return dir + "/model.last.pt"; }
std::string averaged_weights(const std::string& dir) { return dir + "/model.avg.pt"; }
std::string optimizer(const std::string& dir) { return dir + "/optimizer.pt"; }
std::string rng(const std::string& dir) { return dir + "/rng.pt"; }
std::string progress(const std::string& dir) { return dir + "/progress.json"; }
std::string train_log(const std::string& dir) { return dir + "/train_log.csv"; }
std::string checkpoint(const std::string& dir, int64_t step) {
  return dir + "/checkpoints/step-" + std::to_string(step) + ".pt";
}
}  // namespace model_files


nlohmann::json ModelDirectoryConfig::to_json() const {
  return {{"format_version", kModelFormatVersion},
          {"heed_version", HEED_VERSION},
          {"model", model},
          {"hyperparameters", hyperparameters},
          {"source", tokenizer_config_json(source_tokenizer)},
          {"target", tokenizer_config_json(target_tokenizer)},
          {"training", training}};
}

ModelDirectoryConfig ModelDirectoryConfig::from_json(const nlohmann::json& json,
                                                     const std::string& origin) {
  try {
    const int version = json.at("format_version").get<int>();
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
  write_atomically(path, [&](std::ostream& out) { archive.save_to(out); });
}

void load_weights(torch::nn::Module& module, const std::string& path, const torch::Device& device) {
  if (!std::filesystem::exists(path)) throw Error("cannot open " + path);
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path, device);
    module.load(archive);
  } catch (const c10::Error& e) {
    throw Error(path + ": corrupt or incompatible weights file: " + e.what_without_backtrace());
  }
}

LoadedModel load_model_directory(const std::string& dir, WhichWeights which,
                                 const torch::Device& device) {
  if (!std::filesystem::is_directory(dir)) {
    throw Error(dir + " is not a heed model directory (no such directory)");
  }
  const std::string config_path = model_files::config(dir);
  if (!std::filesystem::exists(config_path)) {
    throw Error(dir + " is not a heed model directory (missing config.json)");
  }
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
  loaded.model = build_model(loaded.config.model, loaded.config.hyperparameters, dims);
  std::string weights =
      which == WhichWeights::Best ? model_files::best_weights(dir) : model_files::last_weights(dir);
  if (which == WhichWeights::Best && !std::filesystem::exists(weights)) {
    weights = model_files::last_weights(dir);  // trained without validation yet
  }
  load_weights(*loaded.model, weights, device);
  loaded.model->to(device);
  loaded.model->eval();
  return loaded;
}

}  // namespace heed
