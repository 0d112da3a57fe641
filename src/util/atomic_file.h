// File helpers. Atomic file writes: write to "<path>.tmp.<pid>", flush + fsync, rename over <path>.
// A reader never sees a half-written file; a crash leaves the old file intact.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace heed {

// Calls `write` with a stream to a temporary file beside `path`, then renames it
// into place. Throws heed::Error when the directory is not writable or the write fails.
void write_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

// Convenience: writes `contents` atomically.
void write_file_atomically(const std::string& path, const std::string& contents);

// Reads a whole file; throws heed::Error("cannot open FILE") when it is missing.
std::string read_file(const std::string& path);

// Creates `dir` and its parents when missing; throws heed::Error("cannot create DIR: ...").
void create_directories(const std::string& dir);

}  // namespace heed
