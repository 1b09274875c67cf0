// `epibook prep` as a user meets it: the manifest says how the dataset was made, numpy
// loads every array, reruns give the same bytes, and bad input gives a clear message,
// exit code 1 and no half-written output directory.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "epibook/npy.h"
#include "epibook/random.h"
#include "support/test_support.h"

namespace epibook {
namespace {

namespace fs = std::filesystem;

class PrepCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    track_dir_ = new std::string(testing::scratch_dir("prep-cli-track"));
    const auto made = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_TEST_SOURCE_DIR +
                                           "/golden/prep_reference.py make-bigwig " + *track_dir_ + "/signal.bw");
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static void TearDownTestSuite() {
    delete track_dir_;
    track_dir_ = nullptr;
  }

  static std::string bigwig() { return *track_dir_ + "/signal.bw"; }
  static testing::CommandResult prep(const std::string& arguments) {
    return testing::run_command(std::string(EPIBOOK_CLI) + " prep " + arguments);
  }
  static std::string standard_arguments(const std::string& out) {
    return "--bigwig " + bigwig() + " --regions chr2L:0-200,000 chr2R:1,013-150,000 -o " + out;
  }
  // Nothing of a failed run may be left: neither the directory nor its staging copy.
  static void expect_no_output(const std::string& out) {
    EXPECT_FALSE(fs::exists(out)) << out;
    EXPECT_FALSE(fs::exists(out + ".epibook-partial")) << out << ".epibook-partial";
  }

  static std::string* track_dir_;
};

std::string* PrepCli::track_dir_ = nullptr;

TEST_F(PrepCli, ManifestRecordsOptionsVersionInputHashAndCountsPerSplit) {
  const std::string out = testing::scratch_dir("out") + "/dataset";
  // 5 kb blocks: enough of them in 340 windows that every split gets some.
  const auto run = prep(standard_arguments(out) + " --seed 9 --fractions 0.7,0.2,0.1 --label-rule fraction:0.25 --hash-block 5000");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto manifest = nlohmann::json::parse(testing::read_file(out + "/manifest.json"));
  EXPECT_EQ(manifest["epibook_version"], EPIBOOK_VERSION);
  const std::string bytes = testing::read_file(bigwig());
  EXPECT_EQ(manifest["input"]["size"], bytes.size());
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(stable_hash(bytes)));
  EXPECT_EQ(manifest["input"]["content_hash"], hex);
  EXPECT_EQ(manifest["input"]["regions"][1], "chr2R:1,013-150,000");
  const auto& options = manifest["options"];
  EXPECT_EQ(options["window"], 1024);
  EXPECT_EQ(options["stride"], 1024);
  EXPECT_EQ(options["bin"], 32);
  EXPECT_EQ(options["input_bin"], 25);
  EXPECT_EQ(options["transform"], "arcsinh");
  EXPECT_EQ(options["label_rule"], "fraction:0.25");
  EXPECT_EQ(options["split"], "hash");
  EXPECT_EQ(options["seed"], 9);
  EXPECT_EQ(options["hash_block"], 5000);
  EXPECT_DOUBLE_EQ(options["fractions"]["validation"].get<double>(), 0.2);
  EXPECT_NEAR(options["threshold_untransformed"].get<double>(), 2.0, 1e-12);

  // The counts are those of the arrays: 195 windows on chr2L, 145 on chr2R.
  auto labels = read_npy(out + "/labels.npy");
  auto split = read_npy(out + "/split.npy");
  ASSERT_TRUE(labels.is_ok() && split.is_ok());
  const std::vector<float> l = labels->as_float32(), s = split->as_float32();
  ASSERT_EQ(l.size(), 195u + 145u);
  EXPECT_EQ(manifest["total"]["windows"], l.size());
  const char* names[3] = {"train", "validation", "test"};
  for (int which = 0; which < 3; ++which) {
    uint64_t windows = 0, peaks = 0;
    for (size_t i = 0; i < l.size(); ++i) {
      if (s[i] != which) continue;
      ++windows;
      if (l[i] == 1) ++peaks;
    }
    const auto& summary = manifest["splits"][names[which]];
    EXPECT_EQ(summary["windows"], windows) << names[which];
    EXPECT_EQ(summary["peaks"], peaks) << names[which];
    EXPECT_GT(windows, 0u) << names[which];
  }
  EXPECT_NE(run.output.find("train: "), std::string::npos) << run.output;
}

