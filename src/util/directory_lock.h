// An exclusive lock on a directory, held by the one process that writes it (two
// `heed train` runs into one --out would interleave their saves). The lock is an
// flock(2) on DIR/.lock: the kernel drops it when the process dies, however it dies, so
// a killed run never leaves a stale lock behind.
#pragma once

#include <string>

namespace heed {

class DirectoryLock {
 public:
  // Throws heed::Error when another process holds the lock ("DIR is being written by
  // another heed process (pid N)") or the lock file cannot be created.
  explicit DirectoryLock(const std::string& dir);
  ~DirectoryLock();
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace heed
