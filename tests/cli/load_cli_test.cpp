// `epibook load` as a user meets it: it streams every window of the genome, reports
// the same checksum on any thread count, and turns bad input into one clear message
// and exit code 1.
#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"

namespace epibook {
namespace {

class LoadCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::scratch_dir("load-cli-data"));
    // Genome (chrA 60,000 bp, chrB 41,234 bp) and three tracks written by pysam and pyBigWig.
    const auto made = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_TEST_SOURCE_DIR +
                                           "/golden/loader_reference.py make " + *dir_);
    ASSERT_EQ(made.exit_code, 0) << made.output;
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static testing::CommandResult load(const std::string& arguments) {
    return testing::run_command(std::string(EPIBOOK_CLI) + " load -q --fasta " + *dir_ + "/genome.fa --track " +
                                *dir_ + "/track0.bw --track " + *dir_ + "/track1.bw " + arguments);
  }
  // The checksum line of a run's report.
  static std::string checksum_of(const std::string& output) {
    const size_t at = output.find("checksum:");
    return at == std::string::npos ? "" : output.substr(at, output.find('\n', at) - at);
  }

  static std::string* dir_;
};

std::string* LoadCli::dir_ = nullptr;

TEST_F(LoadCli, WholeGenome_LoadsEveryWindowOnce_AndReportsRateAndMemory) {
  const auto run = load("--window 1000 --batch 16");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // 60 windows on chrA and 41 on chrB: 101 samples in 7 batches.
  EXPECT_NE(run.output.find("loaded 101 samples (7 batches of up to 16) from 101 windows of 1,000 bp, 2 tracks"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("samples/s, 1 worker threads, peak memory"), std::string::npos) << run.output;
  EXPECT_NE(checksum_of(run.output), "");
}

TEST_F(LoadCli, SameSeed_SameChecksum_OnOneAndTwoThreads_AnotherSeedAnother) {
  const std::string augmented = "--window 500 --batch 10 --bin 25 --transform arcsinh --reverse-complement "
                                "--max-shift 40 --epochs 2 --seed 5 --threads ";
  const auto one = load(augmented + "1");
  const auto two = load(augmented + "2");
  const auto inline_built = load(augmented + "0");
  ASSERT_EQ(one.exit_code, 0) << one.output;
  ASSERT_EQ(two.exit_code, 0) << two.output;
  ASSERT_EQ(inline_built.exit_code, 0) << inline_built.output;
  EXPECT_EQ(checksum_of(one.output), checksum_of(two.output));
  EXPECT_EQ(checksum_of(one.output), checksum_of(inline_built.output));
  const auto other_seed = load("--window 500 --batch 10 --bin 25 --transform arcsinh --reverse-complement "
                               "--max-shift 40 --epochs 2 --seed 6 --threads 2");
  ASSERT_EQ(other_seed.exit_code, 0) << other_seed.output;
  EXPECT_NE(checksum_of(one.output), checksum_of(other_seed.output));
}

TEST_F(LoadCli, RegionsAndMaxBatches_LimitWhatIsLoaded) {
  const auto run = load("--window 1000 --batch 4 --regions chrA:0-20,000 --max-batches 3");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("loaded 12 samples (3 batches of up to 4) from 20 windows"), std::string::npos)
      << run.output;
}

TEST_F(LoadCli, BadInput_GivesOneMessageAndExitCode1) {
  const auto missing = load("--track " + *dir_ + "/absent.bw");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("epibook: "), std::string::npos) << missing.output;
  EXPECT_NE(missing.output.find("absent.bw"), std::string::npos) << missing.output;

  const auto bin = load("--window 1000 --bin 300");
  EXPECT_EQ(bin.exit_code, 1);
  EXPECT_NE(bin.output.find("window length 1,000 is not a multiple of bin 300"), std::string::npos) << bin.output;

  const auto off_genome = load("--regions chrZ:0-5,000");
  EXPECT_EQ(off_genome.exit_code, 1);
  EXPECT_NE(off_genome.output.find("chromosome chrZ is not in"), std::string::npos) << off_genome.output;

  const auto sampler = load("--sampler balanced");
  EXPECT_EQ(sampler.exit_code, 1);
  EXPECT_NE(sampler.output.find("needs a label per example"), std::string::npos) << sampler.output;
}

}  // namespace
}  // namespace epibook
