// Bad input, listed: each kind of docs/bad-input.md that is not covered elsewhere, as a
// user meets it. The contract: one `heed: error:` line and a non-zero exit, or a
// documented handling (a warning and a result); never a signal, an abort, a LibTorch
// trace on stderr or a silent wrong result.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/expect_error.h"
#include "support/run_heed.h"
#include "support/saved_state.h"
#include "support/trained_model_suite.h"

namespace heed {
namespace {

using testing::expect_one_error_line;
using testing::run_heed;
namespace fs = std::filesystem;

struct ShellResult {
  int exit_code = -1;  // 128 + signal when killed by one
  std::string err;
};

// Runs a bash command line in which HEED stands for the binary; stderr captured.
ShellResult run_shell(std::string command, const std::string& scratch) {
  for (size_t at = command.find("HEED"); at != std::string::npos; at = command.find("HEED", at)) {
    command.replace(at, 4, HEED_BINARY);
  }
  const std::string script = scratch + ".sh", err = scratch + ".err";
  testing::write_text(script, command + "\n");
  const int status = std::system(("bash " + script + " 2> " + err).c_str());
  ShellResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.err = testing::read_text(err);
  return result;
}

void corrupt_byte(const std::string& path, size_t at) {
  std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
  file.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  file.get(c);
  file.seekp(static_cast<std::streamoff>(at));
  file.put(static_cast<char>(c ^ 0x5A));
}

class CliBadInput : public testing::TrainedModelSuite<CliBadInput> {
 public:
  static constexpr const char* kDirectoryName = "heed_bad_input";
  static std::vector<std::string> commands(const testing::TempDir& dir) {
    return {"data dates --count 600 --seed 1 --out " + (dir / "train.tsv"),
            "data dates --count 20 --seed 2 --out " + (dir / "valid.tsv"),
            "train --train " + (dir / "train.tsv") + " --valid " + (dir / "valid.tsv") + common_args() +
                " --max-steps 4 --valid-every 2 --out " + (dir / "model")};
  }
  static std::string common_args() {
    return " --tokenizer char --emb 8 --hidden 8 --attention-size 4 --batch-tokens 600 --threads 1";
  }

