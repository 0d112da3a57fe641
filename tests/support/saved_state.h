// The files of a model directory's last save, found through its manifest, as a user's
// script would find them.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "support/run_heed.h"

namespace heed::testing {

inline nlohmann::json read_manifest_json(const std::string& dir) {
  return nlohmann::json::parse(read_text(dir + "/MANIFEST.json"));
}

// DIR/<file> of `role` in the last save ("" when the manifest has no such role).
inline std::string saved_file(const std::string& dir, const std::string& role) {
  const auto files = read_manifest_json(dir)["files"];
  return files.contains(role) ? dir + "/" + files[role]["file"].get<std::string>() : "";
}

inline nlohmann::json saved_progress(const std::string& dir) {
  return nlohmann::json::parse(read_text(saved_file(dir, "progress")));
}

}  // namespace heed::testing
