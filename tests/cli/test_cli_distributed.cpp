// Training on several processes (parallel/), run as a user would: `--nproc`, processes
// started by hand with torchrun's variables, --resume with another process count, a
// worker killed mid-run, mismatched data, a rank that never arrives.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "parallel/rendezvous_server.h"
#include "support/run_heed.h"
#include "support/saved_state.h"

namespace heed {
namespace {

using testing::run_heed;
namespace fs = std::filesystem;

// A TCP port no one listens on now.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// The step of the directory's last save, -1 while there is none (or while a save replaces
// the files between the two reads).
int64_t saved_step(const std::string& dir) {
  try {
    return testing::saved_progress(dir)["step"].get<int64_t>();
  } catch (const std::exception&) {
    return -1;
  }
}

// The torchrun variables of rank `rank` of 2 joining a store this test keeps (as
// torchrun's agent keeps one), so that no port has to be guessed free.
std::string agent_variables(int rank, const RendezvousServer& server) {
  return "env RANK=" + std::to_string(rank) + " WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" +
         std::to_string(server.port()) + " TORCHELASTIC_USE_AGENT_STORE=True ";
}

// The rows of train_log.csv as fields.
std::vector<std::vector<std::string>> log_rows(const std::string& dir) {
  std::vector<std::vector<std::string>> rows;
  const auto lines = testing::split_lines(testing::read_text(dir + "/train_log.csv"));
  for (size_t i = 1; i < lines.size(); ++i) rows.push_back(testing::fields_of(lines[i], ","));
  return rows;
}

// Two curves agree at each step: the same steps, train losses within the log's rounding
// (five decimals), validation losses within 1e-3 (validation is shared among processes,
// in other batches).
void expect_same_curve(const std::string& expected_dir, const std::string& actual_dir, int64_t from_step = 0) {
  auto expected = log_rows(expected_dir), actual = log_rows(actual_dir);
  auto drop_before = [&](std::vector<std::vector<std::string>>& rows) {
    rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const auto& row) { return std::stoll(row[0]) < from_step; }),
               rows.end());
  };
  drop_before(expected);
  drop_before(actual);
  ASSERT_EQ(expected.size(), actual.size()) << expected_dir << " against " << actual_dir;
  ASSERT_FALSE(expected.empty());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(expected[i][0], actual[i][0]);
    EXPECT_NEAR(std::stod(expected[i][2]), std::stod(actual[i][2]), 2e-5) << "train_loss at step " << expected[i][0];
    if (!expected[i][3].empty()) {
      EXPECT_NEAR(std::stod(expected[i][3]), std::stod(actual[i][3]), 1e-3) << "valid_loss at step " << expected[i][0];
    }
  }
}

// Starts `command` through the shell without waiting; returns its pid.
pid_t start(const std::string& command) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), (char*)nullptr);
    ::_exit(127);
  }
  return pid;
}

// Waits up to `limit` for `pid`; its exit code, or -1 when it is still running.
int wait_for(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

// The processes whose parent is `parent`.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(std::stoi(name));
  }
  return children;
}

class CliDistributed : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run_heed("data dates --count 1200 --seed 1 --out " + (dir_ / "train.tsv")).exit_code, 0);
    ASSERT_EQ(run_heed("data dates --count 40 --seed 2 --out " + (dir_ / "valid.tsv")).exit_code, 0);
  }
  // Dropout 0: the same computation in one process or two, up to float rounding.
  std::string train_args(const std::string& model, const std::string& out) const {
    const std::string shape = model == "transformer" ? " --d-model 32 --heads 2 --ff 64 --layers 1"
                                                     : " --emb 16 --hidden 32 --attention-size 16";
    return "train --train " + (dir_ / "train.tsv") + " --valid " + (dir_ / "valid.tsv") + " --model " + model +
           shape + " --tokenizer char --dropout 0 --batch-tokens 300 --valid-every 6 --log-every 1 --seed 4 --out " +
           out;
  }
  // Starts a long `--nproc 2` run into `out` (stderr to launcher.err) and returns the
  // launcher's pid once a save after 5 updates is on disk (or after 2 minutes).
  pid_t start_long_run(const std::string& out) const {
    const pid_t launcher = start(std::string(HEED_BINARY) + " " + train_args("gru-bahdanau", out) +
                                 " --nproc 2 --threads 1 --max-steps 100000 --save-every-steps 5 2>" +
                                 dir_ / "launcher.err");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline && saved_step(out) < 5) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return launcher;
  }
  testing::TempDir dir_{"heed_dist"};
};

