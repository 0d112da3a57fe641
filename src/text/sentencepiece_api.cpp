#include "text/sentencepiece_api.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "util/error.h"

namespace heed::sentencepiece_api {
namespace {

constexpr const char* kModuleName = "libheed_sentencepiece.so";

std::vector<std::string> candidate_paths() {
  std::vector<std::string> paths;
  if (const char* path = std::getenv("HEED_SENTENCEPIECE_MODULE"); path != nullptr && *path != '\0') {
    paths.emplace_back(path);
    return paths;
  }
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) paths.push_back((executable.parent_path() / kModuleName).string());
#ifdef HEED_MODULE_DIR
  paths.push_back(std::string(HEED_MODULE_DIR) + "/" + kModuleName);
#endif
  return paths;
}

const Api* load_module() {
  std::string tried;
  for (const std::string& path : candidate_paths()) {
    if (!std::filesystem::exists(path)) {
      tried += (tried.empty() ? "" : ", ") + path;
      continue;
    }
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (handle == nullptr) throw Error("cannot load the SentencePiece module " + path + ": " + dlerror());
    using Entry = const Api* (*)();
    const auto entry = reinterpret_cast<Entry>(dlsym(handle, "heed_sentencepiece_api"));
    if (entry == nullptr || entry()->version != kVersion) {
      throw Error(path + " is not a SentencePiece module of this heed build");
    }
    return entry();  // the module stays loaded for the life of the process
  }
  throw Error(std::string("cannot find the SentencePiece module ") + kModuleName + " (looked for " + tried +
              "; set HEED_SENTENCEPIECE_MODULE to its path)");
}

}  // namespace

const Api& api() {
  static std::once_flag once;
  static const Api* loaded = nullptr;
  std::call_once(once, [] { loaded = load_module(); });
  return *loaded;
}

}  // namespace heed::sentencepiece_api
