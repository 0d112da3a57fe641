#include "attention/attention_export.h"

#include <fmt/format.h>

#include "attention/attention_stats.h"
#include "text/vocabulary.h"
#include "util/atomic_file.h"
#include "util/csv.h"
#include "util/error.h"

namespace heed {

namespace {
std::string format_weight(double weight) {
  return fmt::format("{:.6g}", weight);
}

std::vector<std::string> decoder_inputs(const std::vector<std::string>& target_tokens) {
  std::vector<std::string> inputs{"<s>"};
  for (size_t i = 0; i + 1 < target_tokens.size(); ++i) inputs.push_back(target_tokens[i]);
  return inputs;
}
}  // namespace

void check_attention_filter(const AttentionLayout& layout, const AttentionFilter& filter) {
  std::string parts;
  int64_t layers = 0, heads = 0;
  for (const auto& [part, shape] : layout) {
    parts += (parts.empty() ? "" : ", ") + attention_part_name(part);
    if (filter.part && part != *filter.part) continue;
    layers = std::max(layers, shape.layers);
    heads = std::max(heads, shape.heads);
  }
  if (filter.part && layout.count(*filter.part) == 0) {
    throw Error("--part " + attention_part_name(*filter.part) + ": this model has no such attention (it has " + parts + ")");
  }
  if (filter.layer && (*filter.layer < 0 || *filter.layer >= layers)) {
    throw Error("--layer " + std::to_string(*filter.layer) + " is out of range: the model has " +
                std::to_string(layers) + " layer(s), 0-based");
  }
  if (filter.head && (*filter.head < 0 || *filter.head >= heads)) {
    throw Error("--head " + std::to_string(*filter.head) + " is out of range: the model has " +
                std::to_string(heads) + " head(s), 0-based");
  }
}

std::vector<AttentionMatrix> attention_matrices(const Translation& translation,
                                                const AttentionFilter& filter) {
  std::vector<AttentionMatrix> matrices;
  for (const auto& [part, weights] : translation.hypothesis.attention.parts) {
    if (filter.part && *filter.part != part) continue;
    auto all = weights.to(torch::kCPU).to(torch::kFloat32);  // (L, H, Q, K)
    if (filter.average_heads) all = all.mean(/*dim=*/1, /*keepdim=*/true);
    const std::vector<std::string>& queries =
        part == AttentionPart::EncoderSelf ? translation.source_tokens : translation.target_tokens;
    const std::vector<std::string> keys = part == AttentionPart::Cross || part == AttentionPart::EncoderSelf
                                              ? translation.source_tokens
                                              : decoder_inputs(translation.target_tokens);
    for (int64_t layer = 0; layer < all.size(0); ++layer) {
      if (filter.layer && *filter.layer != layer) continue;
      for (int64_t head = 0; head < all.size(1); ++head) {
        const int64_t head_label = filter.average_heads ? -1 : head;
        if (filter.head && !filter.average_heads && *filter.head != head) continue;
        matrices.push_back({part, layer, head_label, queries, keys, all[layer][head].contiguous(), translation.precision});
      }
    }
  }
  return matrices;
}

void write_long_csv_header(std::ostream& out, bool with_hypothesis, const StatsExport& stats, Precision precision) {
  out << (with_hypothesis ? "sentence,hypothesis," : "sentence,")
      << "part,layer,head,query_index,query_token,key_index,key_token,weight"
      << (stats.threshold ? ",query_entropy,key_coverage,eos_mass,unattended_share" : "")
      << (precision != Precision::Float32 ? ",precision\n" : "\n");
}

void write_long_csv_rows(std::ostream& out, const MatrixOwner& owner,
                         const std::vector<AttentionMatrix>& matrices, const StatsExport& stats) {
  const std::string owner_fields = std::to_string(owner.sentence) + "," +
                                   (owner.hypothesis ? std::to_string(*owner.hypothesis) + "," : "");
  for (const auto& matrix : matrices) {
    const auto weights = matrix.weights.accessor<float, 2>();
    const std::string prefix = owner_fields + attention_part_name(matrix.part) +
                               "," + std::to_string(matrix.layer) + "," + std::to_string(matrix.head) + ",";
    std::optional<AttentionStats> diagnostics;
    if (stats.threshold) diagnostics = attention_stats(matrix, *stats.threshold);
    for (int64_t q = 0; q < matrix.weights.size(0); ++q) {
      const std::string query = std::to_string(q) + "," + csv::quote(matrix.query_tokens.at(q)) + ",";
      for (int64_t k = 0; k < matrix.weights.size(1); ++k) {
        out << prefix << query << k << "," << csv::quote(matrix.key_tokens.at(k)) << ","
            << format_weight(weights[q][k]);
        if (diagnostics) {
          out << "," << format_weight(diagnostics->row_entropy[q]) << "," << format_weight(diagnostics->coverage[k])
              << "," << format_weight(diagnostics->eos_mass) << "," << format_weight(diagnostics->unattended_share);
        }
        if (matrix.precision != Precision::Float32) out << "," << precision_name(matrix.precision);
        out << "\n";
      }
    }
  }
}

void write_matrix_csvs(const std::string& dir, const MatrixOwner& owner,
                       const std::vector<AttentionMatrix>& matrices, const StatsExport& stats) {
  for (const auto& matrix : matrices) {
    const std::string stem = matrix_file_stem(dir, owner, matrix);
    if (stats.threshold) {
      const AttentionStats d = attention_stats(matrix, *stats.threshold);
      write_atomically(stem + "_stats.csv", [&](std::ostream& out) {
        out << "kind,index,token,value\n";
        for (size_t q = 0; q < d.row_entropy.size(); ++q) {
          out << "query_entropy," << q << "," << csv::quote(matrix.query_tokens.at(q)) << ","
              << format_weight(d.row_entropy[q]) << "\n";
        }
        for (size_t k = 0; k < d.coverage.size(); ++k) {
          out << "key_coverage," << k << "," << csv::quote(matrix.key_tokens.at(k)) << ","
              << format_weight(d.coverage[k]) << "\n";
        }
        out << "eos_mass,,," << format_weight(d.eos_mass) << "\n";
        out << "unattended_share,,," << format_weight(d.unattended_share) << "\n";
      });
    }
    const std::string path = stem + ".csv";
    write_atomically(path, [&](std::ostream& out) {
      // The corner cell names a reduced precision ("int8"); empty for fp32.
      std::vector<std::string> header{matrix.precision != Precision::Float32 ? precision_name(matrix.precision) : ""};
      header.insert(header.end(), matrix.key_tokens.begin(), matrix.key_tokens.end());
      out << csv::join(header) << "\n";
      const auto weights = matrix.weights.accessor<float, 2>();
      for (int64_t q = 0; q < matrix.weights.size(0); ++q) {
        out << csv::quote(matrix.query_tokens.at(q));
        for (int64_t k = 0; k < matrix.weights.size(1); ++k) out << "," << format_weight(weights[q][k]);
        out << "\n";
      }
    });
  }
}

}  // namespace heed
