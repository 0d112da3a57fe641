// `heed train --nproc N`: runs N copies of this heed command as the ranks of one
// training group on this machine, as torchrun would, and waits for them.
//
// The launcher keeps the rendezvous store itself (a TCP store on a free loopback port),
// so no port has to be chosen; the workers find it through torchrun's variables
// (MASTER_ADDR, MASTER_PORT, TORCHELASTIC_USE_AGENT_STORE) and know their place from
// RANK, WORLD_SIZE, LOCAL_RANK and LOCAL_WORLD_SIZE. SIGINT and SIGTERM are passed on
// to every worker (a terminal's Ctrl-C reaches them directly too: the workers take the
// two copies as one request). When a worker fails, the others get --dist-timeout to
// notice and stop, then SIGTERM, then SIGKILL: the launcher never waits forever.
#pragma once

#include <string>
#include <vector>

namespace heed {

struct LaunchSpec {
  int processes = 2;
  std::vector<std::string> arguments;  // the worker's command line, program first
  double timeout_s = 60.0;             // --dist-timeout
};

// Returns when every worker has ended; heed::Error naming the workers that failed.
void run_workers(const LaunchSpec& spec);

// This process's command line as it was given (from /proc/self/cmdline).
std::vector<std::string> own_command_line();

}  // namespace heed