TEST_F(PrepCli, NumpyLoadsEveryArrayWithTheDocumentedShapesAndDtypes) {
  const std::string out = testing::scratch_dir("out") + "/dataset";
  ASSERT_EQ(prep(standard_arguments(out)).exit_code, 0);
  const std::string script =
      "import numpy as np, sys\n"
      "d = sys.argv[1]\n"
      "t, l, b, s = (np.load(d + '/' + n + '.npy') for n in ('targets', 'labels', 'bin_labels', 'split'))\n"
      "print(t.dtype, t.shape, l.dtype, l.shape, b.dtype, b.shape, s.dtype, s.shape)\n"
      "thr = 1.4436354751788103\n"
      "ok = np.array_equal(b, np.where(np.isnan(t), -1, t.astype(np.float64) >= thr).astype(np.int8))\n"
      "print('bin labels follow targets' if ok else 'bin labels disagree')\n"
      "rows = [line.split('\\t') for line in open(d + '/windows.bed').read().splitlines()]\n"
      "names = np.array(['train', 'validation', 'test'])\n"
      "print('bed splits agree' if len(rows) == len(s) and all(r[3] == n for r, n in zip(rows, names[s])) "
      "else 'bed disagrees')\n";
  testing::write_file(out + "-check.py", script);
  const auto check = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + out + "-check.py " + out);
  ASSERT_EQ(check.exit_code, 0) << check.output;
  EXPECT_NE(check.output.find("float32 (340, 32) int8 (340,) int8 (340, 32) int8 (340,)"), std::string::npos)
      << check.output;
  EXPECT_NE(check.output.find("bin labels follow targets"), std::string::npos) << check.output;
  EXPECT_NE(check.output.find("bed splits agree"), std::string::npos) << check.output;
}

TEST_F(PrepCli, RerunsGiveByteIdenticalOutput) {
  const std::string dir = testing::scratch_dir("out");
  ASSERT_EQ(prep(standard_arguments(dir + "/a")).exit_code, 0);
  ASSERT_EQ(prep(standard_arguments(dir + "/b")).exit_code, 0);
  std::map<std::string, std::string> first;
  for (const char* name : {"targets.npy", "labels.npy", "bin_labels.npy", "split.npy", "windows.bed"}) {
    first[name] = testing::read_file(dir + "/a/" + name);
    ASSERT_FALSE(first[name].empty()) << name;
    EXPECT_EQ(first[name], testing::read_file(dir + "/b/" + name)) << name;
  }
  // Again into the same directory: the earlier dataset is replaced by the same bytes.
  const auto again = prep(standard_arguments(dir + "/a"));
  ASSERT_EQ(again.exit_code, 0) << again.output;
  for (const auto& [name, bytes] : first) EXPECT_EQ(testing::read_file(dir + "/a/" + name), bytes) << name;
  EXPECT_FALSE(fs::exists(dir + "/a.epibook-old"));
}

TEST_F(PrepCli, BadRegionNamesTheRegionAndLeavesNothing) {
  const std::string out = testing::scratch_dir("out") + "/dataset";
  const auto backwards = prep("--bigwig " + bigwig() + " --regions chr2L:5,000-4,000 -o " + out);
  EXPECT_EQ(backwards.exit_code, 1);
  EXPECT_NE(backwards.output.find("epibook: region 'chr2L:5,000-4,000': end 4,000 is before start 5,000"),
            std::string::npos)
      << backwards.output;
  expect_no_output(out);

  const auto unknown = prep("--bigwig " + bigwig() + " --regions chrZ:0-10,000 -o " + out);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("chrZ:0-10,000: chromosome chrZ is not in"), std::string::npos) << unknown.output;
  expect_no_output(out);

  const auto past_end = prep("--bigwig " + bigwig() + " --regions chr3L:0-500,000 -o " + out);
  EXPECT_EQ(past_end.exit_code, 1);
  EXPECT_NE(past_end.output.find("runs past the end of chr3L (120,513 bp"), std::string::npos) << past_end.output;
  expect_no_output(out);
}

TEST_F(PrepCli, BadBigWigNamesTheFileAndLeavesNothing) {
  const std::string dir = testing::scratch_dir("out");
  testing::write_file(dir + "/not.bw", std::string(4096, 'x'));
  const auto run = prep("--bigwig " + dir + "/not.bw --regions chr2L:0-10,000 -o " + dir + "/dataset");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("epibook: "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("not.bw"), std::string::npos) << run.output;
  expect_no_output(dir + "/dataset");

  const auto missing = prep("--bigwig " + dir + "/absent.bw --regions chr2L:0-10,000 -o " + dir + "/dataset");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("absent.bw"), std::string::npos) << missing.output;
  expect_no_output(dir + "/dataset");
}

