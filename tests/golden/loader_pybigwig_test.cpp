// The loader against an independent rebuild of its batches (loader_reference.py:
// pyBigWig values, pysam bases, plain-Python arcsinh, bin means, reverse complement) on
// files pyBigWig and pysam wrote: every array of every batch of an augmented epoch must
// be equal to the bit, on two worker threads.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "epibook/bigwig.h"
#include "epibook/fasta.h"
#include "epibook/loader.h"
#include "epibook/npy.h"
#include "support/test_support.h"

namespace epibook {
namespace {

std::string reference_script() { return std::string(EPIBOOK_GOLDEN_DIR) + "/loader_reference.py"; }

TEST(LoaderGolden, AugmentedBinnedEpoch_EqualsPyBigWigAndPysamRebuild) {
  const std::string dir = testing::scratch_dir("loader-golden");
  const auto made = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + reference_script() + " make " + dir);
  ASSERT_EQ(made.exit_code, 0) << made.output;

  auto fasta = FastaReader::open(dir + "/genome.fa");
  ASSERT_TRUE(fasta.is_ok()) << fasta.status().message();
  std::vector<BigWigReader> readers;
  for (int t = 0; t < 3; ++t) {
    auto reader = BigWigReader::open(dir + "/track" + std::to_string(t) + ".bw");
    ASSERT_TRUE(reader.is_ok()) << reader.status().message();
    readers.push_back(std::move(reader).value());
  }
  LoaderInputs inputs;
  const std::vector<Region> chromosomes = {{"chrA", 0, 60000}, {"chrB", 0, 41234}};
  auto windows = tile_windows(chromosomes, 400, 330);  // overlapping windows, chrB's tail dropped
  ASSERT_TRUE(windows.is_ok());
  inputs.windows = *windows;
  inputs.sequence = &*fasta;
  for (const BigWigReader& reader : readers) inputs.tracks.push_back(bigwig_signal_source(reader));
  LoaderOptions options;
  options.batch_size = 48;
  options.bin = 20;
  options.transform = SignalTransform::kArcsinh;
  options.unknown_base = UnknownBase::kQuarter;
  options.reverse_complement = true;
  options.max_shift = 150;
  options.threads = 2;
  options.sampler.seed = 99;
  auto loader = BatchLoader::create(std::move(inputs), options);
  ASSERT_TRUE(loader.is_ok()) << loader.status().message();

  std::vector<float> sequence, targets;
  std::ofstream tsv(dir + "/windows.tsv");
  uint64_t samples = 0;
  ASSERT_TRUE(loader->start_epoch(0).is_ok());
  while (true) {
    auto batch = loader->next();
    ASSERT_TRUE(batch.is_ok()) << batch.status().message();
    if (!batch->has_value()) break;
    const Batch& b = **batch;
    sequence.insert(sequence.end(), b.sequence.begin(), b.sequence.end());
    targets.insert(targets.end(), b.targets.begin(), b.targets.end());
    for (uint32_t i = 0; i < b.size; ++i) {
      tsv << b.regions[i].chrom << '\t' << b.regions[i].start << '\t' << b.regions[i].end << '\t'
          << int{b.reversed[i]} << '\n';
    }
    samples += b.size;
  }
  tsv.close();
  ASSERT_EQ(samples, loader->window_count());
  const std::vector<uint64_t> sequence_shape = {samples, 4, 400}, target_shape = {samples, 3, 20};
  ASSERT_TRUE(write_npy(dir + "/sequence.npy", std::span<const float>(sequence), sequence_shape).is_ok());
  ASSERT_TRUE(write_npy(dir + "/targets.npy", std::span<const float>(targets), target_shape).is_ok());

  const auto checked =
      testing::run_command(std::string(EPIBOOK_PYTHON) + " " + reference_script() + " check " + dir + " 20");
  ASSERT_EQ(checked.exit_code, 0) << checked.output;
  EXPECT_NE(checked.output.find("windows " + std::to_string(samples) + " mismatches 0\n"), std::string::npos)
      << checked.output;
}

}  // namespace
}  // namespace epibook
