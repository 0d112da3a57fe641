#include "train/train_options.h"

namespace heed {

const EnumNames<BestMetric> kBestMetricNames = {
    {"bleu", BestMetric::Bleu}, {"exact", BestMetric::ExactMatch}, {"loss", BestMetric::Loss}};

namespace {
std::string unknown_training_option(const std::string& key, const std::string&) {
  return "unknown training option '" + key + "'";
}
}  // namespace

void TrainOptions::set_from_json(const nlohmann::json& values) {
  set_options(*this, values, unknown_training_option, "training options");
}

}  // namespace heed