 protected:
  // A private copy of the trained model directory, to damage.
  std::string copy(const std::string& name) const {
    const std::string to = *dir_ / name;
    fs::remove_all(to);
    fs::copy(model(), to, fs::copy_options::recursive);
    return to;
  }
  std::string translate(const std::string& dir) const { return "translate --model " + dir; }
  std::string scratch() const { return *dir_ / "scratch"; }
};

// --- model directories -----------------------------------------------------------

TEST_F(CliBadInput, WeightsWithAFlippedByte) {
  const std::string dir = copy("flipped");
  const std::string weights = testing::saved_file(dir, "weights_best");
  corrupt_byte(weights, fs::file_size(weights) / 2);
  expect_one_error_line(run_heed(translate(dir), "3 may 1979\n"), weights + ": checksum ");
}

TEST_F(CliBadInput, TruncatedVocabulary) {
  const std::string dir = copy("truncated_vocab");
  fs::resize_file(dir + "/target.vocab", 10);
  expect_one_error_line(run_heed(translate(dir), "3 may 1979\n"),
                        dir + "/target.vocab: 10 bytes, the manifest records");
}

TEST_F(CliBadInput, EditedTokenizerInConfig) {
  const std::string dir = copy("edited_config");
  std::string config = testing::read_text(dir + "/config.json");
  config.replace(config.find("\"char\""), 6, "\"word\"");
  testing::write_text(dir + "/config.json", config);
  expect_one_error_line(run_heed(translate(dir), "3 may 1979\n"), dir + "/config.json: checksum ");
}

TEST_F(CliBadInput, MissingWeightsFile) {
  const std::string dir = copy("missing_weights");
  const std::string weights = testing::saved_file(dir, "weights_best");
  fs::remove(weights);
  expect_one_error_line(run_heed(translate(dir), "3 may 1979\n"), weights + ": missing (the manifest names it)");
}

TEST_F(CliBadInput, ManifestLostFromATrainedDirectory) {
  const std::string dir = copy("no_manifest");
  fs::remove(dir + "/MANIFEST.json");
  expect_one_error_line(run_heed(translate(dir), "3 may 1979\n"), "MANIFEST.json is missing, though");
  // Nor is it trained over as if it were empty.
  expect_one_error_line(run_heed("train --train " + (*dir_ / "train.tsv") + " --out " + dir), "already holds a model");
}

TEST_F(CliBadInput, ManifestOfANewerFormatOrNotJsonOrPointingOutside) {
  const std::string dir = copy("bad_manifest");
  auto manifest = testing::read_manifest_json(dir);
  manifest["format_version"] = 3;
  testing::write_text(dir + "/MANIFEST.json", manifest.dump());
  expect_one_error_line(run_heed(translate(dir), "x\n"), "format 3 is newer than this heed understands");
  testing::write_text(dir + "/MANIFEST.json", "{\"format_version\": 2, ");
  expect_one_error_line(run_heed(translate(dir), "x\n"), "MANIFEST.json: not valid JSON");
  manifest["format_version"] = 2;
  manifest["files"]["weights_best"]["file"] = "../model/" + manifest["files"]["weights_best"]["file"].get<std::string>();
  testing::write_text(dir + "/MANIFEST.json", manifest.dump());
  expect_one_error_line(run_heed(translate(dir), "x\n"), "invalid file name '../model/");
}

// A format-1 directory (no manifest, so no checksums) whose config.json was edited to
// another size: the weights do not fit, and the error says which tensor.
TEST_F(CliBadInput, ConfigThatDoesNotMatchTheWeights) {
  const std::string dir = *dir_ / "format1_mismatch";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* file : {"config.json", "source.vocab", "target.vocab"}) fs::copy(model() + "/" + file, dir + "/" + file);
  fs::copy(testing::saved_file(model(), "weights_last"), dir + "/model.last.pt");
  auto config = nlohmann::json::parse(testing::read_text(dir + "/config.json"));
  config["hyperparameters"]["hidden"] = 12;
  testing::write_text(dir + "/config.json", config.dump());
  expect_one_error_line(run_heed(translate(dir), "3 may 1979\n"), "model.last.pt: tensor ");
}

TEST_F(CliBadInput, AFileOrAnEmptyDirectoryAsTheModel) {
  expect_one_error_line(run_heed(translate(*dir_ / "train.tsv"), "x\n"), "is not a heed model directory");
  fs::create_directories(*dir_ / "empty_dir");
  expect_one_error_line(run_heed(translate(*dir_ / "empty_dir"), "x\n"), "is not a heed model directory");
}

// What a run killed before its first save completed leaves: a description, no save.
TEST_F(CliBadInput, DirectoryOfAnUnfinishedFirstSaveIsTrainedAgain) {
  const std::string dir = *dir_ / "unfinished";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* file : {"config.json", "source.vocab", "target.vocab"}) fs::copy(model() + "/" + file, dir + "/" + file);
  testing::write_text(dir + "/weights.1.pt.tmp.999", "partial");
  expect_one_error_line(run_heed(translate(dir), "x\n"), "holds no saved model");
  const auto trained = run_heed("train --train " + (*dir_ / "train.tsv") + common_args() + " --max-steps 1 --out " + dir);
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  EXPECT_NE(trained.err.find("starting afresh"), std::string::npos) << trained.err;
  EXPECT_FALSE(fs::exists(dir + "/weights.1.pt.tmp.999"));
  EXPECT_EQ(run_heed(translate(dir), "3 may 1979\n").exit_code, 0);
}

TEST_F(CliBadInput, ResumeWithAMissingOptimizerStateFailsBeforeReadingData) {
  const std::string dir = copy("no_optimizer");
  fs::remove(testing::saved_file(dir, "optimizer"));
  expect_one_error_line(run_heed("train --resume " + dir + " --train " + (*dir_ / "train.tsv") + " --max-steps 9"),
                        "cannot resume from " + dir + ": " + dir + "/optimizer.");
}

