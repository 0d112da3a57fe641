// heed align-eval: how well the cross-attention aligns words. Force-decodes pre-tokenised
// `source ||| target` pairs, turns the attention of one layer and head (default: the
// penultimate layer, mean over heads) into hard links, and scores them against gold
// Pharaoh alignments: AER, precision and recall (attention/alignment_eval.h).
// --all-heads scores every head of every cross-attention layer, to find the heads that
// align. A model reading subword pieces or characters is scored in words: its attention
// is merged into words first (word_aggregation.h: sum over a word's source pieces, mean
// over its target pieces), so every model is scored on the gold file's words.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "decode/alignment.h"
#include "attention/alignment_eval.h"
#include "attention/word_aggregation.h"
#include "commands/commands.h"
#include "commands/runtime_options.h"
#include "commands/validators.h"
#include "decode/translator.h"
#include "text/vocabulary.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/line_reader.h"

namespace heed {

namespace {
struct AlignEvalOptions {
  std::string model_dir;
  std::string pairs;
  std::string gold;
  std::string output_alignments;
  bool one_based = false;
  std::optional<double> threshold;  // unset: one argmax link per target word
  std::optional<int64_t> layer, head;
  bool average_heads = false;  // the default; the flag only makes it explicit
  bool all_heads = false;
  bool json = false;
  int64_t batch_size = 32;
  RuntimeOptions runtime;
  InferencePrecision precision;
};

// One attention matrix choice and the counts of its links over the corpus.
struct ScoredHead {
  AlignmentHead head;
  AlignmentCounts counts;
};

// Does this tokenizer read pieces of words (merged back into words for scoring)?
bool reads_pieces(const TokenizerConfig& config) { return config.kind != TokenizerKind::Word; }

// The words the model sees in `text`: its tokens, or for pieces the words they form.
int64_t model_words(const Tokenizer& tokenizer, const std::string& text) {
  const auto tokens = tokenizer.encode(text);
  return static_cast<int64_t>(reads_pieces(tokenizer.config()) ? word_spans(tokens).size() : tokens.size());
}

std::string tokens_mismatch(const std::string& side, int64_t tokens, int64_t words, const TokenizerConfig& config) {
  return "the model's " + side + " tokenizer (" + tokenizer_kind_name(config.kind) + ") reads " +
         std::to_string(tokens) + " word(s) where the pair has " + std::to_string(words) +
         "; align-eval needs the model to see the pair's space-separated words (for the word tokenizer, "
         "punctuation separated by spaces as it splits it)";
}

// heed::Error "PAIRS:LINE: ..." unless the model's tokenizers see the pair's words on
// both sides (checked before decoding, with the tokenizers the translator uses).
void check_word_tokens(const SentencePair& pair, const LoadedModel& model, const std::string& file,
                       size_t line_number) {
  const int64_t source_words = count_words(pair.source), target_words = count_words(pair.target);
  const int64_t source_tokens = model_words(*model.source_tokenizer, pair.source);
  const int64_t target_tokens = model_words(*model.target_tokenizer, pair.target);
  if (source_tokens != source_words) {
    throw Error(at_line(file, line_number,
                        tokens_mismatch("source", source_tokens, source_words, model.config.source_tokenizer)));
  }
  if (target_tokens != target_words) {
    throw Error(at_line(file, line_number,
                        tokens_mismatch("target", target_tokens, target_words, model.config.target_tokenizer)));
  }
}

// The predicted links of one force-decoded pair from the matrix of `head`.
std::vector<AlignmentLink> predicted_links(const Translation& translation, const AlignmentHead& head,
                                           std::optional<double> threshold, const PieceSides& pieces) {
  const auto& tokens = translation.hypothesis.tokens;
  if (tokens.empty()) return {};  // empty source: nothing decoded
  torch::Tensor weights = alignment_matrix(translation.hypothesis, head);  // (T, S) tokens
  if (pieces.queries || pieces.keys) {  // (T', S') words
    AttentionMatrix matrix{AttentionPart::Cross, 0, 0, translation.target_tokens, translation.source_tokens, weights};
    weights = aggregate_words(matrix, pieces).weights;
  }
  const bool ends_with_eos = tokens.back() == Vocabulary::kEos;
  return threshold ? threshold_alignment(weights, *threshold, ends_with_eos) : hard_alignment(weights, ends_with_eos);
}

nlohmann::json head_json(const AlignmentHead& head, int64_t layers) {
  return {{"layer", alignment_layer(head, layers)},
          {"head", head.head ? nlohmann::json(*head.head) : nlohmann::json("mean")}};
}

nlohmann::json scores_json(const AlignmentCounts& counts) {
  const AlignmentScores scores = score_alignments(counts);
  return {{"aer", scores.aer},
          {"precision", scores.precision},
          {"recall", scores.recall},
          {"predicted", counts.predicted},
          {"predicted_sure", counts.predicted_sure},
          {"predicted_possible", counts.predicted_possible}};
}

void print_results(const AlignEvalOptions& o, const ScoredHead& chosen, const std::vector<ScoredHead>& all,
                   int64_t layers) {
  const AlignmentCounts& gold = chosen.counts;  // sentences, sure and possible are the same for every head
  if (o.json) {
    nlohmann::json out = {{"sentences", gold.sentences},
                          {"sure", gold.sure},
                          {"possible", gold.possible},
                          {"threshold", o.threshold ? nlohmann::json(*o.threshold) : nlohmann::json(nullptr)}};
    if (o.all_heads) {
      out["heads"] = nlohmann::json::array();
      for (const auto& entry : all) {
        nlohmann::json item = head_json(entry.head, layers);
        item.update(scores_json(entry.counts));
        out["heads"].push_back(item);
      }
    } else {
      out.update(head_json(chosen.head, layers));
      out.update(scores_json(chosen.counts));
    }
    std::cout << out.dump() << std::endl;
    return;
  }
  if (o.all_heads) {
    for (const auto& entry : all) {
      const AlignmentScores s = score_alignments(entry.counts);
      const std::string head = entry.head.head ? std::to_string(*entry.head.head) : "mean";
      std::printf("layer %lld  head %-4s  AER %.4f  precision %.4f  recall %.4f  (%lld predicted links)\n",
                  static_cast<long long>(alignment_layer(entry.head, layers)), head.c_str(), s.aer, s.precision,
                  s.recall, static_cast<long long>(entry.counts.predicted));
    }
    spdlog::info("{} sentences, {} sure, {} possible gold links", gold.sentences, gold.sure, gold.possible);
    return;
  }
  const AlignmentScores s = score_alignments(chosen.counts);
  std::printf("AER %.4f  precision %.4f  recall %.4f  (%lld sentences, %lld predicted, %lld sure, %lld possible links)\n",
              s.aer, s.precision, s.recall, static_cast<long long>(gold.sentences),
              static_cast<long long>(chosen.counts.predicted), static_cast<long long>(gold.sure),
              static_cast<long long>(gold.possible));
}

void run_align_eval(const AlignEvalOptions& o) {
  if (o.threshold && !(*o.threshold > 0.0 && *o.threshold <= 1.0)) {
    throw Error("--threshold must be in (0, 1] (got " + std::to_string(*o.threshold) + ")");
  }
  const std::string pairs_name = input_name(o.pairs), gold_name = input_name(o.gold);
  if (pairs_name == "<stdin>" && gold_name == "<stdin>") throw Error("--pairs and --gold cannot both read standard input");
  const std::vector<SentencePair> pairs = read_aligned_pairs(o.pairs);
  const std::vector<GoldAlignment> gold = read_gold_alignments(o.gold, o.one_based);
  if (pairs.empty()) throw Error(pairs_name + " holds no sentence pairs: nothing to score");
  if (gold.size() != pairs.size()) {
    throw Error(gold_name + " has " + std::to_string(gold.size()) + " line(s) but " + pairs_name + " has " +
                std::to_string(pairs.size()) + " pair(s): the gold file needs one line per pair");
  }
  for (size_t i = 0; i < pairs.size(); ++i) {
    check_gold_in_range(gold[i], count_words(pairs[i].source), count_words(pairs[i].target), o.one_based, gold_name,
                        i + 1);
  }

  const torch::Device device = o.runtime.apply();
  const LoadedModel model = load_model_directory(o.model_dir, WhichWeights::Best, device);
  use_precision(model, o.precision, device);
  const AttentionLayout layout = model.model->attention_layout();
  ScoredHead chosen;
  chosen.head = AlignmentHead{o.layer, o.head};
  check_alignment_head(layout, chosen.head);
  const AttentionPartShape shape = layout.at(AttentionPart::Cross);  // present: checked above
  std::vector<ScoredHead> all;  // --all-heads: per layer, each head, then the mean
  if (o.all_heads) {
    for (int64_t layer = 0; layer < shape.layers; ++layer) {
      for (int64_t head = 0; head <= shape.heads; ++head) {
        ScoredHead entry;
        entry.head.layer = layer;
        if (head < shape.heads) entry.head.head = head;
        all.push_back(entry);
      }
    }
  }

  TranslatorOptions translator_options;
  translator_options.batch_size = o.batch_size;
  translator_options.search.return_attention = true;
  for (size_t i = 0; i < pairs.size(); ++i) check_word_tokens(pairs[i], model, pairs_name, i + 1);
  const Translator translator(model, translator_options);
  const PieceSides pieces{reads_pieces(model.config.target_tokenizer), reads_pieces(model.config.source_tokenizer)};
  std::string alignments;  // --output-alignments, one Pharaoh line per pair
  // Force-decode a few batches at a time: the attention of every part, layer and head
  // is kept only until its links are counted.
  const size_t chunk = 4 * static_cast<size_t>(std::max<int64_t>(1, o.batch_size));
  for (size_t begin = 0; begin < pairs.size(); begin += chunk) {
    const size_t end = std::min(pairs.size(), begin + chunk);
    const std::vector<SentencePair> part(pairs.begin() + static_cast<std::ptrdiff_t>(begin),
                                         pairs.begin() + static_cast<std::ptrdiff_t>(end));
    const std::vector<Translation> translations = translator.force_decode(part);
    for (size_t k = 0; k < translations.size(); ++k) {
      const size_t i = begin + k;
      const auto links = predicted_links(translations[k], chosen.head, o.threshold, pieces);
      chosen.counts.add(links, gold[i]);
      if (!o.output_alignments.empty()) alignments += pharaoh_alignment(links) + "\n";
      for (auto& entry : all) {
        entry.counts.add(predicted_links(translations[k], entry.head, o.threshold, pieces), gold[i]);
      }
    }
  }
  if (!o.output_alignments.empty()) write_file_atomically(o.output_alignments, alignments);
  print_results(o, chosen, all, shape.layers);
}
}  // namespace

void add_align_eval_command(CLI::App& app) {
  auto o = std::make_shared<AlignEvalOptions>();
  auto* cmd = app.add_subcommand("align-eval", "Score cross-attention as word alignment: AER, precision, recall");
  cmd->add_option("--model", o->model_dir, "model directory written by `heed train`")->required();
  cmd->add_option("--pairs", o->pairs, "pre-tokenised pairs, one 'source ||| target' per line, words separated by spaces")
      ->required();
  cmd->add_option("--gold", o->gold,
                  "gold alignments, one line per pair: Pharaoh links source-target, i-j sure, ipj possible")
      ->required();
  cmd->add_flag("--one-based", o->one_based, "gold indices start at 1 (default: 0)");
  cmd->add_option("--threshold", o->threshold,
                  "link every source and target word whose weight is >= T, in (0, 1] (default: one link per "
                  "target word, to its most attended source word)");
  cmd->add_option("--alignment-layer", o->layer,
                  "cross-attention layer the alignment reads (0-based; default: the penultimate)");
  auto* head = cmd->add_option("--alignment-head", o->head,
                               "cross-attention head the alignment reads (0-based; default: the mean over heads)");
  auto* average = cmd->add_flag("--average-heads", o->average_heads, "read the mean over the layer's heads (the default)");
  head->excludes(average);
  cmd->add_flag("--all-heads", o->all_heads,
                "score every head of every cross-attention layer and each layer's mean over heads");
  cmd->add_flag("--json", o->json, "print one JSON object");
  cmd->add_option("--batch-size", o->batch_size, "sentences per model call")->capture_default_str()->check(positive());
  cmd->add_option("--output-alignments", o->output_alignments,
                  "write the predicted links (Pharaoh, 0-based, source-target) to FILE, one line per pair");
  add_runtime_options(cmd, o->runtime);
  add_precision_option(cmd, o->precision);
  cmd->callback([o] { run_align_eval(*o); });
}

}  // namespace heed