TEST_F(CliDistributed, TwoProcessesFollowTheAccumulateTwoCurveForEveryModel) {
  for (const std::string model : {"gru-bahdanau", "transformer"}) {
    const std::string one = dir_ / (model + "-accumulate"), two = dir_ / (model + "-nproc");
    const auto accumulated = run_heed(train_args(model, one) + " --accumulate 2 --max-steps 12 --threads 1");
    ASSERT_EQ(accumulated.exit_code, 0) << accumulated.err;
    const auto parallel = run_heed(train_args(model, two) + " --nproc 2 --threads 1 --max-steps 12");
    ASSERT_EQ(parallel.exit_code, 0) << parallel.err;
    EXPECT_NE(parallel.err.find("2 batches per update (2 processes x --accumulate 1)"), std::string::npos)
        << parallel.err;
    ASSERT_EQ(log_rows(two).size(), 12u);  // a row per update; validations at 6 and 12 share theirs
    expect_same_curve(one, two);
    const auto translated = run_heed("translate --model " + two, "3 may 1979\n");
    EXPECT_EQ(translated.exit_code, 0) << translated.err;
  }
}

TEST_F(CliDistributed, AProcessWithoutABatchInAnUpdateTakesPartAndAddsNothing) {
  // Four pairs, one batch per epoch: rank 1 of 2 never has a batch, in any update.
  ASSERT_EQ(run_heed("data dates --count 4 --seed 5 --out " + (dir_ / "tiny.tsv")).exit_code, 0);
  auto args = [&](const std::string& out) {
    return "train --train " + (dir_ / "tiny.tsv") + " --tokenizer char --emb 16 --hidden 32 --attention-size 16"
           " --dropout 0 --log-every 1 --epochs 3 --seed 4 --threads 1 --out " + out;
  };
  const std::string one = dir_ / "tiny-one", two = dir_ / "tiny-two";
  const auto alone = run_heed(args(one));
  ASSERT_EQ(alone.exit_code, 0) << alone.err;
  const auto pair = run_heed(args(two) + " --nproc 2");
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  ASSERT_EQ(log_rows(two).size(), 3u);
  expect_same_curve(one, two);
}

TEST_F(CliDistributed, ResumingWithAnotherProcessCountContinuesTheSameCurve) {
  const std::string reference = dir_ / "reference", resumed = dir_ / "resumed";
  ASSERT_EQ(run_heed(train_args("gru-bahdanau", reference) + " --accumulate 2 --max-steps 12 --threads 1").exit_code, 0);
  ASSERT_EQ(run_heed(train_args("gru-bahdanau", resumed) + " --accumulate 2 --max-steps 6 --threads 1").exit_code, 0);
  const auto more = run_heed("train --train " + (dir_ / "train.tsv") + " --valid " + (dir_ / "valid.tsv") +
                             " --resume " + resumed + " --max-steps 12 --nproc 2 --accumulate 1 --threads 1");
  ASSERT_EQ(more.exit_code, 0) << more.err;
  expect_same_curve(reference, resumed);
}

TEST_F(CliDistributed, ProcessesStartedByHandWithTorchrunVariablesTrainOneDirectory) {
  const int port = free_port();
  const std::string out = dir_ / "by-hand", elsewhere = dir_ / "rank1-out";
  auto rank = [&](int r, const std::string& dir) {
    return "env RANK=" + std::to_string(r) + " WORLD_SIZE=2 LOCAL_RANK=" + std::to_string(r) +
           " MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port) + " " + HEED_BINARY + " " +
           train_args("gru-bahdanau", dir) + " --max-steps 8 --threads 1 2>" + dir_ / ("rank" + std::to_string(r) + ".err");
  };
  const pid_t first = start(rank(0, out)), second = start(rank(1, elsewhere));
  EXPECT_EQ(wait_for(first, std::chrono::seconds(120)), 0) << testing::read_text(dir_ / "rank0.err");
  EXPECT_EQ(wait_for(second, std::chrono::seconds(120)), 0) << testing::read_text(dir_ / "rank1.err");
  EXPECT_EQ(testing::read_text(dir_ / "rank1.err"), "");  // rank 0 reports for both
  EXPECT_FALSE(fs::exists(elsewhere));                    // and only rank 0 writes
  EXPECT_EQ(testing::saved_progress(out)["step"], 8);
  const auto translated = run_heed("translate --model " + out, "3 may 1979\n");
  EXPECT_EQ(translated.exit_code, 0) << translated.err;
}

