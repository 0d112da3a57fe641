#include "train/training_state.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/serialize.h>

#include <filesystem>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/options.h"

namespace heed {

bool TrainingState::record_validation(double score, double loss) {
  const bool improved = !has_best || score > best_score;
  if (improved) {
    has_best = true;
    best_score = score;
    best_loss = loss;
    bad_validations = 0;
  } else {
    bad_validations += 1;
  }
  return improved;
}

nlohmann::json TrainingState::to_json() const {
  nlohmann::json json = {{"step", step},
                         {"epoch", epoch},
                         {"next_batch", next_batch},
                         {"validated_step", validated_step},
                         {"has_best", has_best},
                         {"best_score", best_score},
                         {"best_loss", std::isfinite(best_loss) ? nlohmann::json(best_loss) : nlohmann::json()},
                         {"bad_validations", bad_validations},
                         {"elapsed_s", elapsed_s},
                         {"lr_scale", plateau.scale},
                         {"lr_bad_validations", plateau.bad_validations},
                         {"checkpoints", checkpoints}};
  if (!averaged.is_null()) json["averaged"] = averaged;
  return json;
}

TrainingState TrainingState::from_json(const nlohmann::json& json, const std::string& origin) {
  try {
    TrainingState s;
    const auto integer = [&](const char* key) { return json_integer(json.at(key), origin + ": " + key); };
    s.step = integer("step");
    s.epoch = integer("epoch");
    s.next_batch = integer("next_batch");
    // Saves from before the field: the trainer then reads it off the log.
    if (json.contains("validated_step")) s.validated_step = integer("validated_step");
    s.has_best = json.at("has_best").get<bool>();
    s.best_score = json.at("best_score").get<double>();
    s.bad_validations = integer("bad_validations");
    s.elapsed_s = json.at("elapsed_s").get<double>();
    s.plateau.scale = json.value("lr_scale", 1.0);
    if (json.contains("lr_bad_validations")) s.plateau.bad_validations = integer("lr_bad_validations");
    if (json.contains("checkpoints")) {
      for (const auto& step : json.at("checkpoints").get<std::vector<nlohmann::json>>()) {
        s.checkpoints.push_back(json_integer(step, origin + ": checkpoints"));
      }
    }
    if (json.contains("best_loss") && json["best_loss"].is_number()) s.best_loss = json["best_loss"].get<double>();
    s.averaged = json.value("averaged", nlohmann::json());
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error(origin + ": invalid training progress: " + e.what());
  }
}

void save_rng_state(const std::string& path) {
  torch::serialize::OutputArchive archive;
  archive.write("cpu", at::detail::getDefaultCPUGenerator().get_state());
  write_atomically(path, [&](std::ostream& out) { archive.save_to(out); });
}

void load_rng_state(const std::string& path) {
  if (!std::filesystem::exists(path)) return;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    torch::Tensor state;
    archive.read("cpu", state);
    auto generator = at::detail::getDefaultCPUGenerator();
    generator.set_state(state);
  } catch (const c10::Error& e) {
    throw Error(path + ": not a random generator state: " + e.what_without_backtrace());
  } catch (const std::runtime_error& e) {  // LibTorch's archive reader throws these too
    throw Error(path + ": not a random generator state: " + e.what());
  }
}

}  // namespace heed
