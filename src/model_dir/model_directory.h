// The self-describing model directory written by `heed train --out DIR`.
//
//   config.json      format version, model name, every hyperparameter, tokenizers,
//                    and the training options used
//   source.vocab     source vocabulary (one token per line, id = line number)
//   target.vocab     target vocabulary
//   source.spm       SentencePiece models (tokenizer "sentencepiece" only;
//   target.spm         text/vocabularies.h)
//   model.best.pt    weights with the best validation score
//   model.last.pt    weights at the last save
//   model.avg.pt     mean of the last K checkpoints (--average-checkpoints K); it is
//                    also model.best.pt when it validated better
//   checkpoints/     step-N.pt, the last K validated weights (--average-checkpoints K)
//   optimizer.pt     optimizer state at the last save (for --resume)
//   rng.pt           the random generator (dropout) at the last save (for --resume)
//   progress.json    step, epoch, best score... at the last save (for --resume)
//   train_log.csv    a row per validation (model_dir/train_log.h)
// Every file is written atomically (temporary file + rename).
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "models/seq2seq_model.h"
#include "text/tokenizer.h"
#include "text/vocabulary.h"

namespace heed {

inline constexpr int kModelFormatVersion = 1;

struct ModelDirectoryConfig {
  std::string model;                // registry name
  nlohmann::json hyperparameters;   // complete, as the model reports them
  TokenizerConfig source_tokenizer;
  TokenizerConfig target_tokenizer;
  nlohmann::json training;          // the training options, for the record

  nlohmann::json to_json() const;
  // Throws heed::Error naming `origin` when fields are missing or of the wrong type,
  // or when the format version is newer than this heed understands.
  static ModelDirectoryConfig from_json(const nlohmann::json& json, const std::string& origin);
};

namespace model_files {
std::string config(const std::string& dir);
std::string source_vocab(const std::string& dir);
std::string target_vocab(const std::string& dir);
std::string best_weights(const std::string& dir);
std::string last_weights(const std::string& dir);
std::string averaged_weights(const std::string& dir);
std::string optimizer(const std::string& dir);
std::string rng(const std::string& dir);
std::string progress(const std::string& dir);
std::string train_log(const std::string& dir);
std::string checkpoint(const std::string& dir, int64_t step);  // checkpoints/step-N.pt
}  // namespace model_files

// Everything needed to translate, loaded from a model directory.
struct LoadedModel {
  ModelDirectoryConfig config;
  Vocabulary source_vocab;
  Vocabulary target_vocab;
  std::unique_ptr<Tokenizer> source_tokenizer;
  std::unique_ptr<Tokenizer> target_tokenizer;
  ModelPtr model;  // built through the registry, weights loaded, in eval mode
};

enum class WhichWeights { Best, Last };

// Throws heed::Error ("DIR is not a heed model directory: ...") when anything is missing
// or corrupt.
LoadedModel load_model_directory(const std::string& dir, WhichWeights which,
                                 const torch::Device& device);

void save_config(const std::string& dir, const ModelDirectoryConfig& config);
// The vocabularies and, for the sentencepiece tokenizer, the SentencePiece models.
void save_text_files(const std::string& dir, const LoadedModel& model);

// Module weights (parameters and buffers) to/from a file; save is atomic.
void save_weights(const torch::nn::Module& module, const std::string& path);
void load_weights(torch::nn::Module& module, const std::string& path, const torch::Device& device);

}  // namespace heed
