// Crash consistency: training killed with SIGKILL at random moments, some inside saves.
// Every time, the directory holds one whole save: `heed translate` loads it, `--resume`
// continues, and the resumed run follows the uninterrupted run exactly from the step it
// resumed at (same log rows, same final weights).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/run_heed.h"
#include "support/saved_state.h"

namespace heed {
namespace {

using testing::run_heed;
namespace fs = std::filesystem;

// Starts `heed args` and SIGKILLs it after `delay` unless it finished first; returns
// whether it finished (exit status 0 expected).
bool run_until_killed(const std::string& args, std::chrono::milliseconds delay, int* exit_code) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string command = std::string("exec ") + HEED_BINARY + " " + args + " >/dev/null 2>&1";
    ::execl("/bin/sh", "sh", "-c", command.c_str(), (char*)nullptr);
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + delay;
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) {  // finished between the last poll and the kill
    *exit_code = WEXITSTATUS(status);
    return true;
  }
  return false;
}

// step, valid_loss, valid_bleu of each row: what the resumed runs must reproduce
// (train_loss averages over the steps since the previous row, which a resume restarts).
std::vector<std::string> curve(const std::string& dir) {
  std::vector<std::string> rows;
  for (const auto& line : testing::split_lines(testing::read_text(testing::saved_file(dir, "train_log")))) {
    const auto fields = testing::fields_of(line, ",");
    rows.push_back(fields.at(0) + "," + fields.at(3) + "," + fields.at(5));
  }
  return rows;
}

class CliCrash : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run_heed("data dates --count 1500 --seed 1 --out " + (dir_ / "train.tsv")).exit_code, 0);
    ASSERT_EQ(run_heed("data dates --count 40 --seed 2 --out " + (dir_ / "valid.tsv")).exit_code, 0);
  }
  std::string data_args() const {
    return " --train " + (dir_ / "train.tsv") + " --valid " + (dir_ / "valid.tsv") + " --threads 1";
  }
  std::string new_model_args(const std::string& out) const {
    return "train" + data_args() +
           " --tokenizer char --emb 16 --hidden 32 --attention-size 16 --dropout 0.1 --batch-tokens 400"
           " --valid-every 40 --save-every-steps 7 --max-steps 240 --seed 3 --out " + out;
  }
  testing::TempDir dir_{"heed_crash"};
};

// ctest: crash
TEST_F(CliCrash, KilledAtRandomMomentsTheDirectoryAlwaysLoadsAndResumesTheSameCurve) {
  const std::string reference = dir_ / "reference";
  const auto started = std::chrono::steady_clock::now();
  const auto trained = run_heed(new_model_args(reference));
  const auto run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const auto expected = curve(reference);
  ASSERT_EQ(expected.size(), 7u);  // header + validations at steps 40, 80, ..., 240

  const std::string crashed = dir_ / "crashed";
  std::mt19937 rng(20261207);
  // A process's start-up (loading LibTorch and a model) takes a good part of the run on a
  // fast machine: measured apart, so that the kills can be spread over the training after
  // it. Each attempt trains at most a sixth of the run's work, so each resumed run gets a
  // little further, some kills land in the start-up, some in saves, and the run cannot
  // finish before its fifth kill.
  const auto loaded = std::chrono::steady_clock::now();
  ASSERT_EQ(run_heed("translate --model " + reference, "3 may 1979\n").exit_code, 0);
  const int64_t startup_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - loaded).count();
  const int64_t work_ms = std::max<int64_t>(100, run_ms.count() - startup_ms);
  std::uniform_int_distribution<int64_t> delay_ms(startup_ms / 2, startup_ms + work_ms / 6);
  int kills = 0, exit_code = -1;
  std::set<int64_t> resumed_from;
  for (int attempt = 0; attempt < 60; ++attempt) {
    const bool saved = fs::exists(crashed + "/MANIFEST.json");
    // Before the first save completes there is nothing to resume: train into it again.
    const std::string args = saved ? "train" + data_args() + " --resume " + crashed : new_model_args(crashed);
    if (saved) resumed_from.insert(testing::saved_progress(crashed)["step"].get<int64_t>());
    // After a dozen kills, and resumes from three saves, the run may finish: enough
    // evidence, bounded test time (a machine where most kills land in the start-up gets
    // more of them).
    const bool enough = kills >= 12 && (resumed_from.size() >= 3 || kills >= 30);
    const auto delay = enough ? std::chrono::milliseconds(600'000) : std::chrono::milliseconds(delay_ms(rng));
    if (run_until_killed(args, delay, &exit_code)) break;
    ++kills;
    if (!fs::exists(crashed + "/MANIFEST.json")) {
      // Killed before its first save: no directory yet, or one that says it holds no model.
      const auto refused = run_heed("translate --model " + crashed, "3 may 1979\n");
      const bool no_directory = !fs::exists(crashed) &&
                                refused.err.find("is not a heed model directory (no such directory)") != std::string::npos;
      EXPECT_TRUE(no_directory || refused.err.find("holds no saved model") != std::string::npos) << refused.err;
      continue;
    }
    const auto translated = run_heed("translate --model " + crashed, "3 may 1979\n");
    ASSERT_EQ(translated.exit_code, 0) << "after kill " << kills << ": " << translated.err;
    EXPECT_EQ(testing::split_lines(translated.out).size(), 1u);
  }
  ASSERT_EQ(exit_code, 0) << "the last run did not finish";
  std::string steps;
  for (int64_t step : resumed_from) steps += " " + std::to_string(step);
  std::cout << kills << " kills; resumed from steps" << steps << "\n";
  EXPECT_GE(kills, 5) << "too few kills to mean anything: the delays are too long for this machine";
  EXPECT_GE(resumed_from.size(), 3u);
  EXPECT_EQ(curve(crashed), expected);
  // The same weights, bit for bit, and nothing left over from the killed saves.
  const auto final_manifest = testing::read_manifest_json(crashed);
  EXPECT_EQ(final_manifest["files"]["weights_last"]["crc32c"],
            testing::read_manifest_json(reference)["files"]["weights_last"]["crc32c"]);
  for (const auto& item : fs::directory_iterator(crashed)) {
    const std::string name = item.path().filename().string();
    bool named = name == "MANIFEST.json" || name == "train_log.csv" || name == ".lock";
    for (const auto& [role, entry] : final_manifest["files"].items()) named = named || entry["file"] == name;
    EXPECT_TRUE(named) << name;
  }
}

}  // namespace
}  // namespace heed
