#include "parallel/communicator.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <glog/logging.h>

#include <cstdlib>
#include <cstring>

#include "util/error.h"
#include "util/strings.h"

namespace heed {

namespace {

std::string first_line_of(const std::exception& e) { return std::string(first_line(e.what())); }

bool is_loopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

// Gloo binds each process to one address the others can reach: GLOO_SOCKET_IFNAME's
// interface when set (as in PyTorch), loopback for a group on one machine, else the
// address this machine's name resolves to.
std::shared_ptr<::gloo::transport::Device> gloo_device(const WorldSpec& world) {
  if (const char* name = std::getenv("GLOO_SOCKET_IFNAME"); name != nullptr && *name != '\0') {
    return c10d::ProcessGroupGloo::createDeviceForInterface(name);
  }
  if (is_loopback(world.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

// c10d reports socket trouble through glog on stderr ("[c10d] The client socket has
// timed out ...") before it throws; heed reports the exception once, as its own line.
void silence_c10d_logging() { FLAGS_minloglevel = google::GLOG_FATAL; }

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%gs", seconds);
  return text;
}

}  // namespace

struct Communicator::Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroup> group;
  int rank = 0;
  double timeout_s = 0.0;

  // What a failed collective means, in one line.
  [[noreturn]] void lost(const std::exception& e) const {
    throw Error("rank " + std::to_string(rank) + ": lost contact with the other training processes (one stopped, "
                "or none answered within --dist-timeout " + seconds_text(timeout_s) + "): " + first_line_of(e));
  }
};

struct PendingReduce::Work {
  c10::intrusive_ptr<c10d::Work> work;
  const Communicator::Group* group = nullptr;
};

PendingReduce::PendingReduce() = default;
PendingReduce::PendingReduce(std::shared_ptr<Work> work) : work_(std::move(work)) {}
PendingReduce::~PendingReduce() = default;
PendingReduce::PendingReduce(PendingReduce&&) noexcept = default;
PendingReduce& PendingReduce::operator=(PendingReduce&&) noexcept = default;

void PendingReduce::wait() {
  if (!work_) return;
  auto work = std::move(work_);
  try {
    work->work->wait();
  } catch (const std::exception& e) {
    work->group->lost(e);
  }
}

Communicator::Communicator() = default;
Communicator::~Communicator() = default;

std::unique_ptr<Communicator> Communicator::join(const WorldSpec& world, const torch::Device& device) {
  check_world(world);
  auto communicator = std::make_unique<Communicator>();
  communicator->rank_ = world.rank;
  communicator->size_ = world.world_size;
  communicator->timeout_s_ = world.timeout_s;
  if (!world.distributed()) return communicator;
  if (!device.is_cpu()) {
    throw Error("training on several processes runs on the CPU (Gloo); this LibTorch has no NCCL for " +
                device.str());
  }
  silence_c10d_logging();
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(world.timeout_s * 1000.0));
  const std::string not_all = "rank " + std::to_string(world.rank) + ": not all " + std::to_string(world.world_size) +
                              " training processes arrived at " + world.master_addr + ":" +
                              std::to_string(world.master_port) + " within --dist-timeout " +
                              seconds_text(world.timeout_s);
  auto group = std::make_unique<Group>();
  group->rank = world.rank;
  group->timeout_s = world.timeout_s;
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<uint16_t>(world.master_port);
    options.isServer = !world.agent_store && world.rank == 0;
    options.numWorkers = world.agent_store ? c10::nullopt : c10::optional<size_t>(world.world_size);
    options.waitWorkers = false;  // the process group's rendezvous waits for everyone
    options.timeout = timeout;
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(world.master_addr, options);
    if (!world.store_prefix.empty()) store = c10::make_intrusive<c10d::PrefixStore>(world.store_prefix, store);
    group->store = store;
  } catch (const std::exception& e) {
    throw Error(not_all + " (" + first_line_of(e) + ")");
  }
  try {
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(gloo_device(world));
    // One thread moves the bytes; the cores belong to the training threads.
    options->threads = 1;
    group->group = c10::make_intrusive<c10d::ProcessGroupGloo>(group->store, world.rank, world.world_size, options);
  } catch (const std::exception& e) {
    throw Error(not_all + " (" + first_line_of(e) + ")");
  }
  communicator->group_ = std::move(group);
  return communicator;
}

