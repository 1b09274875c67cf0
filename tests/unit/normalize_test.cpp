// Library-size normalisation (CPM, epibook/prep.h): the library size read from a
// bigWig's header equals the counts summed by hand, CPM is value x 10^6 / library, two
// depths of the same counts become the same track, and `[data] normalize = "cpm"` gives
// a dataset whose targets are that formula, before the transform.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "epibook/bigwig.h"
#include "epibook/bigwig_writer.h"
#include "epibook/byte_source.h"
#include "epibook/dataset.h"
#include "epibook/normalize.h"
#include "epibook/train.h"

namespace epibook {
namespace {

const std::vector<BigWigChrom> kChroms = {{"chrA", 0, 1000}, {"chrB", 1, 500}};

// Counts per 25 bp bin, chrA then chrB: bin i holds (7 i) mod 13 times `scale`, and
// the last bin of chrB is left without data.
std::vector<ChromIntervals> counts(float scale) {
  std::vector<ChromIntervals> out;
  uint32_t i = 0;
  for (const BigWigChrom& chrom : kChroms) {
    ChromIntervals track{chrom.name, {}};
    for (uint32_t start = 0; start + 25 <= chrom.length; start += 25, ++i) {
      if (chrom.name == "chrB" && start + 25 == chrom.length) continue;
      track.intervals.push_back({start, start + 25, scale * static_cast<float>((7 * i) % 13)});
    }
    out.push_back(std::move(track));
  }
  return out;
}

double counted_by_hand(const std::vector<ChromIntervals>& track) {
  double total = 0;
  for (const ChromIntervals& chrom : track) {
    for (const BigWigInterval& interval : chrom.intervals) total += interval.value;
  }
  return total;
}

BigWigReader reader_of(float scale, const std::string& name) {
  auto bytes = bigwig_bytes(kChroms, counts(scale));
  EXPECT_TRUE(bytes.is_ok()) << bytes.status().message();
  auto reader = BigWigReader::open(memory_source(*bytes, name));
  EXPECT_TRUE(reader.is_ok()) << reader.status().message();
  return std::move(reader).value();
}

TEST(Cpm, LibrarySizeIsTheCountsSummedOverBins) {
  const BigWigReader reader = reader_of(4.0f, "deep.bw");
  auto library = bigwig_library_size(reader, 25);
  ASSERT_TRUE(library.is_ok()) << library.status().message();
  EXPECT_NEAR(*library, counted_by_hand(counts(4.0f)), 1e-6 * *library);
  // Read per base, the same counts sum to 25 times as much.
  auto per_base = bigwig_library_size(reader, 1);
  ASSERT_TRUE(per_base.is_ok());
  EXPECT_NEAR(*per_base, 25 * *library, 1e-6 * *per_base);
}

TEST(Cpm, FactorIsAMillionOverTheLibraryAndRefusesEmptyLibraries) {
  auto factor = cpm_factor(250'000);
  ASSERT_TRUE(factor.is_ok());
  EXPECT_DOUBLE_EQ(*factor, 4.0);
  EXPECT_FALSE(cpm_factor(0).is_ok());
  EXPECT_FALSE(cpm_factor(-3).is_ok());
  EXPECT_FALSE(cpm_factor(std::numeric_limits<double>::infinity()).is_ok());
  const BigWigReader reader = reader_of(1.0f, "deep.bw");
  const auto zero_bin = bigwig_library_size(reader, 0);
  ASSERT_FALSE(zero_bin.is_ok());
  EXPECT_NE(zero_bin.status().message().find("deep.bw"), std::string::npos);
}

TEST(Cpm, ScaleMultipliesAndKeepsNaN) {
  std::vector<float> values = {0.0f, 2.0f, std::numeric_limits<float>::quiet_NaN(), 10.0f};
  scale_in_place(values, 0.5);
  EXPECT_EQ(values[0], 0.0f);
  EXPECT_EQ(values[1], 1.0f);
  EXPECT_TRUE(std::isnan(values[2]));
  EXPECT_EQ(values[3], 5.0f);
}

TEST(Cpm, TwoDepthsOfTheSameCountsBecomeTheSameTrack) {
  const BigWigReader deep = reader_of(4.0f, "deep.bw");
  const BigWigReader shallow = reader_of(1.0f, "shallow.bw");
  const std::vector<Region> regions = {{"chrA", 100, 700}, {"chrB", 0, 500}};
  std::vector<std::vector<float>> read(2, std::vector<float>(1100));
  int i = 0;
  for (const BigWigReader* reader : {&deep, &shallow}) {
    auto library = bigwig_library_size(*reader, 25);
    ASSERT_TRUE(library.is_ok());
    const SignalSource source = scaled_signal_source(bigwig_signal_source(*reader), *cpm_factor(*library));
    EXPECT_EQ(source.name, reader->name());
    ASSERT_TRUE(source.values_batch(regions, read[i++]).is_ok());
  }
  // Base 100 of chrA lies in bin 4: (7 * 4) mod 13 = 2 counts x 4 at depth "4".
  const double library = counted_by_hand(counts(4.0f));
  EXPECT_NEAR(read[0][0], 8.0 * 1e6 / library, 1e-3);
  for (size_t j = 0; j < read[0].size(); ++j) {
    if (std::isnan(read[0][j])) {
      EXPECT_TRUE(std::isnan(read[1][j])) << j;
      continue;
    }
    EXPECT_NEAR(read[0][j], read[1][j], 1e-4 * (1 + read[0][j])) << j;
  }
  EXPECT_TRUE(std::isnan(read[0][1099]));  // chrB's last bin has no data
}

TEST(Cpm, DataNormalizeCpmGivesTargetsOfTheFormulaBeforeTheTransform) {
  const auto dir = std::filesystem::temp_directory_path() / "epibook-normalize-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream fasta(dir / "genome.fa");
    for (const BigWigChrom& chrom : kChroms) fasta << ">" << chrom.name << "\n" << std::string(chrom.length, 'A') << "\n";
    std::ofstream bed(dir / "windows.bed");
    bed << "chrA\t0\t100\ttrain\t1\nchrA\t500\t600\tvalidation\t0\n";
  }
  ASSERT_TRUE(write_bigwig((dir / "track.bw").string(), kChroms, counts(3.0f)).is_ok());
  DataOptions data;
  data.genome = "genome.fa";
  data.tracks = {"track.bw"};
  data.windows = "windows.bed";
  data.bin = 25;
  data.normalize = "cpm";
  data.transform = "arcsinh";
  auto files = open_file_dataset(data, dir.string());
  ASSERT_TRUE(files.is_ok()) << files.status().message();
  TrainingData arrays;
  ASSERT_TRUE(files->dataset->prepare(arrays).is_ok());
  ASSERT_TRUE(files->dataset->fill_rows(0, files->dataset->rows(), arrays).is_ok());
  const double library = counted_by_hand(counts(3.0f));
  ASSERT_EQ(arrays.targets.size(), 8);
  for (int bin = 0; bin < 8; ++bin) {
    const int genome_bin = bin < 4 ? bin : 20 + (bin - 4);  // chrA 0-100 and 500-600
    const double count = 3.0 * ((7 * genome_bin) % 13);
    EXPECT_NEAR(arrays.targets.data()[bin], std::asinh(count * 1e6 / library), 1e-4) << bin;
  }
  data.normalize = "tpm";
  const auto refused = open_file_dataset(data, dir.string());
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("data.normalize 'tpm'"), std::string::npos) << refused.status().message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace epibook
