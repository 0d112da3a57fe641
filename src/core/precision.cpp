#include "core/precision.h"

namespace heed {

const EnumNames<Precision> kPrecisionNames = {
    {"fp32", Precision::Float32}, {"bf16", Precision::BFloat16}, {"int8", Precision::Int8}};
const EnumNames<Precision> kTrainingPrecisionNames = {{"fp32", Precision::Float32}, {"bf16", Precision::BFloat16}};

}  // namespace heed
