// File helpers. Atomic file writes: the bytes go to "<path>.tmp.<pid>", which is
// flushed to disk (fsync) and renamed over <path>, so a reader sees the old file or the
// new one, never a mix, whenever the process dies. Write errors (a full disk, a
// read-only filesystem) are heed::Error and leave the old file as it was.
//
// An output path that is not a regular file is honoured, not replaced: a symlink is
// followed (its target is replaced atomically, the link stays), and a device or FIFO
// (/dev/stdout, /dev/full, a named pipe) is written in place.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace heed {

// Calls `write` with a stream to memory, then writes those bytes as write_file_atomically
// does. Throws heed::Error when the directory is not writable or the write fails.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// Writes `contents` atomically.
void write_file_atomically(const std::string& path, const std::string& contents);

// Reads a whole file; throws heed::Error("cannot open FILE") when it is missing.
std::string read_file(const std::string& path);

// Creates `dir` and its parents when missing; throws heed::Error("cannot create DIR: ...").
void create_directories(const std::string& dir);

// True for the names write_file_atomically gives its temporary files ("x.pt.tmp.4711"):
// what a killed writer leaves behind, for the owner of the directory to clean up.
bool is_temporary_file_name(const std::string& name);

}  // namespace heed
