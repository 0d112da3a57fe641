#include "util/output_check.h"

#include <cerrno>
#include <cstring>

#include "util/error.h"

namespace heed {

void check_written(std::ostream& out, const std::string& what) {
  errno = 0;
  out.flush();
  if (out) return;
  // errno still holds the failed write's reason when the failure was just now.
  const int error = errno;
  throw Error("cannot write to " + what + ": " +
              (error != 0 ? std::strerror(error) : std::string("write failed (closed pipe or full device)")));
}

}  // namespace heed
