#include "parallel/world.h"

#include <cerrno>
#include <cstdlib>
#include <limits>

#include "util/error.h"

namespace heed {

namespace {

// The integer in environment variable `name`, or `fallback` when it is not set.
long integer_variable(const char* name, long fallback, long lowest, long highest) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < lowest || value > highest) {
    throw Error(std::string("environment variable ") + name + "='" + text + "' is not an integer in [" +
                std::to_string(lowest) + ", " + std::to_string(highest) + "]");
  }
  return value;
}

}  // namespace

WorldSpec world_from_environment(WorldSpec base) {
  constexpr long kMaxRanks = 1 << 16;
  base.world_size = static_cast<int>(integer_variable("WORLD_SIZE", base.world_size, 1, kMaxRanks));
  base.rank = static_cast<int>(integer_variable("RANK", base.rank, 0, kMaxRanks - 1));
  base.local_rank = static_cast<int>(integer_variable("LOCAL_RANK", base.local_rank, 0, kMaxRanks - 1));
  base.local_world_size =
      static_cast<int>(integer_variable("LOCAL_WORLD_SIZE", base.local_world_size, 1, kMaxRanks));
  base.master_port = static_cast<int>(integer_variable("MASTER_PORT", base.master_port, 1, 65535));
  if (const char* addr = std::getenv("MASTER_ADDR"); addr != nullptr && *addr != '\0') base.master_addr = addr;
  if (const char* agent = std::getenv("TORCHELASTIC_USE_AGENT_STORE"); agent != nullptr) {
    base.agent_store = std::string(agent) == "True";
  }
  if (base.agent_store) {
    // torchrun's workers of restart attempt A share the prefix /worker/attempt_A.
    const char* attempt = std::getenv("TORCHELASTIC_RESTART_COUNT");
    base.store_prefix = std::string("/worker/attempt_") + (attempt != nullptr && *attempt != '\0' ? attempt : "0");
  }
  return base;
}

void check_world(const WorldSpec& world) {
  if (world.world_size < 1) throw Error("--world-size must be at least 1");
  if (world.rank < 0 || world.rank >= world.world_size) {
    throw Error("--rank " + std::to_string(world.rank) + " is outside [0, " + std::to_string(world.world_size) +
                ") (--world-size " + std::to_string(world.world_size) + ")");
  }
  if (world.master_port < 1 || world.master_port > 65535) throw Error("--master-port must be in [1, 65535]");
  if (world.master_addr.empty()) throw Error("--master-addr is empty");
  if (!(world.timeout_s > 0)) throw Error("--dist-timeout must be positive");
}

}  // namespace heed
