// How `heed translate` writes its results.
//
//   text   one line per input: the best translation; with an alignment,
//          "translation ||| alignment" (as Marian writes it)
//   nbest  one line per hypothesis, best first, as Moses and Marian write n-best lists:
//          "ID ||| hypothesis ||| score", ID = 0-based input line, score = the
//          length-normalised model score the search ranks by; with an alignment a fourth
//          field "||| alignment"
//   jsonl  one JSON object per input line: id, source, source_tokens, then the best
//          hypothesis's hypothesis (text), score, log_prob (sum of token log-probabilities),
//          tokens (model tokens incl. </s>), token_log_probs and alignment (hard: [[source,
//          target], ...]; soft: one list of source weights per target token); with
//          --nbest > 1 also "nbest": the list of all hypotheses with those fields.
// Alignments are those of alignment.h: "hard" = Pharaoh "i-j" (source-target, 0-based,
// attention argmax, no </s>), "soft" = per target token its weights over the source.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/options.h"
#include "decode/alignment.h"
#include "decode/translator.h"

namespace heed {

enum class OutputFormat { Text, Nbest, Jsonl };
enum class AlignmentKind { None, Hard, Soft };

extern const EnumNames<OutputFormat> kOutputFormatNames;    // text, nbest, jsonl
extern const EnumNames<AlignmentKind> kAlignmentKindNames;  // none, hard, soft
inline OutputFormat parse_output_format(const std::string& name) {
  return parse_enum(kOutputFormatNames, name, "--output format");
}
inline AlignmentKind parse_alignment_kind(const std::string& name) {
  return parse_enum(kAlignmentKindNames, name, "--alignment kind");
}

struct OutputOptions {
  OutputFormat format = OutputFormat::Text;
  AlignmentKind alignment = AlignmentKind::None;
  AlignmentHead alignment_head;
  bool all_hypotheses = false;  // jsonl: add the "nbest" list
};

// Writes the n-best list (best first) of input line `id` in the chosen format.
void write_translations(std::ostream& out, size_t id, const std::string& source,
                        const std::vector<Translation>& nbest, const OutputOptions& options);

// The jsonl object of one input line (what write_translations writes as one line of
// the jsonl format): `heed serve` answers with the same fields.
nlohmann::json translation_json(size_t id, const std::string& source, const std::vector<Translation>& nbest,
                                const OutputOptions& options);

}  // namespace heed
