#include "model_dir/manifest.h"

#include <filesystem>
#include <regex>
#include <set>

#include "util/atomic_file.h"
#include "util/checksum.h"
#include "util/error.h"
#include "util/options.h"

namespace fs = std::filesystem;

namespace heed {

std::string roles::checkpoint(int64_t step) { return "checkpoint_" + std::to_string(step); }

const ManifestEntry& Manifest::at(const std::string& role, const std::string& dir) const {
  const auto found = files.find(role);
  if (found == files.end()) throw Error(manifest_path(dir) + ": names no " + role + " file");
  return found->second;
}

nlohmann::ordered_json Manifest::to_json() const {
  nlohmann::ordered_json entries = nlohmann::ordered_json::object();
  for (const auto& [role, entry] : files) {
    entries[role] = {{"file", entry.file}, {"size", entry.size}, {"crc32c", crc32c_hex(entry.crc32c)}};
  }
  return nlohmann::ordered_json{
      {"format_version", format_version}, {"generation", generation}, {"step", step}, {"files", entries}};
}

namespace {

uint32_t parse_crc(const std::string& text, const std::string& origin) {
  if (text.size() != 8 || text.find_first_not_of("0123456789abcdef") != std::string::npos) {
    throw Error(origin + ": invalid checksum '" + text + "'");
  }
  return static_cast<uint32_t>(std::stoul(text, nullptr, 16));
}

// A file name the manifest may point at: inside the directory, no way out of it.
bool is_safe_relative_name(const std::string& file) {
  if (file.empty() || file[0] == '/' || file.find('\0') != std::string::npos) return false;
  for (const auto& part : fs::path(file)) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace

Manifest Manifest::from_json(const nlohmann::json& json, const std::string& origin) {
  try {
    Manifest m;
    const int64_t format_version = json_integer(json.at("format_version"), origin + ": format_version");
    if (format_version > kManifestFormatVersion) {
      throw Error(origin + ": model directory format " + std::to_string(format_version) +
                  " is newer than this heed understands (" + std::to_string(kManifestFormatVersion) +
                  "); use a newer heed");
    }
    if (format_version < 2) throw Error(origin + ": invalid format_version " + std::to_string(format_version));
    m.format_version = static_cast<int>(format_version);
    m.generation = json_integer(json.at("generation"), origin + ": generation");
    m.step = json_integer(json.at("step"), origin + ": step");
    if (m.generation < 1 || m.step < 0) throw Error(origin + ": invalid generation or step");
    for (const auto& [role, value] : json.at("files").items()) {
      ManifestEntry entry;
      entry.file = value.at("file").get<std::string>();
      if (!is_safe_relative_name(entry.file)) throw Error(origin + ": invalid file name '" + entry.file + "'");
      const int64_t size = json_integer(value.at("size"), origin + ": size of " + role);
      if (size < 0) throw Error(origin + ": invalid size " + std::to_string(size) + " of " + role);
      entry.size = static_cast<uint64_t>(size);
      entry.crc32c = parse_crc(value.at("crc32c").get<std::string>(), origin);
      m.files[role] = entry;
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    throw Error(origin + ": invalid manifest: " + e.what());
  }
}

std::string manifest_path(const std::string& dir) { return dir + "/MANIFEST.json"; }

std::optional<Manifest> read_manifest(const std::string& dir) {
  const std::string path = manifest_path(dir);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(read_file(path));
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": not valid JSON: " + e.what());
  }
  return Manifest::from_json(json, path);
}

std::string verified_path(const std::string& dir, const ManifestEntry& entry) {
  const std::string path = dir + "/" + entry.file;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path + ": missing (the manifest names it)");
  if (!fs::is_regular_file(path, ec)) throw Error(path + ": not a regular file");
  const FileDigest digest = digest_file(path);
  if (digest.size != entry.size) {
    throw Error(path + ": " + std::to_string(digest.size) + " bytes, the manifest records " +
                std::to_string(entry.size) + " (truncated or replaced)");
  }
  if (digest.crc32c != entry.crc32c) {
    throw Error(path + ": checksum " + crc32c_hex(digest.crc32c) + " differs from the manifest's " +
                crc32c_hex(entry.crc32c) + " (the file is corrupt or was changed)");
  }
  return path;
}

SaveTransaction::SaveTransaction(std::string dir, const Manifest* previous) : dir_(std::move(dir)) {
  if (previous != nullptr) previous_ = *previous;
  next_.generation = previous_ ? previous_->generation + 1 : 1;
}

SaveTransaction::~SaveTransaction() {
  if (committed_) return;
  std::error_code ec;
  for (const auto& path : written_) fs::remove(path, ec);
}

std::string SaveTransaction::new_file(const std::string& stem, const std::string& extension) {
  written_.push_back(dir_ + "/" + stem + "." + std::to_string(next_.generation) + extension);
  return written_.back();
}

void SaveTransaction::add(const std::string& role, const std::string& path) {
  const std::string prefix = dir_ + "/";
  if (path.compare(0, prefix.size(), prefix) != 0) throw std::logic_error("SaveTransaction::add: " + path + " is outside " + dir_);
  const FileDigest digest = digest_file(path);
  next_.files[role] = ManifestEntry{path.substr(prefix.size()), digest.size, digest.crc32c};
}

void SaveTransaction::keep(const std::string& role) {
  if (!previous_) return;
  const auto found = previous_->files.find(role);
  if (found == previous_->files.end()) return;
  if (previous_->format_version >= 2) {
    next_.files[role] = found->second;
  } else {
    add(role, dir_ + "/" + found->second.file);  // format 1 recorded no size or checksum
  }
}

void SaveTransaction::alias(const std::string& role, const std::string& other) {
  const auto found = next_.files.find(other);
  if (found == next_.files.end()) throw std::logic_error("SaveTransaction::alias: no " + other + " in this save");
  next_.files[role] = found->second;
}

void SaveTransaction::drop(const std::string& role) { next_.files.erase(role); }

Manifest SaveTransaction::commit(int64_t step) {
  next_.step = step;
  write_file_atomically(manifest_path(dir_), next_.to_json().dump(2) + "\n");
  committed_ = true;
  remove_unnamed_files(dir_, next_);
  return next_;
}

bool is_state_file_name(const std::string& name) {
  static const std::regex generation_file(R"((weights|averaged|optimizer|rng|progress|train_log)\.[0-9]+\.(pt|json|csv))");
  static const std::regex format1_file(R"(model\.(best|last|avg)\.pt|optimizer\.pt|rng\.pt|progress\.json|checkpoints/step-[0-9]+\.pt)");
  return std::regex_match(name, generation_file) || std::regex_match(name, format1_file);
}

void remove_unnamed_files(const std::string& dir, const Manifest& manifest) {
  std::set<std::string> named;
  for (const auto& [role, entry] : manifest.files) named.insert(entry.file);
  std::error_code ec;
  for (const std::string sub : {"", "checkpoints/"}) {
    if (!fs::is_directory(dir + "/" + sub, ec)) continue;
    for (const auto& item : fs::directory_iterator(dir + "/" + sub, ec)) {
      if (!item.is_regular_file(ec)) continue;
      const std::string name = sub + item.path().filename().string();
      const bool ours = is_state_file_name(name) || is_temporary_file_name(name);
      if (ours && named.count(name) == 0) fs::remove(item.path(), ec);
    }
  }
  fs::remove(dir + "/checkpoints", ec);  // only when empty
}

}  // namespace heed
