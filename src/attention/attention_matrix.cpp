#include "attention/attention_matrix.h"

namespace heed {

std::string matrix_file_stem(const std::string& dir, const MatrixOwner& owner, const AttentionMatrix& matrix) {
  const std::string head = matrix.head < 0 ? "avg" : std::to_string(matrix.head);
  return dir + "/s" + std::to_string(owner.sentence) + "_" +
         (owner.hypothesis ? "n" + std::to_string(*owner.hypothesis) + "_" : "") +
         attention_part_name(matrix.part) + "_l" + std::to_string(matrix.layer) + "_h" + head;
}


}  // namespace heed
