// Output that could not be written is an error, not a silent exit 0: a full device, a
// closed pipe (heed ignores SIGPIPE, so a write to a closed pipe fails with EPIPE and is
// reported here instead of killing the process without a word).
#pragma once

#include <ostream>
#include <string>

namespace heed {

// Flushes `out`; throws heed::Error("cannot write to WHAT: REASON") when any write to it
// failed.
void check_written(std::ostream& out, const std::string& what);

}  // namespace heed
