// MANIFEST.json: what a model directory holds, as of its last complete save.
//
// A save of training state is several files (weights, optimizer, random generator,
// progress, log). To make the save one unit, every save writes its files under new
// names (`weights.12.pt`: the 12th save), then replaces MANIFEST.json atomically; the
// manifest names, for each role, the file that holds it, with its size and CRC-32C.
// Readers trust only the manifest, so whenever a writer dies they see the whole last
// save or the whole one before it. Files that no manifest names any more (an earlier
// save's, a killed save's, temporary files) are removed once a newer manifest is on disk.
//
// Directories written before the manifest (format 1: fixed names such as model.last.pt,
// each file replaced on its own) are read through a manifest built from what is there;
// the first save into such a directory converts it.
//
//   { "format_version": 2, "generation": 12, "step": 4200,
//     "files": { "weights_last": {"file": "weights.12.pt", "size": 5120334, "crc32c": "9a0c11f2"},
//                "weights_best": {"file": "weights.9.pt", ...}, ... } }
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace heed {

inline constexpr int kManifestFormatVersion = 2;

// The roles of the files of a model directory.
namespace roles {
inline constexpr const char* kConfig = "config";
inline constexpr const char* kSourceVocab = "source_vocab";
inline constexpr const char* kTargetVocab = "target_vocab";
inline constexpr const char* kSourceSentencePiece = "source_spm";
inline constexpr const char* kTargetSentencePiece = "target_spm";
inline constexpr const char* kWeightsLast = "weights_last";
inline constexpr const char* kWeightsBest = "weights_best";
inline constexpr const char* kWeightsAveraged = "weights_averaged";
inline constexpr const char* kOptimizer = "optimizer";
inline constexpr const char* kRng = "rng";
inline constexpr const char* kProgress = "progress";
inline constexpr const char* kTrainLog = "train_log";
std::string checkpoint(int64_t step);  // "checkpoint_4200": a kept checkpoint for averaging
}  // namespace roles

struct ManifestEntry {
  std::string file;  // relative to the directory
  uint64_t size = 0;
  uint32_t crc32c = 0;
};

struct Manifest {
  int format_version = kManifestFormatVersion;  // 1: built from a directory without a manifest
  int64_t generation = 0;                       // number of the save; names its files
  int64_t step = 0;                             // training step of the save
  std::map<std::string, ManifestEntry> files;   // role -> file

  bool has(const std::string& role) const { return files.count(role) > 0; }
  // Throws heed::Error naming the directory when the role is missing.
  const ManifestEntry& at(const std::string& role, const std::string& dir) const;

  // Keys in the order above, for people reading the file.
  nlohmann::ordered_json to_json() const;
  // Throws heed::Error naming `origin` for a malformed manifest or a newer format.
  static Manifest from_json(const nlohmann::json& json, const std::string& origin);
};

std::string manifest_path(const std::string& dir);  // DIR/MANIFEST.json

// The directory's manifest; std::nullopt when it has none (format 1, or a directory
// whose first save never finished).
std::optional<Manifest> read_manifest(const std::string& dir);

// The path of `entry` in `dir`, after checking that the file is there with the size and
// checksum the manifest records: heed::Error naming the file otherwise.
std::string verified_path(const std::string& dir, const ManifestEntry& entry);

// One save as a unit: files written under this save's names, then `commit`.
class SaveTransaction {
 public:
  // `previous`: the directory's manifest (nullptr for the first save).
  SaveTransaction(std::string dir, const Manifest* previous);
  // A save abandoned before its commit (a write error: a full disk) removes the files it
  // wrote, so that they do not fill the disk further; the directory keeps its last save.
  ~SaveTransaction();
  SaveTransaction(const SaveTransaction&) = delete;
  SaveTransaction& operator=(const SaveTransaction&) = delete;

  int64_t generation() const { return next_.generation; }
  // DIR/<stem>.<generation><extension>: where this save writes a new file.
  std::string new_file(const std::string& stem, const std::string& extension);
  // Records `path` (in the directory, written and closed) as `role`.
  void add(const std::string& role, const std::string& path);
  // `role` stays what the previous save had (nothing when it had none); a file of a
  // format-1 directory gets its size and checksum now.
  void keep(const std::string& role);
  // `role` names the same file as `other` in this save.
  void alias(const std::string& role, const std::string& other);
  void drop(const std::string& role);

  // Writes MANIFEST.json atomically (the moment the save happens), then removes the
  // files no role names any more. Returns the new manifest.
  Manifest commit(int64_t step);

 private:
  std::string dir_;
  std::optional<Manifest> previous_;
  Manifest next_;
  std::vector<std::string> written_;  // new_file's paths
  bool committed_ = false;
};

// Removes what heed wrote into `dir` that `manifest` does not name: the files of earlier
// or unfinished saves, format-1 state files, temporary files of killed writes. Files of
// other names are never touched.
void remove_unnamed_files(const std::string& dir, const Manifest& manifest);

// True for a file name that a save of training state writes ("weights.12.pt", "model.last.pt").
bool is_state_file_name(const std::string& name);

}  // namespace heed
