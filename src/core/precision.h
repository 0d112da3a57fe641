// The arithmetic a model's matrix products run in.
//
// Training: fp32, or bf16 mixed precision (train/precision.h). Inference (translate,
// dump-attention, eval, align-eval, serve): fp32, bf16 or int8, the weights of every
// linear layer packed once at load time (models/packed_linear.h).
#pragma once

#include <string>

#include "util/options.h"

namespace heed {

enum class Precision { Float32, BFloat16, Int8 };

extern const EnumNames<Precision> kPrecisionNames;          // fp32, bf16, int8: inference
extern const EnumNames<Precision> kTrainingPrecisionNames;  // fp32, bf16: training

// "fp32" | "bf16" | "int8"; heed::Error listing them otherwise.
inline Precision parse_precision(const std::string& name) { return parse_enum(kPrecisionNames, name, "precision"); }
inline std::string precision_name(Precision precision) { return enum_name(kPrecisionNames, precision); }

}  // namespace heed
