// `epibook simulate` as a user runs it: the help, the files a preset writes, flags that
// override the preset, the same bytes for the same seed, and clean failures (message,
// exit code 1, no partial files) for a bad option or motif file.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/test_support.h"

namespace epibook {
namespace {

testing::CommandResult run_epibook(const std::string& arguments) {
  return testing::run_command(std::string(EPIBOOK_CLI) + " " + arguments + " 2>&1");
}

// Small runs: two short chromosomes, few reads.
const std::string kSmall = "--chromosome-lengths 60000,40000 --reads 50 --chip-reads 500";

bool exists(const std::string& path) { return std::filesystem::exists(path); }

TEST(SimulateCli, Help_NamesPresetsAndOptions) {
  const auto result = run_epibook("simulate --help");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* text : {"toy", "chapter", "genome200", "--seed", "--gc-bias", "--depths", "--motif", "--out"}) {
    EXPECT_NE(result.output.find(text), std::string::npos) << text;
  }
}

TEST(SimulateCli, ToyPreset_WritesEveryFileAndReportsProgress) {
  const std::string out = testing::scratch_dir("simulate_toy") + "/toy";
  const auto result = run_epibook("simulate --preset toy --out '" + out + "'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  for (const char* file : {"genome.fa", "genome.fa.fai", "celltypeA.bw", "celltypeB.bw", "celltypeC.bw",
                           "celltypeA.narrowPeak", "truth.json", "reads.fastq.gz", "chipseq/treat.bed",
                           "chipseq/control.bed", "chipseq/truth_peaks.bed"}) {
    EXPECT_TRUE(exists(out + "/" + file)) << file;
  }
  EXPECT_NE(result.output.find("epibook simulate: genome and tracks 1,000,000 / 1,000,000"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("1,000,000 bp,"), std::string::npos) << result.output;
}

TEST(SimulateCli, Flags_OverrideThePreset) {
  const std::string out = testing::scratch_dir("simulate_flags");
  const auto result = run_epibook("simulate -q --out '" + out + "' " + kSmall +
                                  " --cell-types 2 --depths 1,0.1 --gc-bias 0.8 --seed 7");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_TRUE(result.output.empty()) << "--quiet printed: " << result.output;
  EXPECT_TRUE(exists(out + "/celltypeB.depth0.1x.bw"));
  EXPECT_FALSE(exists(out + "/celltypeC.depth1x.bw"));
  EXPECT_EQ(testing::read_file(out + "/genome.fa.fai"), "chr1\t60000\t6\t60\t61\nchr2\t40000\t61012\t60\t61\n");
  const std::string truth = testing::read_file(out + "/truth.json");
  EXPECT_NE(truth.find("\"seed\": 7,"), std::string::npos);
  EXPECT_NE(truth.find("\"gc_bias\": 0.8,"), std::string::npos);
}

TEST(SimulateCli, SameSeed_SameBytes) {
  const std::string a = testing::scratch_dir("simulate_same_a"), b = testing::scratch_dir("simulate_same_b");
  ASSERT_EQ(run_epibook("simulate -q --out '" + a + "' " + kSmall).exit_code, 0);
  ASSERT_EQ(run_epibook("simulate -q --out '" + b + "' " + kSmall).exit_code, 0);
  for (const char* file : {"genome.fa", "celltypeA.bw", "truth.json", "reads.fastq.gz", "chipseq/treat.bed"}) {
    EXPECT_EQ(testing::read_file(a + "/" + file), testing::read_file(b + "/" + file)) << file;
  }
}

TEST(SimulateCli, OwnMotifFile_IsPlanted) {
  const std::string dir = testing::scratch_dir("simulate_motif");
  testing::write_file(dir + "/ebox.txt",
                      "# E-box\nname E-box\n0.05 0.85 0.05 0.05\n0.85 0.05 0.05 0.05\n0.05 0.45 0.45 0.05\n"
                      "0.05 0.45 0.45 0.05\n0.05 0.05 0.05 0.85\n0.05 0.05 0.85 0.05\n");
  const auto result = run_epibook("simulate -q --out '" + dir + "/out' " + kSmall + " --motif '" + dir + "/ebox.txt'");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const std::string truth = testing::read_file(dir + "/out/truth.json");
  EXPECT_NE(truth.find("\"motif\": \"E-box\""), std::string::npos);
  EXPECT_EQ(truth.find("CTCF-like"), std::string::npos);
}

TEST(SimulateCli, BadInput_FailsWithMessageAndLeavesNoFiles) {
  const std::string dir = testing::scratch_dir("simulate_bad");
  auto result = run_epibook("simulate --preset huge --out '" + dir + "/a'");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("epibook: unknown simulation preset 'huge' (known: toy, chapter, genome200)"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(exists(dir + "/a"));

  testing::write_file(dir + "/bad.txt", "name Bad\n0.5 0.5 0.5 0.5\n");
  result = run_epibook("simulate --out '" + dir + "/b' --motif '" + dir + "/bad.txt'");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("bad.txt: line 2: probabilities sum to 2.0000, not 1"), std::string::npos)
      << result.output;
  EXPECT_FALSE(exists(dir + "/b"));

  result = run_epibook("simulate --out '" + dir + "/c' --cell-types 40");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("epibook: simulation option cell_types is 40; it must be between 1 and 26"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(exists(dir + "/c"));
}

}  // namespace
}  // namespace epibook
