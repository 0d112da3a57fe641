// Every user mistake: one line "heed: error: ..." on stderr and a non-zero exit.
#include <gtest/gtest.h>

#include "support/expect_error.h"
#include "support/run_heed.h"

namespace heed {
namespace {

using testing::expect_one_error_line;
using testing::run_heed;

TEST(CliErrors, MissingTrainingFile) {
  testing::TempDir dir("heed_err");
  expect_one_error_line(run_heed("train --train /no/such/file.tsv --out " + (dir / "m")),
                        "cannot open /no/such/file.tsv");
}

TEST(CliErrors, MalformedLineNamesFileAndLine) {
  testing::TempDir dir("heed_err");
  testing::write_text(dir / "bad.tsv", "a b\tc d\nno tab here\n");
  expect_one_error_line(run_heed("train --train " + (dir / "bad.tsv") + " --out " + (dir / "m")),
                        dir / "bad.tsv" + ":2: ");
}

TEST(CliErrors, InvalidUtf8NamesFileAndLine) {
  testing::TempDir dir("heed_err");
  testing::write_text(dir / "bad.tsv", "a\tb\nc\xff\td\n");
  expect_one_error_line(run_heed("train --train " + (dir / "bad.tsv") + " --out " + (dir / "m")),
                        dir / "bad.tsv" + ":2: invalid UTF-8");
}

TEST(CliErrors, SkipBadLinesTrainsAnyway) {
  testing::TempDir dir("heed_err");
  testing::write_text(dir / "bad.tsv", "a b\tc d\nno tab here\ne f\tg h\n");
  const auto result = run_heed("train --skip-bad-lines --train " + (dir / "bad.tsv") +
                               " --max-steps 1 --emb 4 --hidden 4 --attention-size 4 --out " + (dir / "m"));
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("skipped 1 malformed lines"), std::string::npos) << result.err;
}

TEST(CliErrors, UnknownModelListsKnownOnes) {
  testing::TempDir dir("heed_err");
  testing::write_text(dir / "ok.tsv", "a\tb\n");
  expect_one_error_line(run_heed("train --train " + (dir / "ok.tsv") + " --model lstm --out " + (dir / "m")),
                        "unknown model 'lstm' (known: gru-bahdanau");
}

TEST(CliErrors, BadHyperparameterValue) {
  testing::TempDir dir("heed_err");
  testing::write_text(dir / "ok.tsv", "a\tb\n");
  expect_one_error_line(run_heed("train --train " + (dir / "ok.tsv") + " --hidden 0 --out " + (dir / "m")),
                        "--hidden: must be an integer >= 1 (got 0)");
}

TEST(CliErrors, BadFlagValue) {
  expect_one_error_line(run_heed("train --lr -1 --train x.tsv --out y"), "--lr: must be a number > 0 (got -1)");
  expect_one_error_line(run_heed("translate --model x --threads -2"), "--threads: must be >= 0 (got -2)");
  expect_one_error_line(run_heed("translate --model x --batch-size abc"), "--batch-size");
  expect_one_error_line(run_heed("data dates --count many"), "--count");
  expect_one_error_line(run_heed("train --precision fp16 --train x.tsv --out y"),
                        "--precision: must be one of fp32, bf16 (got fp16)");
}

TEST(CliErrors, UnknownSubcommandOrOption) {
  expect_one_error_line(run_heed("frobnicate"), "frobnicate");
  expect_one_error_line(run_heed("translate --model x --no-such-flag"), "--no-such-flag");
}

TEST(CliErrors, MissingModelDirectory) {
  expect_one_error_line(run_heed("translate --model /no/such/dir", "hello\n"),
                        "/no/such/dir is not a heed model directory");
}

TEST(CliErrors, CorruptModelDirectory) {
  testing::TempDir dir("heed_err");
  testing::write_text(dir / "model.best.pt", "garbage");
  testing::write_text(dir / "config.json", "{ not json");
  expect_one_error_line(run_heed("translate --model " + dir.path().string(), "hello\n"), "config.json");
  testing::write_text(dir / "config.json",
                      R"({"format_version":1,"model":"gru-bahdanau","hyperparameters":{},)"
                      R"("source":{"tokenizer":"char","lowercase":false},"target":{"tokenizer":"char","lowercase":false}})");
  testing::write_text(dir / "source.vocab", "<pad>\n<unk>\n<s>\n</s>\na\n");
  testing::write_text(dir / "target.vocab", "<pad>\n<unk>\n<s>\n</s>\nb\n");
  testing::write_text(dir / "model.best.pt", "garbage");
  expect_one_error_line(run_heed("translate --model " + dir.path().string(), "hello\n"),
                        "model.best.pt: not a weights file of this model");
}

TEST(CliErrors, RefusesToOverwriteAModel) {
  testing::TempDir dir("heed_err");
  testing::write_text(dir / "ok.tsv", "a\tb\n");
  testing::write_text(dir / "config.json", "{}");
  testing::write_text(dir / "model.last.pt", "");
  expect_one_error_line(run_heed("train --train " + (dir / "ok.tsv") + " --out " + dir.path().string()),
                        "already holds a model");
}

TEST(CliErrors, HelpAndModelsExitZero) {
  EXPECT_EQ(run_heed("--help").exit_code, 0);
  const auto models = run_heed("models");
  EXPECT_EQ(models.exit_code, 0);
  EXPECT_EQ(models.out.rfind("gru-bahdanau", 0), 0u);
}

}  // namespace
}  // namespace heed
