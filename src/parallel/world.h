// Where this process stands in a group of training processes: its rank, the number of
// processes, and where they meet. Set by `heed train --nproc N` for the workers it
// starts, by torchrun (torch.distributed.run) through its environment variables, or by
// hand with --rank/--world-size/--master-addr/--master-port.
#pragma once

#include <cstdint>
#include <string>

namespace heed {

struct WorldSpec {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;                    // rank on this machine (heed trains on the CPU: unused)
  int local_world_size = 1;              // processes on this machine: they share its cores
  std::string master_addr = "127.0.0.1";  // where rank 0 (or the launcher) keeps the rendezvous store
  int master_port = 29500;
  double timeout_s = 60.0;  // the longest one process waits for the others (--dist-timeout)
  // torchrun's agent, or `heed train --nproc`, already runs the store at master_addr:port;
  // the workers connect to it and use a prefix of their own (TORCHELASTIC_USE_AGENT_STORE).
  bool agent_store = false;
  std::string store_prefix;

  bool distributed() const { return world_size > 1; }
};

// The torchrun variables of this process's environment (RANK, WORLD_SIZE, LOCAL_RANK,
// LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, TORCHELASTIC_USE_AGENT_STORE, TORCHELASTIC_RESTART_COUNT)
// over the defaults of `base`. heed::Error naming the variable when one is malformed.
WorldSpec world_from_environment(WorldSpec base = {});

// heed::Error when the spec cannot describe a group (rank outside [0, world_size), ...).
void check_world(const WorldSpec& world);

}  // namespace heed
