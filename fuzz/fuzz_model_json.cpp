// The JSON and CSV files of a model directory, from arbitrary bytes:
//   MANIFEST.json   model_dir/manifest.h (Manifest::from_json, read_manifest)
//   config.json     model_dir/model_directory.h (ModelDirectoryConfig::from_json), then
//                   its hyperparameters read into the named model's Config (as
//                   build_model does, without building) and its training options into
//                   TrainOptions (as --resume does)
//   progress.json   train/training_state.h (TrainingState::from_json)
//   train_log.csv   model_dir/train_log.h (read_training_log)
// The first byte picks: 0 parse the rest as JSON and give it to every JSON reader;
// 1 the rest is MANIFEST.json of a directory; 2 the rest is train_log.csv.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "model_dir/manifest.h"
#include "model_dir/model_directory.h"
#include "model_dir/train_log.h"
#include "models/gru_bahdanau.h"
#include "models/registry.h"
#include "models/transformer.h"
#include "train/train_options.h"
#include "train/training_state.h"
#include "util/error.h"
#include "util/options.h"

namespace {

using heed::fuzz::Scratch;
using heed::fuzz::shown;

// Every declared number of `config` lies in its declared range (util/options.h): what
// the readers promise ("--hidden must be an integer >= 1").
template <class Config>
void check_in_range(Config config, const std::string& context) {
  const nlohmann::json values = heed::options_to_json(config);
  for (const heed::OptionSpec& spec : heed::option_specs<Config>()) {
    if (spec.type != heed::OptionType::Integer && spec.type != heed::OptionType::Real) continue;
    const nlohmann::json& value = values.at(spec.key);
    const double number = value.get<double>();
    const bool above_min = spec.range.min_exclusive ? number > spec.range.min : number >= spec.range.min;
    FUZZ_CHECK(above_min && number <= spec.range.max && !std::isnan(number),
               context + ": " + spec.key + " = " + value.dump());
  }
}

template <class Model>
void read_hyperparameters(const nlohmann::json& hyperparameters, const std::string& context) {
  typename Model::Config config;
  heed::set_options(config, hyperparameters, heed::hyperparameter_not_applicable, Model::kName);
  config.finish();
  check_in_range(config, context);
}

void check_manifest(const nlohmann::json& json, const std::string& context) {
  const heed::Manifest manifest = heed::Manifest::from_json(json, "MANIFEST.json");
  FUZZ_CHECK(manifest.format_version == heed::kManifestFormatVersion, context);
  FUZZ_CHECK(manifest.generation >= 1 && manifest.step >= 0, context);
  for (const auto& [role, entry] : manifest.files) {
    // "inside the directory, no way out of it"
    FUZZ_CHECK(!entry.file.empty() && entry.file[0] != '/', context);
    for (const auto& part : std::filesystem::path(entry.file)) FUZZ_CHECK(part != "..", context);
  }
  // What was read writes back the same.
  const heed::Manifest again =
      heed::Manifest::from_json(nlohmann::json::parse(manifest.to_json().dump()), "MANIFEST.json");
  FUZZ_CHECK(again.to_json() == manifest.to_json(), context);
}

void check_config(const nlohmann::json& json, const std::string& context) {
  const heed::ModelDirectoryConfig config = heed::ModelDirectoryConfig::from_json(json, "config.json");
  const heed::ModelDirectoryConfig again = heed::ModelDirectoryConfig::from_json(config.to_json(), "config.json");
  FUZZ_CHECK(again.to_json() == config.to_json(), context);
  try {
    if (config.model == heed::GruBahdanau::kName) read_hyperparameters<heed::GruBahdanau>(config.hyperparameters, context);
    if (config.model == heed::Transformer::kName) read_hyperparameters<heed::Transformer>(config.hyperparameters, context);
  } catch (const heed::Error&) {
  }
  heed::TrainOptions options;
  options.set_from_json(config.training);
  check_in_range(options, context);
}

void check_progress(const nlohmann::json& json, const std::string& context) {
  const heed::TrainingState state = heed::TrainingState::from_json(json, "progress.json");
  const nlohmann::json written = state.to_json();
  FUZZ_CHECK(heed::TrainingState::from_json(written, "progress.json").to_json() == written, context);
}

void check_json(std::string_view bytes) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(bytes);
  } catch (const nlohmann::json::exception&) {
    return;  // the readers turn this into heed::Error naming the file
  }
  const std::string context = shown(bytes);
  try {
    check_manifest(json, context);
  } catch (const heed::Error&) {
  }
  try {
    check_config(json, context);
  } catch (const heed::Error&) {
  }
  try {
    check_progress(json, context);
  } catch (const heed::Error&) {
  }
}

void check_manifest_file(std::string_view bytes) {
  const Scratch& scratch = Scratch::get();
  static const bool made = [&] {
    std::filesystem::create_directories(scratch.path("model"));
    return true;
  }();
  (void)made;
  scratch.write("model/MANIFEST.json", bytes);
  const std::optional<heed::Manifest> manifest = heed::read_manifest(scratch.path("model"));
  FUZZ_CHECK(manifest.has_value(), shown(bytes));
}

void check_train_log(std::string_view bytes) {
  const Scratch& scratch = Scratch::get();
  const std::string path = scratch.write("train_log.csv", bytes);
  const std::vector<heed::TrainingLogRow> rows = heed::read_training_log(path);
  // What was read writes back and reads back the same (numbers as written: fixed decimals).
  const std::string written = heed::format_training_log(rows);
  const std::string again_path = scratch.write("train_log.again.csv", written);
  const std::vector<heed::TrainingLogRow> again = heed::read_training_log(again_path);
  FUZZ_CHECK(again.size() == rows.size(), shown(bytes));
  FUZZ_CHECK(heed::format_training_log(again) == written, shown(bytes) + " -> " + shown(written));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    switch (data[0] % 3) {
      case 0: check_json(bytes); break;
      case 1: check_manifest_file(bytes); break;
      default: check_train_log(bytes); break;
    }
  } catch (const heed::Error&) {
  }
  return 0;
}