void Communicator::all_reduce_sum(torch::Tensor& tensor) { all_reduce_sum_async(tensor).wait(); }

PendingReduce Communicator::all_reduce_sum_async(torch::Tensor& tensor) {
  if (!group_) return {};
  std::vector<torch::Tensor> tensors{tensor};
  try {
    auto work = std::make_shared<PendingReduce::Work>();
    work->work = group_->group->allreduce(tensors);
    work->group = group_.get();
    return PendingReduce(std::move(work));
  } catch (const std::exception& e) {
    group_->lost(e);
  }
}

void Communicator::broadcast(torch::Tensor& tensor, int root) {
  if (!group_) return;
  std::vector<torch::Tensor> tensors{tensor};
  c10d::BroadcastOptions options;
  options.rootRank = root;
  try {
    group_->group->broadcast(tensors, options)->wait();
  } catch (const std::exception& e) {
    group_->lost(e);
  }
}

std::string Communicator::broadcast_bytes(const std::string& bytes, int root) {
  if (!group_) return bytes;
  auto size = torch::tensor({static_cast<int64_t>(bytes.size())}, torch::kInt64);
  broadcast(size, root);
  auto data = torch::empty({size.item<int64_t>()}, torch::kUInt8);
  if (rank_ == root) std::memcpy(data.data_ptr(), bytes.data(), bytes.size());
  broadcast(data, root);
  return std::string(reinterpret_cast<const char*>(data.data_ptr()), static_cast<size_t>(data.numel()));
}

std::vector<std::string> Communicator::all_gather_bytes(const std::string& bytes) {
  if (!group_) return {bytes};
  // Sizes first, then every rank's bytes padded to the largest.
  auto sizes = torch::zeros({size_}, torch::kInt64);
  sizes[rank_] = static_cast<int64_t>(bytes.size());
  all_reduce_sum(sizes);
  const int64_t widest = std::max<int64_t>(1, sizes.max().item<int64_t>());
  auto data = torch::zeros({size_, widest}, torch::kUInt8);
  std::memcpy(data[rank_].data_ptr(), bytes.data(), bytes.size());
  all_reduce_sum(data);  // every row is zero but its owner's
  std::vector<std::string> gathered;
  for (int r = 0; r < size_; ++r) {
    gathered.emplace_back(reinterpret_cast<const char*>(data[r].data_ptr()), static_cast<size_t>(sizes[r].item<int64_t>()));
  }
  return gathered;
}

std::string Communicator::share_from_root(const std::string& key, const std::string& value,
                                          std::chrono::seconds patience) {
  if (!group_) return value;
  const std::string full_key = "heed/" + key;
  try {
    if (is_root()) {
      group_->store->set(full_key, std::vector<uint8_t>(value.begin(), value.end()));
      return value;
    }
    group_->store->wait({full_key}, std::chrono::duration_cast<std::chrono::milliseconds>(patience));
    const std::vector<uint8_t> shared = group_->store->get(full_key);
    return std::string(shared.begin(), shared.end());
  } catch (const std::exception& e) {
    throw Error("rank " + std::to_string(rank_) + ": no word from rank 0 (" + first_line_of(e) + ")");
  }
}

}  // namespace heed

namespace heed {

void Communicator::wait_for_root(std::chrono::seconds patience) {
  if (!group_) return;
  share_from_root("root-done/" + std::to_string(++root_waits_), "", patience);
  // Then a barrier: rank 0 may run the store, and must not leave (at the end of
  // training) before every rank has read the key.
  auto barrier = torch::zeros({1});
  all_reduce_sum(barrier);
}

}  // namespace heed
