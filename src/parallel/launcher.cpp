#include "parallel/launcher.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "parallel/rendezvous_server.h"
#include "util/error.h"
#include "util/signal_counter.h"

extern char** environ;

namespace heed {

namespace {

// The variables a worker is told its place by; inherited copies are replaced.
const char* const kWorldVariables[] = {"RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
                                       "MASTER_PORT", "TORCHELASTIC_USE_AGENT_STORE", "TORCHELASTIC_RESTART_COUNT",
                                       "GROUP_RANK"};

std::vector<std::string> worker_environment(int rank, int processes, int port) {
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string text = *entry;
    const std::string name = text.substr(0, text.find('='));
    bool replaced = false;
    for (const char* own : kWorldVariables) replaced = replaced || name == own;
    if (!replaced) variables.push_back(text);
  }
  variables.push_back("RANK=" + std::to_string(rank));
  variables.push_back("LOCAL_RANK=" + std::to_string(rank));
  variables.push_back("GROUP_RANK=0");
  variables.push_back("WORLD_SIZE=" + std::to_string(processes));
  variables.push_back("LOCAL_WORLD_SIZE=" + std::to_string(processes));
  variables.push_back("MASTER_ADDR=127.0.0.1");
  variables.push_back("MASTER_PORT=" + std::to_string(port));
  variables.push_back("TORCHELASTIC_USE_AGENT_STORE=True");
  variables.push_back("TORCHELASTIC_RESTART_COUNT=0");
  return variables;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (auto& text : strings) result.push_back(text.data());
  result.push_back(nullptr);
  return result;
}

std::string describe_status(int status) {
  if (WIFSIGNALED(status)) {
    const int number = WTERMSIG(status);
    const char* name = sigabbrev_np(number);
    return std::string("was killed by ") + (name != nullptr ? std::string("SIG") + name : "signal " + std::to_string(number));
  }
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

struct Worker {
  pid_t pid = -1;
  bool running = false;
  int status = 0;
};

}  // namespace

std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> arguments;
  for (size_t at = 0; at < all.size();) {
    const size_t end = all.find('\0', at);
    arguments.push_back(all.substr(at, end == std::string::npos ? std::string::npos : end - at));
    if (end == std::string::npos) break;
    at = end + 1;
  }
  if (arguments.empty()) throw Error("cannot read this process's command line from /proc/self/cmdline");
  return arguments;
}

void run_workers(const LaunchSpec& spec) {
  using Clock = std::chrono::steady_clock;
  const RendezvousServer rendezvous(spec.timeout_s);
  const int port = rendezvous.port();

  const SignalCounter signals;

  std::vector<Worker> workers(static_cast<size_t>(spec.processes));
  std::vector<std::string> arguments = spec.arguments;
  std::vector<char*> argv = pointers(arguments);
  std::string spawn_error;
  for (int rank = 0; rank < spec.processes; ++rank) {
    std::vector<std::string> environment = worker_environment(rank, spec.processes, port);
    std::vector<char*> envp = pointers(environment);
    const pid_t launcher = ::getpid();
    const pid_t pid = ::fork();
    if (pid == 0) {
      // Only async-signal-safe calls until exec. A worker outlives no launcher (one
      // killed by the OOM killer, say): it gets SIGTERM, saves and stops.
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (::getppid() != launcher) ::_exit(1);
      ::execve("/proc/self/exe", argv.data(), envp.data());
      ::_exit(127);
    }
    if (pid < 0) {
      spawn_error = "cannot start training process " + std::to_string(rank) + ": " + std::strerror(errno);
      break;
    }
    workers[static_cast<size_t>(rank)] = Worker{pid, true, 0};
  }

  int forwarded = 0;
  std::optional<Clock::time_point> failed_at;
  bool terminated = false, killed = false;
  const auto grace = std::chrono::milliseconds(static_cast<int64_t>((spec.timeout_s + 5.0) * 1000.0));
  if (!spawn_error.empty()) failed_at = Clock::now() - grace;  // stop those started at once
  for (;;) {
    int running = 0;
    for (auto& worker : workers) {
      if (!worker.running) continue;
      int status = 0;
      const pid_t done = waitpid(worker.pid, &status, WNOHANG);
      if (done == worker.pid) {
        worker.running = false;
        worker.status = status;
        const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (!ok && !failed_at) failed_at = Clock::now();
      } else {
        ++running;
      }
    }
    if (running == 0) break;
    // Signals to the launcher go to every worker.
    if (SignalCounter::count() > forwarded) {
      forwarded = SignalCounter::count();
      for (const auto& worker : workers) {
        if (worker.running) kill(worker.pid, SignalCounter::last());
      }
    }
    // After a failure the others have --dist-timeout to notice it and stop.
    if (failed_at) {
      const auto waited = Clock::now() - *failed_at;
      const int signal = waited > grace + std::chrono::seconds(10) ? SIGKILL : waited > grace ? SIGTERM : 0;
      if ((signal == SIGTERM && !terminated) || (signal == SIGKILL && !killed)) {
        (signal == SIGKILL ? killed : terminated) = true;
        for (const auto& worker : workers) {
          if (worker.running) kill(worker.pid, signal);
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  if (!spawn_error.empty()) throw Error(spawn_error);
  // Workers that a passed-on signal ended before they could take it (while reading data,
  // say): an interrupted run, ended as one process would end, not a failure to report.
  if (forwarded > 0) {
    bool only_signalled = true, any_signalled = false;
    for (const auto& worker : workers) {
      const int status = worker.status;
      const bool by_signal = WIFSIGNALED(status) && WTERMSIG(status) == SignalCounter::last();
      only_signalled = only_signalled && ((WIFEXITED(status) && WEXITSTATUS(status) == 0) || by_signal);
      any_signalled = any_signalled || by_signal;
    }
    if (only_signalled && any_signalled) {
      ::signal(SignalCounter::last(), SIG_DFL);
      ::raise(SignalCounter::last());
    }
  }
  // Workers killed by a signal first: they are the cause, the others' errors the effect.
  std::string failures;
  for (const bool signalled : {true, false}) {
    for (size_t rank = 0; rank < workers.size(); ++rank) {
      const int status = workers[rank].status;
      if ((WIFEXITED(status) && WEXITSTATUS(status) == 0) || WIFSIGNALED(status) != signalled) continue;
      failures += (failures.empty() ? "" : "; ") + std::string("rank ") + std::to_string(rank) + " " +
                  describe_status(status);
    }
  }
  if (!failures.empty()) {
    throw Error("training on " + std::to_string(spec.processes) + " processes failed: " + failures +
                " (the model directory keeps its last completed save)");
  }
}

}  // namespace heed