TEST_F(CliDistributed, AKilledWorkerEndsTheRunWithAnErrorAndTheLastSaveLoads) {
  const std::string out = dir_ / "killed";
  const pid_t launcher = start_long_run(out);
  // Once a save after the first updates is on disk, one worker is killed.
  const auto workers = children_of(launcher);
  ASSERT_EQ(workers.size(), 2u);
  ::kill(workers.back(), SIGKILL);
  const auto killed_at = std::chrono::steady_clock::now();
  const int exit_code = wait_for(launcher, std::chrono::seconds(60));
  const std::string err = testing::read_text(dir_ / "launcher.err");
  EXPECT_EQ(exit_code, 1) << err;
  EXPECT_LT(std::chrono::steady_clock::now() - killed_at, std::chrono::seconds(30));
  EXPECT_NE(err.find("was killed by SIGKILL"), std::string::npos) << err;
  EXPECT_NE(err.find("lost contact with the other training processes"), std::string::npos) << err;
  EXPECT_EQ(err.find("terminate called"), std::string::npos) << err;
  const auto translated = run_heed("translate --model " + out, "3 may 1979\n");
  EXPECT_EQ(translated.exit_code, 0) << translated.err;
  const auto resumed = run_heed("train --train " + (dir_ / "train.tsv") + " --valid " + (dir_ / "valid.tsv") +
                                " --resume " + out + " --max-steps " +
                                std::to_string(testing::saved_progress(out)["step"].get<int64_t>() + 2) + " --threads 1");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
}

TEST_F(CliDistributed, SigtermToTheLauncherStopsEveryWorkerAtOneUpdateAndSaves) {
  const std::string out = dir_ / "stopped";
  const pid_t launcher = start_long_run(out);
  ::kill(launcher, SIGTERM);
  const int exit_code = wait_for(launcher, std::chrono::seconds(60));
  const std::string err = testing::read_text(dir_ / "launcher.err");
  EXPECT_EQ(exit_code, 0) << err;
  EXPECT_NE(err.find("stopped: interrupted by SIGTERM"), std::string::npos) << err;
  EXPECT_EQ(err.find("heed: error"), std::string::npos) << err;
  // The save is of the update both processes stopped at: the last logged step.
  const auto rows = log_rows(out);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(testing::saved_progress(out)["step"], std::stoll(rows.back()[0]));
  EXPECT_EQ(run_heed("translate --model " + out, "3 may 1979\n").exit_code, 0);
}

TEST_F(CliDistributed, ARankThatReadOtherDataStopsEveryRank) {
  ASSERT_EQ(run_heed("data dates --count 1200 --seed 9 --out " + (dir_ / "other.tsv")).exit_code, 0);
  const RendezvousServer server(60.0);
  const std::string args = train_args("gru-bahdanau", dir_ / "mixed") + " --max-steps 4 --threads 1";
  std::string other = args;
  other.replace(other.find(dir_ / "train.tsv"), (dir_ / "train.tsv").size(), dir_ / "other.tsv");
  const pid_t first = start(agent_variables(0, server) + HEED_BINARY + " " + args + " 2>" + dir_ / "r0.err");
  const pid_t second = start(agent_variables(1, server) + HEED_BINARY + " " + other + " 2>" + dir_ / "r1.err");
  EXPECT_EQ(wait_for(first, std::chrono::seconds(60)), 1);
  EXPECT_EQ(wait_for(second, std::chrono::seconds(60)), 1);
  for (const char* file : {"r0.err", "r1.err"}) {
    const std::string err = testing::read_text(dir_ / file);
    EXPECT_NE(err.find("heed: error: rank 1 read other data than rank 0"), std::string::npos) << err;
    EXPECT_NE(err.find("every process must read the same --train and --valid files"), std::string::npos) << err;
  }
}

TEST_F(CliDistributed, ARankThatNeverArrivesIsAnErrorWithinTheTimeout) {
  const RendezvousServer server(60.0);
  const auto started = std::chrono::steady_clock::now();
  const auto alone = run_heed(train_args("gru-bahdanau", dir_ / "alone") + " --max-steps 4 --world-size 2 --rank 0"
                              " --master-port " + std::to_string(server.port()) + " --dist-timeout 2");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  EXPECT_EQ(alone.exit_code, 1);
  EXPECT_EQ(testing::split_lines(alone.err).size(), 1u) << alone.err;
  EXPECT_NE(alone.err.find("heed: error: rank 0: not all 2 training processes arrived at 127.0.0.1:"),
            std::string::npos) << alone.err;
}

TEST_F(CliDistributed, NprocUnderAnotherLauncherIsRefused) {
  const auto refused = run_heed("train --train x.tsv --out y --nproc 2 --world-size 2 --rank 0");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(refused.err,
            "heed: error: --nproc starts its own processes; under torchrun or with --rank/--world-size, leave it out\n");
}

}  // namespace
}  // namespace heed
