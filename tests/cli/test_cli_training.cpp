// Training from the shell: config files, interruption, kill -9 safety.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/saved_state.h"
#include "support/run_heed.h"

namespace heed {
namespace {

using testing::run_heed;

TEST(CliTraining, ConfigFileMirrorsTheFlagsAndTheCommandLineWins) {
  testing::TempDir dir("heed_cfg");
  ASSERT_EQ(run_heed("data reverse --count 50 --out " + (dir / "train.tsv")).exit_code, 0);
  testing::write_text(dir / "train.toml",
                      "# heed train options\nmodel = \"gru-bahdanau\"\nhidden = 12\nemb = 6\n"
                      "attention-size = 5\nmax-steps = 2\nlr = 0.01\nseed = 4\n");
  const auto result = run_heed("train --config " + (dir / "train.toml") + " --train " + (dir / "train.tsv") +
                               " --emb 7 --out " + (dir / "model"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto config = nlohmann::json::parse(testing::read_text(dir / "model/config.json"));
  EXPECT_EQ(config["hyperparameters"]["hidden"], 12);
  EXPECT_EQ(config["hyperparameters"]["attention_size"], 5);
  EXPECT_EQ(config["hyperparameters"]["emb"], 7);  // command line over config file
  EXPECT_EQ(config["training"]["max_steps"], 2);
  EXPECT_EQ(config["training"]["seed"], 4);
}

TEST(CliTraining, ConfigFileWithAnUnknownKeyIsAnError) {
  testing::TempDir dir("heed_cfg");
  testing::write_text(dir / "bad.toml", "# comment\nhiden = 12\n");
  const auto result = run_heed("train --config " + (dir / "bad.toml") + " --train x.tsv --out " + (dir / "m"));
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(result.err.rfind("heed: error: ", 0), 0u) << result.err;
  EXPECT_NE(result.err.find("bad.toml:2: unknown option 'hiden' for heed train"), std::string::npos) << result.err;
}

TEST(CliTraining, ConfigFileErrorsNameTheFileAndLine) {
  testing::TempDir dir("heed_cfg");
  const auto error_of = [&](const std::string& name, const std::string& text) {
    testing::write_text(dir / name, text);
    const auto result = run_heed("train --config " + (dir / name) + " --train x.tsv --out " + (dir / "m"));
    EXPECT_NE(result.exit_code, 0);
    EXPECT_EQ(testing::split_lines(result.err).size(), 1u) << result.err;
    return result.err;
  };
  EXPECT_NE(error_of("range.toml", "lr = 0.01\nhidden = -3\n").find("range.toml:2: --hidden: must be an integer >= 1 (got -3)"),
            std::string::npos);
  EXPECT_NE(error_of("kind.toml", "\nlr = \"fast\"\n").find("kind.toml:2: --lr: must be a number > 0 (got fast)"),
            std::string::npos);
  EXPECT_NE(error_of("flag.toml", "tie-embeddings = 1\n").find("flag.toml:1: tie-embeddings must be true or false"),
            std::string::npos);
  EXPECT_NE(error_of("syntax.toml", "lr = 0.01\nhidden = \n").find("syntax.toml:2: "), std::string::npos);
  EXPECT_NE(error_of("table.toml", "[train]\nlr = 0.01\n").find("table.toml:1: train: tables and arrays"),
            std::string::npos);
  const auto missing = run_heed("train --config " + (dir / "missing.toml") + " --train x.tsv --out " + (dir / "m"));
  EXPECT_NE(missing.err.find("cannot open " + (dir / "missing.toml")), std::string::npos) << missing.err;
}

// The loss columns of train_log.csv (step, epoch, train loss, validation), no timings.
std::vector<std::string> loss_curve(const std::string& log_path) {
  std::vector<std::string> rows;
  for (const auto& line : testing::split_lines(testing::read_text(log_path))) {
    size_t cut = 0;
    for (int commas = 0; commas < 6 && cut != std::string::npos; ++commas) cut = line.find(',', cut + 1);
    rows.push_back(line.substr(0, cut));
  }
  return rows;
}

TEST(CliTraining, InterruptedAndResumedRunFollowsTheUninterruptedCurve) {
  testing::TempDir dir("heed_resume");
  ASSERT_EQ(run_heed("data dates --count 600 --seed 3 --out " + (dir / "train.tsv")).exit_code, 0);
  ASSERT_EQ(run_heed("data dates --count 30 --seed 4 --out " + (dir / "valid.tsv")).exit_code, 0);
  const std::string common = " --train " + (dir / "train.tsv") + " --valid " + (dir / "valid.tsv") +
                             " --tokenizer char --emb 16 --hidden 16 --attention-size 8 --dropout 0.3"
                             " --batch-tokens 700 --valid-every 5 --threads 1";
  ASSERT_EQ(run_heed("train" + common + " --max-steps 20 --out " + (dir / "straight")).exit_code, 0);
  ASSERT_EQ(run_heed("train" + common + " --max-steps 10 --out " + (dir / "resumed")).exit_code, 0);
  // Only the data and the new limit: batch size, validation interval and the rest come
  // from the model directory.
  const auto resumed = run_heed("train --resume " + (dir / "resumed") + " --train " + (dir / "train.tsv") +
                                " --valid " + (dir / "valid.tsv") + " --threads 1 --max-steps 20");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto straight_curve = loss_curve(dir / "straight/train_log.csv");
  ASSERT_EQ(straight_curve.size(), 5u);  // header + 4 validations; the epoch boundary falls inside
  EXPECT_EQ(loss_curve(dir / "resumed/train_log.csv"), straight_curve);
}

// A bf16 run stores its precision; resumed without the flag it stays bf16 and follows the
// uninterrupted bf16 curve. Two threads: bf16 steps run on LibTorch's pool (oneDNN) and
// validation on OpenBLAS's, switched back and forth (util/threads.h).
TEST(CliTraining, Bf16RunResumesInBf16) {
  testing::TempDir dir("heed_resume_bf16");
  ASSERT_EQ(run_heed("data dates --count 400 --seed 3 --out " + (dir / "train.tsv")).exit_code, 0);
  const std::string common = " --train " + (dir / "train.tsv") +
                             " --tokenizer char --emb 16 --hidden 16 --attention-size 8 --dropout 0.3"
                             " --batch-tokens 700 --valid-every 4 --threads 2 --precision bf16";
  ASSERT_EQ(run_heed("train" + common + " --max-steps 12 --out " + (dir / "straight")).exit_code, 0);
  ASSERT_EQ(run_heed("train" + common + " --max-steps 4 --out " + (dir / "resumed")).exit_code, 0);
  const auto config = nlohmann::json::parse(testing::read_text(dir / "resumed/config.json"));
  EXPECT_EQ(config["training"]["precision"], "bf16");
  const auto resumed = run_heed("train --resume " + (dir / "resumed") + " --train " + (dir / "train.tsv") +
                                " --threads 2 --max-steps 12");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto straight_curve = loss_curve(dir / "straight/train_log.csv");
  ASSERT_EQ(straight_curve.size(), 4u);
  EXPECT_EQ(loss_curve(dir / "resumed/train_log.csv"), straight_curve);
}

// Starts `heed train` in the background, signals it after `delay`, returns its exit status.
int train_and_signal(const std::string& args, int signal_number, std::chrono::milliseconds delay) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string command = std::string("exec ") + HEED_BINARY + " " + args + " >/dev/null 2>&1";
    ::execl("/bin/sh", "sh", "-c", command.c_str(), (char*)nullptr);
    ::_exit(127);
  }
  std::this_thread::sleep_for(delay);
  ::kill(pid, signal_number);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

class CliInterrupt : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(run_heed("data dates --count 3000 --seed 1 --out " + (dir_ / "train.tsv")).exit_code, 0);
  }
  std::string train_args() const {
    return "train --train " + (dir_ / "train.tsv") +
           " --tokenizer char --emb 16 --hidden 32 --attention-size 16 --batch-tokens 500 --max-steps 100000"
           " --valid-every 20 --threads 1 --out " + (dir_ / "model");
  }
  testing::TempDir dir_{"heed_interrupt"};
};

TEST_F(CliInterrupt, SigintSavesALoadableResumableModel) {
  const int status = train_and_signal(train_args(), SIGINT, std::chrono::milliseconds(4000));
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const auto progress = testing::saved_progress(dir_ / "model");
  const int64_t step = progress["step"];
  EXPECT_GT(step, 0);
  const auto translated = run_heed("translate --model " + (dir_ / "model"), "3 may 1979\n");
  EXPECT_EQ(translated.exit_code, 0) << translated.err;
  const auto resumed = run_heed("train --resume " + (dir_ / "model") + " --train " + (dir_ / "train.tsv") +
                                " --batch-tokens 500 --max-steps " + std::to_string(step + 3) + " --threads 1");
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(testing::saved_progress(dir_ / "model")["step"], step + 3);
}

TEST_F(CliInterrupt, KillNineLeavesTheLastGoodModelLoadable) {
  const int status = train_and_signal(train_args(), SIGKILL, std::chrono::milliseconds(5000));
  ASSERT_TRUE(WIFSIGNALED(status));
  // Whatever step it died at, the directory holds complete files from the last save.
  const auto translated = run_heed("translate --model " + (dir_ / "model"), "3 may 1979\n");
  EXPECT_EQ(translated.exit_code, 0) << translated.err;
  const auto resumed = run_heed("train --resume " + (dir_ / "model") + " --train " + (dir_ / "train.tsv") +
                                " --batch-tokens 500 --max-steps 1 --threads 1");
  // max-steps 1 is already reached: resuming stops at once, cleanly.
  EXPECT_EQ(resumed.exit_code, 0) << resumed.err;
}

}  // namespace
}  // namespace heed
