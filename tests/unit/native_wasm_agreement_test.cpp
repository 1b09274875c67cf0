// Native and WebAssembly must give the same numbers, to the bit: the book's labs and
// `epibook prep` on the same track have to agree. This suite runs in both builds and
// checks fingerprints of every stage (written bytes, values, stats, Tutorial 1 arrays)
// against constants; a build that drifts (a libm difference, a reduction order, a
// random draw) fails here, and the message says which stage moved.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "epibook/bigwig.h"
#include "epibook/bigwig_writer.h"
#include "epibook/prep.h"
#include "epibook/random.h"

namespace epibook {
namespace {

// A MACS2-like -log10(p) track in 25 bp bins with gaps and a few strong peaks, built from
// integer arithmetic on counter-based draws only, so the input itself is platform-free.
std::vector<ChromIntervals> simulated_track(const std::vector<BigWigChrom>& chroms) {
  std::vector<ChromIntervals> signal;
  CounterRng rng(20261125);
  for (const BigWigChrom& chrom : chroms) {
    ChromIntervals track{chrom.name, {}};
    for (uint32_t start = 0; start + 25 <= chrom.length; start += 25) {
      const uint64_t draw = rng.next_u64();
      if (draw % 10 == 0) continue;  // 10% of bins have no data
      const double background = static_cast<double>((draw >> 8) % 1000) / 1000.0;  // 0 .. 1
      const bool in_peak = (start / 25) % 97 < 4;
      const double peak = in_peak ? static_cast<double>((draw >> 24) % 40000) / 100.0 : 0.0;  // up to 400
      track.intervals.push_back({start, start + 25, static_cast<float>(background + peak)});
    }
    signal.push_back(std::move(track));
  }
  return signal;
}

template <typename T>
uint64_t fingerprint(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return stable_hash(bytes);
}

class NativeWasmAgreement : public ::testing::Test {
 protected:
  void SetUp() override {
    chroms_ = {{"chr2L", 0, 23011}, {"chr2R", 1, 21146}, {"chrX", 2, 22422}};
    auto bytes = bigwig_bytes(chroms_, simulated_track(chroms_));
    ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
    bytes_ = *bytes;
    auto reader = BigWigReader::open(memory_source(bytes_, "simulated.bw"));
    ASSERT_TRUE(reader.is_ok()) << reader.status().message();
    reader_.emplace(std::move(reader).value());
  }

  std::vector<BigWigChrom> chroms_;
  std::string bytes_;
  std::optional<BigWigReader> reader_;
};

TEST_F(NativeWasmAgreement, WrittenBigWigBytesAreIdentical) {
  EXPECT_EQ(bytes_.size(), 20107u);
  EXPECT_EQ(stable_hash(bytes_), 0x1861da785fcfa8d9ULL) << "writer output (data blocks, zoom summaries) moved";
}

TEST_F(NativeWasmAgreement, ValuesAndStatsAreIdentical) {
  auto values = reader_->values(*parse_region("chr2R:1,000-9,000"));
  ASSERT_TRUE(values.is_ok());
  EXPECT_EQ(fingerprint(*values), 0x614dedbd7df6aaabULL) << "per-base values moved";
  std::vector<double> all_stats;
  for (SummaryStat stat : {SummaryStat::kMean, SummaryStat::kMin, SummaryStat::kMax, SummaryStat::kSum,
                           SummaryStat::kStd, SummaryStat::kCoverage}) {
    for (bool exact : {true, false}) {
      auto stats = reader_->stats(*parse_region("chrX:0-22,422"), stat, 37, exact);
      ASSERT_TRUE(stats.is_ok()) << stats.status().message();
      all_stats.insert(all_stats.end(), stats->begin(), stats->end());
    }
  }
  EXPECT_EQ(fingerprint(all_stats), 0xe4c8cdc54cb16aacULL) << "exact or zoom statistics moved";
}

TEST_F(NativeWasmAgreement, Tutorial1DatasetIsIdentical) {
  auto options = prep_preset("tutorial1");
  ASSERT_TRUE(options.is_ok());
  std::vector<Region> regions = {{"chr2L", 0, 23011}, {"chr2R", 0, 21146}, {"chrX", 0, 22422}};
  auto dataset = prepare_dataset(*reader_, regions, *options);
  ASSERT_TRUE(dataset.is_ok()) << dataset.status().message();
  EXPECT_EQ(dataset->windows.size(), 63u);
  EXPECT_EQ(fingerprint(dataset->targets), 0xe7a19872ad3a60f8ULL) << "arcsinh / re-binning moved";
  EXPECT_EQ(fingerprint(dataset->bin_labels), 0x6c3ed131ffeb47aaULL) << "thresholding moved";
  EXPECT_EQ(fingerprint(dataset->split), 0x6eaed80fcc7a2fcULL) << "the hash split (20 kb blocks) moved";
}

}  // namespace
}  // namespace epibook
