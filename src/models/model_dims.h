// The data-dependent sizes a model is built with (vocabulary sizes).
#pragma once

#include <cstdint>

namespace heed {

struct ModelDims {
  int64_t source_vocab = 0;
  int64_t target_vocab = 0;
};

}  // namespace heed