TEST_F(PrepCli, FailedRerunKeepsTheEarlierDataset) {
  const std::string out = testing::scratch_dir("out") + "/dataset";
  ASSERT_EQ(prep(standard_arguments(out)).exit_code, 0);
  const std::string targets = testing::read_file(out + "/targets.npy");
  const auto bad = prep("--bigwig " + bigwig() + " --regions chrZ:0-10,000 -o " + out);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(testing::read_file(out + "/targets.npy"), targets);
  EXPECT_FALSE(fs::exists(out + ".epibook-partial"));
}

TEST_F(PrepCli, TrailingSlashNamesTheSameDirectoryOnFirstRunAndRerun) {
  const std::string dir = testing::scratch_dir("out");
  for (int run = 0; run < 2; ++run) {
    const auto made = prep(standard_arguments(dir + "/dataset/"));
    ASSERT_EQ(made.exit_code, 0) << "run " << run << ": " << made.output;
    EXPECT_TRUE(fs::exists(dir + "/dataset/manifest.json"));
    EXPECT_FALSE(fs::exists(dir + "/dataset/.epibook-partial"));
    EXPECT_FALSE(fs::exists(dir + "/dataset.epibook-old"));
  }
}

TEST_F(PrepCli, RefusesToReplaceADirectoryItDidNotWrite) {
  const std::string out = testing::scratch_dir("out") + "/mine";
  fs::create_directories(out);
  testing::write_file(out + "/notes.txt", "precious");
  const auto run = prep(standard_arguments(out));
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("exists and is not an earlier `epibook prep` output"), std::string::npos) << run.output;
  EXPECT_EQ(testing::read_file(out + "/notes.txt"), "precious");
}

TEST_F(PrepCli, BadOptionsGiveClearMessages) {
  const std::string out = testing::scratch_dir("out") + "/dataset";
  const auto fractions = prep(standard_arguments(out) + " --fractions 0.8,0.1,0.2");
  EXPECT_EQ(fractions.exit_code, 1);
  EXPECT_NE(fractions.output.find("sum to 1.1"), std::string::npos) << fractions.output;
  const auto window = prep(standard_arguments(out) + " --window 1000");
  EXPECT_EQ(window.exit_code, 1);
  EXPECT_NE(window.output.find("window 1,000 bp is not a multiple of bin 32 bp"), std::string::npos) << window.output;
  const auto chroms = prep(standard_arguments(out) + " --split chrom --test-chroms 2L");
  EXPECT_EQ(chroms.exit_code, 1);
  EXPECT_NE(chroms.output.find("test chromosome 2L has no windows"), std::string::npos) << chroms.output;
  const auto rule = prep(standard_arguments(out) + " --label-rule fraction:2");
  EXPECT_EQ(rule.exit_code, 1);
  EXPECT_NE(rule.output.find("label rule 'fraction:2'"), std::string::npos) << rule.output;
  expect_no_output(out);
}

TEST_F(PrepCli, ChromosomeSplitHoldsOutTheNamedChromosomes) {
  const std::string out = testing::scratch_dir("out") + "/dataset";
  const auto run = prep(standard_arguments(out) + " --test-chroms chr2R --no-arcsinh --threshold 2");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string bed = testing::read_file(out + "/windows.bed");
  EXPECT_NE(bed.find("chr2L\t0\t1024\ttrain\n"), std::string::npos);
  EXPECT_NE(bed.find("chr2R\t1013\t2037\ttest\n"), std::string::npos);
  EXPECT_EQ(bed.find("chr2R\t1013\t2037\ttrain"), std::string::npos);
  const auto manifest = nlohmann::json::parse(testing::read_file(out + "/manifest.json"));
  EXPECT_EQ(manifest["options"]["split"], "chrom");
  EXPECT_EQ(manifest["options"]["transform"], "none");
  EXPECT_EQ(manifest["splits"]["test"]["windows"], 145);
}

TEST_F(PrepCli, HelpExplainsEachOption) {
  const auto help = testing::run_command(std::string(EPIBOOK_CLI) + " prep --help");
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--bigwig", "--regions", "--out", "--preset", "--window", "--stride", "--window-tail",
                             "--bin", "--input-bin", "--transform", "--no-arcsinh", "--threshold", "--label-rule",
                             "--split", "--val-chroms", "--test-chroms", "--seed", "--fractions", "--hash-block"}) {
    EXPECT_NE(help.output.find(option), std::string::npos) << option;
  }
  EXPECT_NE(help.output.find("tutorial1"), std::string::npos);
}

}  // namespace
}  // namespace epibook