// A directory of heed before the manifest (format 1) translates as it did and resumes;
// the first save converts it.
TEST_F(CliBadInput, Format1DirectoryLoadsResumesAndIsConverted) {
  const std::string dir = *dir_ / "format1";
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const char* file : {"config.json", "source.vocab", "target.vocab"}) fs::copy(model() + "/" + file, dir + "/" + file);
  const std::pair<const char*, const char*> renames[] = {{"weights_best", "model.best.pt"}, {"weights_last", "model.last.pt"},
                                                         {"optimizer", "optimizer.pt"}, {"rng", "rng.pt"},
                                                         {"progress", "progress.json"}, {"train_log", "train_log.csv"}};
  for (const auto& [role, name] : renames) fs::copy(testing::saved_file(model(), role), dir + "/" + name);
  const auto expected = run_heed(translate(model()), "3 may 1979\n5/30/70\n");
  const auto translated = run_heed(translate(dir), "3 may 1979\n5/30/70\n");
  ASSERT_EQ(translated.exit_code, 0) << translated.err;
  EXPECT_EQ(translated.out, expected.out);
  const auto resumed = run_heed("train --resume " + dir + " --train " + (*dir_ / "train.tsv") + " --valid " +
                                (*dir_ / "valid.tsv") + " --max-steps 6");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(testing::saved_progress(dir)["step"], 6);
  // The format-1 files went, but for the best weights while they stay the best.
  for (const char* gone : {"model.last.pt", "optimizer.pt", "rng.pt", "progress.json"}) {
    EXPECT_FALSE(fs::exists(dir + "/" + gone)) << gone;
  }
  EXPECT_EQ(fs::exists(dir + "/model.best.pt"), testing::saved_file(dir, "weights_best") == dir + "/model.best.pt");
}

// --- training --------------------------------------------------------------------

TEST_F(CliBadInput, NegativeLimitsAreRefused) {
  for (const char* flag : {"--time-budget -1", "--epochs -1", "--valid-every -1", "--patience -1", "--clip-norm -1",
                           "--max-length -1", "--seed -1", "--lr -0.1", "--save-every-steps -1",
                           "--save-every-minutes -1", "--batch-tokens 0"}) {
    SCOPED_TRACE(flag);
    expect_one_error_line(run_heed("train --train " + (*dir_ / "train.tsv") + " --out " + (*dir_ / "never") + " " + flag),
                          std::string(flag).substr(0, std::string(flag).find(' ')));
    EXPECT_FALSE(fs::exists(*dir_ / "never/config.json"));
  }
}

TEST_F(CliBadInput, AnAbsurdLearningRateStopsWithTheLastSaveIntact) {
  const std::string dir = *dir_ / "diverged";
  fs::remove_all(dir);
  const auto result = run_heed("-q train --train " + (*dir_ / "train.tsv") + common_args() +
                               " --lr 1000000 --max-steps 40 --out " + dir);
  expect_one_error_line(result, "training diverged");
  EXPECT_NE(result.err.find("keeps its save of step 0"), std::string::npos) << result.err;
  EXPECT_EQ(run_heed(translate(dir), "3 may 1979\n").exit_code, 0);
}

TEST_F(CliBadInput, AHugeTrainingLineIsDroppedBeforeTheVocabulary) {
  std::string huge;
  for (int i = 0; i < 20000; ++i) huge += "w" + std::to_string(i) + " ";  // 20k distinct words, 150 kB
  testing::write_text(*dir_ / "huge.tsv", testing::read_text(*dir_ / "train.tsv") + huge + "\tx\n");
  const std::string dir = *dir_ / "huge_model";
  fs::remove_all(dir);
  const auto result = run_heed("train --train " + (*dir_ / "huge.tsv") +
                               " --tokenizer word --emb 8 --hidden 8 --attention-size 4 --max-steps 1 --out " + dir);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("dropped 1 pairs of more than 65472 bytes"), std::string::npos) << result.err;
  EXPECT_EQ(testing::read_text(dir + "/source.vocab").find("w19999"), std::string::npos);
}

TEST_F(CliBadInput, EmptyTrainingFile) {
  testing::write_text(*dir_ / "empty.tsv", "");
  expect_one_error_line(run_heed("train --train " + (*dir_ / "empty.tsv") + " --out " + (*dir_ / "never")),
                        "no sentence pairs");
}

TEST_F(CliBadInput, AFileWhereTheOutputDirectoryShouldBe) {
  expect_one_error_line(run_heed("train --train " + (*dir_ / "train.tsv") + common_args() + " --max-steps 1 --out " +
                                 (*dir_ / "valid.tsv")),
                        "valid.tsv");
}

TEST_F(CliBadInput, TwoRunsIntoOneDirectory) {
  const std::string dir = copy("locked");
  const auto busy = run_shell("HEED train --resume " + dir + " --train " + (*dir_ / "train.tsv") +
                                  " --max-steps 100000 >/dev/null 2>&1 & pid=$!; sleep 2; "
                                  "HEED train --resume " + dir + " --train " + (*dir_ / "train.tsv") +
                                  " --max-steps 100000; code=$?; kill $pid; wait $pid; exit $code",
                              scratch());
  EXPECT_EQ(busy.exit_code, 1);
  EXPECT_EQ(busy.err.rfind("heed: error: " + dir + " is being written by another heed process (pid ", 0), 0u)
      << busy.err;
}

