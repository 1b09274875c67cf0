// The simulator is a pure function of (seed, options): the same seed gives the same
// bytes, another seed another genome, and the fingerprints pinned here hold natively
// and in wasm (this suite runs in both), so the browser's toy data is the CLI's.
#include <gtest/gtest.h>

#include "epibook/fastq.h"
#include "epibook/random.h"
#include "epibook/sim.h"
#include "support/test_support.h"

namespace epibook {
namespace {

SimOptions pinned_options() {
  SimOptions options;
  options.seed = 20261125;
  options.chromosome_lengths = {50'000, 30'010};  // the second ends in a short bin
  options.depths = {1.0, 0.5};
  options.gc_bias = 0.5;
  options.fastq_reads = 200;
  options.chip_reads = 2'000;
  options.control_reads = 1'000;
  options.chip_sticky_per_mb = 0;  // pinned before sticky regions existed
  return options;
}

std::string run(const std::string& name, const SimOptions& options) {
  const std::string dir = testing::scratch_dir(name);
  Result<SimSummary> summary = simulate(options, dir);
  EXPECT_TRUE(summary.is_ok()) << summary.status().message();
  return dir;
}

uint64_t file_hash(const std::string& path) { return stable_hash(testing::read_file(path)); }

// The reads' content, independent of how zlib packs it.
uint64_t fastq_content_hash(const std::string& path) {
  Result<std::vector<FastqRecord>> reads = read_fastq(path);
  EXPECT_TRUE(reads.is_ok()) << reads.status().message();
  std::string all;
  for (const FastqRecord& read : *reads) {
    all += read.name + read.sequence;
    all.append(read.quality.begin(), read.quality.end());
  }
  return stable_hash(all);
}

TEST(SimDeterminism, SameSeed_SameBytesInEveryFile) {
  const SimOptions options = pinned_options();
  const std::string first = run("sim_same_1", options);
  const std::string second = run("sim_same_2", options);
  for (const char* file : {"genome.fa", "genome.fa.fai", "celltypeA.depth1x.bw", "celltypeC.depth0.5x.bw",
                           "celltypeB.narrowPeak", "truth.json", "reads.fastq.gz", "chipseq/treat.bed",
                           "chipseq/control.bed", "chipseq/truth_peaks.bed"}) {
    const std::string bytes = testing::read_file(first + "/" + file);
    EXPECT_FALSE(bytes.empty()) << file;
    EXPECT_EQ(bytes, testing::read_file(second + "/" + file)) << file;
  }
}

TEST(SimDeterminism, AnotherSeed_AnotherGenomeAndTracks) {
  SimOptions options = pinned_options();
  const std::string first = run("sim_seed_1", options);
  options.seed += 1;
  const std::string second = run("sim_seed_2", options);
  EXPECT_NE(testing::read_file(first + "/genome.fa"), testing::read_file(second + "/genome.fa"));
  EXPECT_NE(testing::read_file(first + "/celltypeA.depth1x.bw"), testing::read_file(second + "/celltypeA.depth1x.bw"));
}

TEST(SimDeterminism, PinnedFingerprints_HoldNativelyAndInWasm) {
  const std::string dir = run("sim_pinned", pinned_options());
  EXPECT_EQ(file_hash(dir + "/genome.fa"), 0xf375b4e82289d0ddULL) << "genome bases moved";
  EXPECT_EQ(file_hash(dir + "/truth.json"), 0xf208444196438b48ULL) << "planted motifs, scores or effects moved";
  EXPECT_EQ(file_hash(dir + "/celltypeA.depth1x.bw"), 0xa6969339e66ba7ccULL) << "signal (peaks, GC bias, noise) moved";
  EXPECT_EQ(file_hash(dir + "/celltypeC.depth0.5x.bw"), 0x384bc79ac6134ac5ULL) << "signal at the second depth moved";
  EXPECT_EQ(fastq_content_hash(dir + "/reads.fastq.gz"), 0x85a06c9f263106d1ULL) << "reads, qualities or errors moved";
  EXPECT_EQ(file_hash(dir + "/chipseq/treat.bed"), 0x54727d48c2e9ef26ULL) << "ChIP-seq reads moved";
}

}  // namespace
}  // namespace epibook
