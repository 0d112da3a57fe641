// Atomic writes via a temporary file, fsync and rename; whole-file reads.
#include "util/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/error.h"

namespace fs = std::filesystem;

namespace heed {
namespace {

std::string errno_text(int error) { return error != 0 ? std::strerror(error) : "unknown error"; }

std::string parent_directory(const std::string& path) {
  const std::string parent = fs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Writes all of `contents` to `fd`; returns 0 or the errno of the failure.
int write_all(int fd, const std::string& contents) {
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return 0;
}

// Where the bytes for `path` go: a symlink's final target (the link itself stays).
std::string resolve_target(const std::string& path) {
  std::error_code ec;
  std::string target = path;
  for (int hops = 0; hops < 40 && fs::is_symlink(target, ec); ++hops) {
    const fs::path link = fs::read_symlink(target, ec);
    if (ec) break;
    target = link.is_absolute() ? link.string() : (fs::path(parent_directory(target)) / link).string();
  }
  return target;
}

// A device, FIFO or socket given as an output: written in place, errors reported.
void write_in_place(const std::string& path, const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) throw Error("cannot write " + path + ": " + errno_text(errno));
  const int error = write_all(fd, contents);
  const int close_error = ::close(fd) == 0 ? 0 : errno;
  if (error != 0 || close_error != 0) throw Error("cannot write " + path + ": " + errno_text(error != 0 ? error : close_error));
}

}  // namespace

void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ostringstream buffer;
  write(buffer);
  write_file_atomically(path, buffer.str());
}

void write_file_atomically(const std::string& requested, const std::string& contents) {
  const std::string path = resolve_target(requested);
  struct stat existing {};
  mode_t mode = 0666;  // less the umask, as for any new file
  bool keep_mode = false;
  if (::stat(path.c_str(), &existing) == 0) {
    if (S_ISDIR(existing.st_mode)) throw Error("cannot write " + requested + ": is a directory");
    if (!S_ISREG(existing.st_mode)) return write_in_place(path, contents);
    mode = existing.st_mode & 07777;
    keep_mode = true;
  }
  const std::string temp = path + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw Error("cannot write " + requested + ": " + errno_text(errno));
  auto fail = [&](int error) {
    ::close(fd);
    ::unlink(temp.c_str());
    throw Error("cannot write " + requested + ": " + errno_text(error));
  };
  if (keep_mode && ::fchmod(fd, mode) != 0) fail(errno);
  if (const int error = write_all(fd, contents); error != 0) fail(error);
  if (::fsync(fd) != 0) fail(errno);
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throw Error("cannot write " + requested + ": " + errno_text(error));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throw Error("cannot write " + requested + ": " + errno_text(error));
  }
  // Make the rename itself durable; a filesystem that cannot fsync a directory still
  // renamed atomically.
  const int dir = ::open(parent_directory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw Error("cannot open " + path + ": is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error("cannot read " + path);
  return buffer.str();
}

void create_directories(const std::string& dir) {
  std::error_code error;
  fs::create_directories(dir, error);
  if (error) throw Error("cannot create " + dir + ": " + error.message());
}

bool is_temporary_file_name(const std::string& name) {
  const size_t marker = name.rfind(".tmp.");
  if (marker == std::string::npos || marker + 5 == name.size()) return false;
  for (size_t i = marker + 5; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
  }
  return true;
}

}  // namespace heed
