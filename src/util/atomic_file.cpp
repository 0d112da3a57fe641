// Atomic writes via a temporary file, fsync and rename; whole-file reads.
#include "util/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace heed {
namespace {

std::string errno_text(int error) { return error != 0 ? std::strerror(error) : "unknown error"; }

std::string parent_directory(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Flushes `file` to disk; returns 0 or the errno of the failure.
int fsync_path(const std::string& file, int flags) {
  const int fd = ::open(file.c_str(), flags);
  if (fd < 0) return errno;
  const int result = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return result;
}

}  // namespace

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  auto fail = [&](int error) {
    std::remove(temp.c_str());
    throw Error("cannot write " + path + ": " + errno_text(error));
  };

  errno = 0;
  std::ofstream out(temp, std::ios::binary | std::ios::trunc);
  if (!out) fail(errno);
  try {
    write(out);
  } catch (...) {
    out.close();
    std::remove(temp.c_str());
    throw;
  }
  errno = 0;
  out.flush();
  if (!out) fail(errno);
  out.close();
  if (!out) fail(errno);

  if (const int error = fsync_path(temp, O_WRONLY); error != 0) fail(error);
  if (std::rename(temp.c_str(), path.c_str()) != 0) fail(errno);
  // Best effort: make the rename itself durable.
  fsync_path(parent_directory(path), O_RDONLY | O_DIRECTORY);
}

void write_file_atomically(const std::string& path, const std::string& contents) {
  write_atomically(path, [&](std::ostream& out) {
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  });
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error("cannot open " + path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error("cannot read " + path);
  return buffer.str();
}

void create_directories(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw Error("cannot create " + dir + ": " + error.message());
}

}  // namespace heed