// GNU timeout signals the child and then its process group: two SIGTERMs at once.
TEST_F(CliBadInput, TimeoutsTwoSigtermsAreOneRequestToSaveAndStop) {
  const std::string dir = *dir_ / "sigterm";
  fs::remove_all(dir);
  const auto result = run_shell("timeout -s TERM 3 HEED train --train " + (*dir_ / "train.tsv") + common_args() +
                                    " --max-steps 10000000 --out " + dir,
                                scratch());
  EXPECT_EQ(result.exit_code, 124);  // timeout's own code: it did time out
  EXPECT_NE(result.err.find("stopped: interrupted by SIGTERM"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("second signal"), std::string::npos) << result.err;
  EXPECT_GT(testing::saved_progress(dir)["step"].get<int64_t>(), 0);
  EXPECT_EQ(run_heed(translate(dir), "3 may 1979\n").exit_code, 0);
}

TEST_F(CliBadInput, ResumeWithAnotherHyperparameter) {
  const std::string dir = copy("resume_other_size");
  expect_one_error_line(run_heed("train --resume " + dir + " --train " + (*dir_ / "train.tsv") + " --hidden 64"),
                        "--hidden 64 differs from the model in " + dir);
}

// --- translation streams -----------------------------------------------------------

TEST_F(CliBadInput, AnAbsurdlyLongLineIsCroppedAndItsNeighboursTranslated) {
  const std::string line(5'000'000, 'x');
  const auto result = run_heed(translate(model()), "3 may 1979\n" + line + "\n5/30/70\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = testing::split_lines(result.out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], testing::split_lines(run_heed(translate(model()), "3 may 1979\n").out).at(0));
  EXPECT_EQ(lines[2], testing::split_lines(run_heed(translate(model()), "5/30/70\n").out).at(0));
  EXPECT_NE(result.err.find("<stdin>:2: longer than --max-source-tokens 1023"), std::string::npos) << result.err;
}

TEST_F(CliBadInput, InvalidUtf8OnStdinIsReplacedWithAWarning) {
  const auto result = run_heed(translate(model()), "3 may 1979\n3 may \xFF\xFE 1979\n5/30/70\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(testing::split_lines(result.out).size(), 3u);
  EXPECT_NE(result.err.find("<stdin>:2: invalid UTF-8, each bad byte replaced by U+FFFD"), std::string::npos)
      << result.err;
}

TEST_F(CliBadInput, NulBytesCrlfAndABomTranslateAsThePlainLine) {
  const std::string plain = run_heed(translate(model()), "3 may 1979\n").out;
  EXPECT_EQ(run_heed(translate(model()), "3 may 1979\r\n").out, plain);
  EXPECT_EQ(run_heed(translate(model()), "\xEF\xBB\xBF" "3 may 1979\n").out, plain);
  EXPECT_EQ(run_heed(translate(model()), std::string("3 may\0 1979\n", 12)).out, plain);  // NUL is a control character
}

TEST_F(CliBadInput, EmptyInputGivesEmptyOutput) {
  const auto result = run_heed(translate(model()), "");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
}

TEST_F(CliBadInput, ADirectoryOrAFifoAsInput) {
  expect_one_error_line(run_heed(translate(model()) + " --input " + dir_->path().string()), "Is a directory");
  const std::string fifo = *dir_ / "fifo";
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto result = run_shell("(echo '3 may 1979' > " + fifo + " &) ; HEED " + translate(model()) + " --input " + fifo +
                                    " > " + scratch() + ".out",
                                scratch());
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(testing::split_lines(testing::read_text(scratch() + ".out")).size(), 1u);
}

TEST_F(CliBadInput, AnUnreadableInputFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  testing::write_text(*dir_ / "secret.txt", "3 may 1979\n");
  fs::permissions(*dir_ / "secret.txt", fs::perms::none);
  expect_one_error_line(run_heed(translate(model()) + " --input " + (*dir_ / "secret.txt")), "secret.txt");
}

TEST_F(CliBadInput, AnOutputLimitOf1e9TimesTheSourceIsBounded) {
  const auto result = run_heed(translate(model()) + " --max-length-ratio 1e9", "3 may 1979\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LE(result.out.size(), 2u * 1024u);  // at most 1024 tokens of one character
}

TEST_F(CliBadInput, MaxSourceTokensOutOfRange) {
  expect_one_error_line(run_heed(translate(model()) + " --max-source-tokens 0", "x\n"), "--max-source-tokens");
  expect_one_error_line(run_heed(translate(model()) + " --max-source-tokens 5000", "x\n"), "--max-source-tokens");
}

// --- outputs -----------------------------------------------------------------------

TEST_F(CliBadInput, AFullDeviceIsAWriteErrorForEveryCommand) {
  testing::write_text(*dir_ / "one.txt", "3 may 1979\n");
  const std::string in = " < " + (*dir_ / "one.txt");
  testing::write_text(*dir_ / "refs.txt", "a b c\n");
  for (const std::string& command : std::vector<std::string>
       {"HEED " + translate(model()) + in + " > /dev/full",
        "HEED dump-attention --model " + model() + in + " > /dev/full",
        "HEED dump-attention --model " + model() + " --out /dev/full" + in,
        "HEED eval --model " + model() + " --test " + (*dir_ / "valid.tsv") + " > /dev/full",
        "HEED score --ref " + (*dir_ / "refs.txt") + " --hyp " + (*dir_ / "refs.txt") + " > /dev/full",
        std::string("HEED data dates --count 5 --out /dev/full")}) {
    SCOPED_TRACE(command);
    const auto result = run_shell(command, scratch());
    EXPECT_EQ(result.exit_code, 1);
    const auto lines = testing::split_lines(result.err);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back().rfind("heed: error: cannot write", 0), 0u) << result.err;
  }
}

TEST_F(CliBadInput, AClosedPipeIsReportedNotASilentDeath) {
  const auto result = run_shell("yes '3 may 1979' | head -n 3000 | HEED " + translate(model()) +
                                    " | head -n 1 > /dev/null; exit ${PIPESTATUS[2]}",
                                scratch());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("heed: error: cannot write to standard output: Broken pipe"), std::string::npos)
      << result.err;
}

TEST_F(CliBadInput, ASymlinkedOutputStaysALink) {
  testing::write_text(*dir_ / "target.html", "old");
  fs::remove(*dir_ / "link.html");
  fs::create_symlink(*dir_ / "target.html", *dir_ / "link.html");
  const auto result = run_heed("dump-attention --model " + model() + " --html " + (*dir_ / "link.html"), "3 may 1979\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::is_symlink(*dir_ / "link.html"));
  EXPECT_NE(testing::read_text(*dir_ / "target.html").find("<html"), std::string::npos);
}

TEST_F(CliBadInput, AMatrixDirectoryThatIsAFile) {
  expect_one_error_line(run_heed("dump-attention --model " + model() + " --format matrix --out-dir " +
                                     (*dir_ / "train.tsv"),
                                 "3 may 1979\n"),
                        "train.tsv");
}

// --- scoring -------------------------------------------------------------------------

TEST_F(CliBadInput, EmptyTestSetsAreErrorsNotPerfectScores) {
  testing::write_text(*dir_ / "empty.tsv", "");
  expect_one_error_line(run_heed("eval --model " + model() + " --test " + (*dir_ / "empty.tsv")), "no sentence pairs");
  testing::write_text(*dir_ / "empty.txt", "");
  expect_one_error_line(run_heed("score --ref " + (*dir_ / "empty.txt") + " --hyp " + (*dir_ / "empty.txt")),
                        "no references");
  expect_one_error_line(run_heed("align-eval --model " + model() + " --pairs " + (*dir_ / "empty.txt") + " --gold " +
                                 (*dir_ / "empty.txt")),
                        "no sentence pairs");
}

TEST_F(CliBadInput, AttentionThatTheModelDoesNotHave) {
  expect_one_error_line(run_heed("dump-attention --model " + model() + " --layer 3", "3 may 1979\n"),
                        "--layer 3 is out of range: the model has 1 layer(s)");
  expect_one_error_line(run_heed("dump-attention --model " + model() + " --head 2", "3 may 1979\n"),
                        "--head 2 is out of range");
  expect_one_error_line(run_heed("dump-attention --model " + model() + " --part enc_self", "3 may 1979\n"),
                        "--part enc_self: this model has no such attention (it has cross)");
}

}  // namespace
}  // namespace heed
