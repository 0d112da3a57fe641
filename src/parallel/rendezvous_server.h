// A rendezvous store on a free loopback port, kept by a process that does not train,
// as torchrun's agent keeps one: the workers join it as clients
// (WorldSpec::agent_store). `heed train --nproc` runs one; so do the tests.
#pragma once

#include <memory>

namespace heed {

class RendezvousServer {
 public:
  explicit RendezvousServer(double timeout_s);  // heed::Error when no port can be had
  ~RendezvousServer();
  RendezvousServer(const RendezvousServer&) = delete;
  RendezvousServer& operator=(const RendezvousServer&) = delete;

  int port() const { return port_; }

 private:
  struct Store;
  std::unique_ptr<Store> store_;
  int port_ = 0;
};

}  // namespace heed
