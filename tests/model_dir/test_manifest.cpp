#include "model_dir/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_heed.h"
#include "support/temp_dir.h"
#include "util/checksum.h"
#include "util/error.h"

namespace heed {
namespace {

namespace fs = std::filesystem;

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

class ManifestTest : public ::testing::Test {
 protected:
  std::string dir() const { return dir_.path().string(); }
  // One save: a weights file and a progress file of this generation.
  Manifest save(const Manifest* previous, int64_t step, const std::string& weights) {
    SaveTransaction save(dir(), previous);
    const std::string w = save.new_file("weights", ".pt");
    testing::write_text(w, weights);
    save.add(roles::kWeightsLast, w);
    save.keep(roles::kWeightsBest);
    const std::string p = save.new_file("progress", ".json");
    testing::write_text(p, "{\"step\": " + std::to_string(step) + "}");
    save.add(roles::kProgress, p);
    return save.commit(step);
  }
  testing::TempDir dir_{"heed_manifest"};
};

TEST_F(ManifestTest, EachSaveIsANewGenerationAndTheManifestNamesItsFiles) {
  const Manifest first = save(nullptr, 0, "w0");
  EXPECT_EQ(first.generation, 1);
  EXPECT_EQ(first.files.at(roles::kWeightsLast).file, "weights.1.pt");
  EXPECT_EQ(first.files.at(roles::kWeightsLast).size, 2u);
  EXPECT_EQ(first.files.at(roles::kWeightsLast).crc32c, crc32c("w0", 2));
  EXPECT_FALSE(first.has(roles::kWeightsBest));
  const Manifest second = save(&first, 10, "w10");
  EXPECT_EQ(second.generation, 2);
  EXPECT_EQ(second.step, 10);
  const std::optional<Manifest> read = read_manifest(dir());
  ASSERT_TRUE(read);
  EXPECT_EQ(read->to_json(), second.to_json());
  // The first save's files went with the manifest that named them.
  EXPECT_FALSE(fs::exists(dir_ / "weights.1.pt"));
  EXPECT_FALSE(fs::exists(dir_ / "progress.1.json"));
  EXPECT_TRUE(fs::exists(dir_ / "weights.2.pt"));
}

TEST_F(ManifestTest, KeptAndAliasedFilesStayAsLongAsARoleNamesThem) {
  Manifest m = save(nullptr, 0, "w0");
  {
    SaveTransaction t(dir(), &m);
    t.keep(roles::kProgress);
    const std::string w = t.new_file("weights", ".pt");
    testing::write_text(w, "w5");
    t.add(roles::kWeightsLast, w);
    t.alias(roles::kWeightsBest, roles::kWeightsLast);
    m = t.commit(5);
  }
  EXPECT_EQ(m.files.at(roles::kWeightsBest).file, "weights.2.pt");
  EXPECT_EQ(m.files.at(roles::kProgress).file, "progress.1.json");
  m = save(&m, 9, "w9");  // keeps the best: weights.2.pt stays, progress.1.json goes
  EXPECT_EQ(m.files.at(roles::kWeightsBest).file, "weights.2.pt");
  EXPECT_TRUE(fs::exists(dir_ / "weights.2.pt"));
  EXPECT_FALSE(fs::exists(dir_ / "progress.1.json"));
}

TEST_F(ManifestTest, CleaningRemovesOnlyWhatHeedWroteAndNoManifestNames) {
  for (const char* name : {"weights.7.pt", "optimizer.3.pt", "rng.3.pt", "train_log.2.csv", "averaged.4.pt",
                           "model.last.pt", "progress.json", "weights.9.pt.tmp.4711", "MANIFEST.json.tmp.12",
                           "notes.txt", "weights.pt", "my.weights.1.pt", "train_log.csv"}) {
    testing::write_text(dir_ / name, "x");
  }
  fs::create_directory(dir_ / "checkpoints");
  testing::write_text(dir_ / "checkpoints/step-40.pt", "x");
  const Manifest m = save(nullptr, 0, "w0");
  for (const char* gone : {"weights.7.pt", "optimizer.3.pt", "rng.3.pt", "train_log.2.csv", "averaged.4.pt",
                           "model.last.pt", "progress.json", "weights.9.pt.tmp.4711", "MANIFEST.json.tmp.12"}) {
    EXPECT_FALSE(fs::exists(dir_ / gone)) << gone;
  }
  EXPECT_FALSE(fs::exists(dir_ / "checkpoints"));
  for (const char* kept : {"notes.txt", "weights.pt", "my.weights.1.pt", "train_log.csv", "weights.1.pt",
                           "progress.1.json", "MANIFEST.json"}) {
    EXPECT_TRUE(fs::exists(dir_ / kept)) << kept;
  }
}

TEST_F(ManifestTest, VerificationNamesTheFileAndWhatIsWrong) {
  const Manifest m = save(nullptr, 0, "weights!");
  const ManifestEntry& entry = m.files.at(roles::kWeightsLast);
  const std::string path = dir() + "/weights.1.pt";
  EXPECT_EQ(verified_path(dir(), entry), path);
  testing::write_text(path, "weights?");  // one byte differs
  EXPECT_EQ(error_of([&] { verified_path(dir(), entry); }),
            path + ": checksum " + crc32c_hex(crc32c("weights?", 8)) + " differs from the manifest's " +
                crc32c_hex(entry.crc32c) + " (the file is corrupt or was changed)");
  testing::write_text(path, "weig");
  EXPECT_EQ(error_of([&] { verified_path(dir(), entry); }),
            path + ": 4 bytes, the manifest records 8 (truncated or replaced)");
  fs::remove(path);
  EXPECT_EQ(error_of([&] { verified_path(dir(), entry); }), path + ": missing (the manifest names it)");
  fs::create_directory(path);
  EXPECT_EQ(error_of([&] { verified_path(dir(), entry); }), path + ": not a regular file");
}

TEST_F(ManifestTest, ReadingRefusesNewerFormatsAndNamesOutsideTheDirectory) {
  EXPECT_FALSE(read_manifest(dir()));
  const std::string path = manifest_path(dir());
  testing::write_text(path, R"({"format_version": 3, "generation": 1, "step": 0, "files": {}})");
  EXPECT_EQ(error_of([&] { read_manifest(dir()); }),
            path + ": model directory format 3 is newer than this heed understands (2); use a newer heed");
  testing::write_text(path, R"({"format_version": 2, "generation": 1, "step": 0, "files":
      {"weights_last": {"file": "../../etc/passwd", "size": 1, "crc32c": "00000000"}}})");
  EXPECT_EQ(error_of([&] { read_manifest(dir()); }), path + ": invalid file name '../../etc/passwd'");
  testing::write_text(path, R"({"format_version": 2, "generation": 1, "step": 0, "files":
      {"weights_last": {"file": "w.pt", "size": 1, "crc32c": "xyz"}}})");
  EXPECT_EQ(error_of([&] { read_manifest(dir()); }), path + ": invalid checksum 'xyz'");
  testing::write_text(path, R"({"format_version": 2, "generation": 1})");
  EXPECT_NE(error_of([&] { read_manifest(dir()); }).find(path + ": invalid manifest: "), std::string::npos);
  testing::write_text(path, "{\"format_");
  EXPECT_NE(error_of([&] { read_manifest(dir()); }).find(path + ": not valid JSON"), std::string::npos);
}

