// Typed reading of a model's hyperparameters from JSON, validated once.
//
// JSON keys are the command-line flag names with '_' for '-' ("attention_size" is
// --attention-size). Every key must be read by the model: a leftover key means an
// option that does not apply to this model, which is a user error.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

namespace heed {

class HyperparameterReader {
 public:
  HyperparameterReader(const nlohmann::json& json, std::string model_name);

  // Each leaves `value` unchanged when the key is absent; throws heed::Error
  // ("--KEY must be ...") when present with a wrong type or out of range.
  void read(const std::string& key, int64_t& value, int64_t min_value);
  void read(const std::string& key, double& value, double min_value, double max_value);
  void read(const std::string& key, bool& value);

  // Throws heed::Error for keys that were never read.
  void finish() const;

 private:
  const nlohmann::json& json_;
  std::string model_name_;
  std::set<std::string> seen_;
};

// "attention_size" -> "--attention-size"
std::string flag_name(const std::string& key);

}  // namespace heed
