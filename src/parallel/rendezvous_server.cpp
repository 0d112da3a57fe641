#include "parallel/rendezvous_server.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>

#include "util/error.h"
#include "util/strings.h"

namespace heed {

struct RendezvousServer::Store {
  c10::intrusive_ptr<c10d::TCPStore> store;
};

RendezvousServer::RendezvousServer(double timeout_s) : store_(std::make_unique<Store>()) {
  try {
    c10d::TCPStoreOptions options;
    options.port = 0;  // the system picks a free one
    options.isServer = true;
    options.waitWorkers = false;
    options.timeout = std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000.0));
    store_->store = c10::make_intrusive<c10d::TCPStore>("127.0.0.1", options);
  } catch (const std::exception& e) {
    throw Error("cannot start a rendezvous store on 127.0.0.1: " + std::string(first_line(e.what())));
  }
  port_ = store_->store->getPort();
}

RendezvousServer::~RendezvousServer() = default;

}  // namespace heed