// Found by fuzz/fuzz_model_json.cpp: integers were read with nlohmann's get<int>(),
// undefined behaviour for a number like 1e300 (and 4294967298 read as format 2).
TEST_F(ManifestTest, NumbersMustBeIntegers) {
  const std::string path = manifest_path(dir());
  testing::write_text(path, R"({"format_version": 1e300, "generation": 1, "step": 0, "files": {}})");
  EXPECT_EQ(error_of([&] { read_manifest(dir()); }), path + ": format_version must be an integer (got 1e+300)");
  testing::write_text(path, R"({"format_version": 4294967298, "generation": 1, "step": 0, "files": {}})");
  EXPECT_EQ(error_of([&] { read_manifest(dir()); }),
            path + ": model directory format 4294967298 is newer than this heed understands (2); use a newer heed");
  testing::write_text(path, R"({"format_version": 2, "generation": 1, "step": -1e300, "files": {}})");
  EXPECT_EQ(error_of([&] { read_manifest(dir()); }), path + ": step must be an integer (got -1e+300)");
  testing::write_text(path, R"({"format_version": 2, "generation": 1, "step": 0, "files":
      {"weights_last": {"file": "w.pt", "size": 1e300, "crc32c": "00000000"}}})");
  EXPECT_EQ(error_of([&] { read_manifest(dir()); }), path + ": size of weights_last must be an integer (got 1e+300)");
  testing::write_text(path, R"({"format_version": 2, "generation": 1, "step": 0, "files":
      {"weights_last": {"file": "w.pt", "size": -1, "crc32c": "00000000"}}})");
  EXPECT_EQ(error_of([&] { read_manifest(dir()); }), path + ": invalid size -1 of weights_last");
  testing::write_text(path, R"({"format_version": 2.0, "generation": 3, "step": 7.0, "files": {}})");
  const std::optional<Manifest> read = read_manifest(dir());
  ASSERT_TRUE(read);
  EXPECT_EQ(read->generation, 3);
  EXPECT_EQ(read->step, 7);
}

TEST(StateFileName, TheNamesASaveWrites) {
  for (const char* name : {"weights.1.pt", "averaged.12.pt", "optimizer.3.pt", "rng.3.pt", "progress.3.json",
                           "train_log.3.csv", "model.best.pt", "model.last.pt", "model.avg.pt", "optimizer.pt",
                           "rng.pt", "progress.json", "checkpoints/step-100.pt"}) {
    EXPECT_TRUE(is_state_file_name(name)) << name;
  }
  for (const char* name : {"config.json", "source.vocab", "MANIFEST.json", "train_log.csv", "weights.pt",
                           "weights.x.pt", "step-100.pt", "weights.1.pt.bak"}) {
    EXPECT_FALSE(is_state_file_name(name)) << name;
  }
}

}  // namespace
}  // namespace heed

namespace heed {
namespace {

TEST_F(ManifestTest, AnAbandonedSaveRemovesItsFilesAndTheLastSaveStays) {
  const Manifest first = save(nullptr, 0, "w0");
  {
    SaveTransaction failed(dir(), &first);
    testing::write_text(failed.new_file("weights", ".pt"), "half");
    // A write error would throw here; the transaction goes out of scope uncommitted.
  }
  EXPECT_FALSE(fs::exists(dir_ / "weights.2.pt"));
  EXPECT_EQ(read_manifest(dir())->to_json(), first.to_json());
  EXPECT_TRUE(fs::exists(dir_ / "weights.1.pt"));
}

}  // namespace
}  // namespace heed
