// The self-describing model directory written by `heed train --out DIR`.
//
//   MANIFEST.json    what the directory holds as of the last complete save: each file's
//                    role, size and CRC-32C, and the format version (model_dir/manifest.h)
//   config.json      model name, every hyperparameter, tokenizers, and the training
//                    options used (written once, when training starts)
//   source.vocab     source vocabulary (one token per line, id = line number)
//   target.vocab     target vocabulary
//   source.spm       SentencePiece models (tokenizer "sentencepiece" only;
//   target.spm         text/vocabularies.h)
//   weights.G.pt     the weights of save G; the manifest says which is the last, the
//                    best (by validation) and the kept checkpoints (--average-checkpoints)
//   averaged.G.pt    mean of the last K checkpoints (--average-checkpoints K); it is
//                    also the best when it validated better
//   optimizer.G.pt   optimizer state of save G (for --resume)
//   rng.G.pt         the random generator (dropout) at save G (for --resume)
//   progress.G.json  step, epoch, best score... at save G (for --resume)
//   train_log.G.csv  a row per validation or scheduled save (model_dir/train_log.h)
//   train_log.csv    a copy of the last save's log, for people and scripts
//   .lock            held by the `heed train` writing the directory
// Every save writes new files and then the manifest, so the directory always holds one
// whole save (model_dir/manifest.h). Format 1 (before the manifest: model.last.pt,
// model.best.pt, model.avg.pt, optimizer.pt, rng.pt, progress.json, train_log.csv,
// checkpoints/step-N.pt, each replaced on its own) is still read.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "model_dir/manifest.h"
#include "models/seq2seq_model.h"
#include "text/tokenizer.h"
#include "text/vocabulary.h"

namespace heed {

// The version config.json records (2: the directory has a manifest).
inline constexpr int kModelFormatVersion = 2;

struct ModelDirectoryConfig {
  std::string model;                // registry name
  nlohmann::json hyperparameters;   // complete, as the model reports them
  TokenizerConfig source_tokenizer;
  TokenizerConfig target_tokenizer;
  nlohmann::json training;          // the training options, for the record
  std::vector<std::string> examples;  // a few validation sources (heed serve's explorer opens with one)

  nlohmann::json to_json() const;
  // Throws heed::Error naming `origin` when fields are missing or of the wrong type,
  // or when the format version is newer than this heed understands.
  static ModelDirectoryConfig from_json(const nlohmann::json& json, const std::string& origin);
};

// Files with fixed names: the description written once, and the log copy.
namespace model_files {
std::string config(const std::string& dir);
std::string train_log_copy(const std::string& dir);  // train_log.csv
}  // namespace model_files

// What `dir` holds: its manifest, or for a format-1 directory one built from the files
// there (format_version 1). heed::Error when `dir` is no model directory or holds no
// complete save ("training stopped before its first save").
Manifest directory_manifest(const std::string& dir);

// True when `dir` holds a saved model (a manifest, format-1 weights, or the files of
// more than one save, whose manifest is lost): training a new model there would destroy it.
bool holds_saved_model(const std::string& dir);

// The path of `role`'s file after checking its size and checksum against the manifest.
std::string model_file(const std::string& dir, const Manifest& manifest, const std::string& role);

// Adds config.json, the vocabularies and the SentencePiece models to a save.
void add_description_files(SaveTransaction& save, const std::string& dir);

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

// Every file it reads is checked against the manifest first. Throws heed::Error naming
// the file when anything is missing, corrupt, from a newer heed, or does not fit.
LoadedModel load_model_directory(const std::string& dir, WhichWeights which,
                                 const torch::Device& device);

void save_config(const std::string& dir, const ModelDirectoryConfig& config);

// A model's description (config.json, vocabularies, SentencePiece models) as one byte
// string, and the model it describes, built through the registry with fresh weights:
// how rank 0 of a training run hands its model to processes that may not see its
// directory.
std::string pack_model_description(const LoadedModel& model);
LoadedModel unpack_model_description(const std::string& bytes, const torch::Device& device);
// The vocabularies and, for the sentencepiece tokenizer, the SentencePiece models.
void save_text_files(const std::string& dir, const LoadedModel& model);

// Module weights (parameters and buffers) to/from a file; save is atomic. load_weights
// throws heed::Error naming the file when it is not a weights file, lacks a tensor of
// the module, or holds one of another shape or type (a config that does not match).
void save_weights(const torch::nn::Module& module, const std::string& path);
void load_weights(torch::nn::Module& module, const std::string& path, const torch::Device& device);

}  // namespace heed
