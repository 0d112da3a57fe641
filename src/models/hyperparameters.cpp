#include "models/hyperparameters.h"

#include <algorithm>
#include <sstream>

#include "util/error.h"

namespace heed {

std::string flag_name(const std::string& key) {
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

HyperparameterReader::HyperparameterReader(const nlohmann::json& json, std::string model_name)
    : json_(json), model_name_(std::move(model_name)) {
  if (!json_.is_null() && !json_.is_object()) {
    throw Error("hyperparameters of model " + model_name_ + " must be a JSON object");
  }
}

void HyperparameterReader::read(const std::string& key, int64_t& value, int64_t min_value) {
  if (json_.is_null() || !json_.contains(key)) return;
  seen_.insert(key);
  const auto& item = json_.at(key);
  if (!item.is_number_integer() || item.get<int64_t>() < min_value) {
    throw Error(flag_name(key) + " must be an integer >= " + std::to_string(min_value) +
                " (got " + item.dump() + ")");
  }
  value = item.get<int64_t>();
}

void HyperparameterReader::read(const std::string& key, double& value, double min_value,
                                double max_value) {
  if (json_.is_null() || !json_.contains(key)) return;
  seen_.insert(key);
  const auto& item = json_.at(key);
  if (!item.is_number() || item.get<double>() < min_value || item.get<double>() > max_value) {
    std::ostringstream range;
    range << "[" << min_value << ", " << max_value << "]";
    throw Error(flag_name(key) + " must be a number in " + range.str() + " (got " + item.dump() +
                ")");
  }
  value = item.get<double>();
}

void HyperparameterReader::read(const std::string& key, bool& value) {
  if (json_.is_null() || !json_.contains(key)) return;
  seen_.insert(key);
  const auto& item = json_.at(key);
  if (!item.is_boolean()) {
    throw Error(flag_name(key) + " must be true or false (got " + item.dump() + ")");
  }
  value = item.get<bool>();
}

void HyperparameterReader::finish() const {
  if (json_.is_null()) return;
  for (const auto& item : json_.items()) {
    if (!seen_.count(item.key())) {
      throw Error("option " + flag_name(item.key()) + " does not apply to model " + model_name_);
    }
  }
}

}  // namespace heed
