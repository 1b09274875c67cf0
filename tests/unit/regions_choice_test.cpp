// Region choice (regions.h): GC content, exclusion lookups, peak windows and jitter,
// GC matching, and the whole recipe on a genome made here whose peaks sit in GC-rich
// stretches, so that unmatched negatives would differ from the positives by GC.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "audit_test_genome.h"
#include "epibook/audit.h"
#include "epibook/regions.h"
#include "epibook/statistics.h"

namespace epibook {
namespace {

FastaIndex genome_index(std::vector<std::pair<std::string, uint64_t>> chroms) {
  FastaIndex index;
  for (const auto& [name, length] : chroms) index.entries.push_back(FaiEntry{name, length, 0, 60, 61});
  return index;
}

BedRecord peak(const std::string& chrom, uint64_t start, uint64_t end, int64_t summit = -1) {
  BedRecord record;
  record.region = Region{chrom, start, end};
  record.peak = summit;
  return record;
}

TEST(GcFraction, CountsGAndCInEitherCaseOverAcgtOnly) {
  EXPECT_DOUBLE_EQ(gc_fraction("ACGT"), 0.5);
  EXPECT_DOUBLE_EQ(gc_fraction("ggcA"), 0.75);
  EXPECT_DOUBLE_EQ(gc_fraction("GCNNNNNNAT"), 0.5);
  EXPECT_TRUE(std::isnan(gc_fraction("NNNN")));
  EXPECT_TRUE(std::isnan(gc_fraction("")));
}

TEST(UnknownBaseFraction, CountsEverythingButAcgt) {
  EXPECT_DOUBLE_EQ(unknown_base_fraction("ACGTNNRY"), 0.5);
  EXPECT_DOUBLE_EQ(unknown_base_fraction("acgt"), 0.0);
  EXPECT_DOUBLE_EQ(unknown_base_fraction(""), 0.0);
}

TEST(RegionIndex, FindsSharedBasesButNotBookEndedNeighbours) {
  const std::vector<Region> excluded = {{"chr1", 100, 200}, {"chr1", 150, 300}, {"chr2", 0, 10}, {"chr1", 500, 500}};
  const RegionIndex index(excluded);
  EXPECT_EQ(index.merged_size(), 2u);  // chr1:100-300 merged, chr2:0-10; the empty one dropped
  EXPECT_TRUE(index.overlaps({"chr1", 299, 400}));
  EXPECT_TRUE(index.overlaps({"chr1", 0, 101}));
  EXPECT_TRUE(index.overlaps({"chr1", 120, 130}));
  EXPECT_FALSE(index.overlaps({"chr1", 300, 400}));
  EXPECT_FALSE(index.overlaps({"chr1", 0, 100}));
  EXPECT_FALSE(index.overlaps({"chr1", 450, 600}));
  EXPECT_FALSE(index.overlaps({"chr3", 0, 1000}));
  EXPECT_TRUE(index.overlaps({"chr2", 9, 20}));
}

TEST(PeakWindows, CentreOnTheSummitWhenInsideThePeakElseOnTheMidpoint) {
  const FastaIndex genome = genome_index({{"chr1", 100000}});
  const std::vector<BedRecord> peaks = {peak("chr1", 10000, 10400, 100), peak("chr1", 20000, 20400),
                                        peak("chr1", 30000, 30400, 400)};
  auto windows = peak_windows(peaks, 1000, genome);
  ASSERT_TRUE(windows.is_ok()) << windows.status().message();
  ASSERT_EQ(windows->windows.size(), 3u);
  EXPECT_EQ(windows->windows[0], (Region{"chr1", 9600, 10600}));   // summit 10,100
  EXPECT_EQ(windows->windows[1], (Region{"chr1", 19700, 20700}));  // midpoint 20,200
  EXPECT_EQ(windows->windows[2], (Region{"chr1", 29700, 30700}));  // summit off the peak: midpoint
}

TEST(PeakWindows, MoveInsideChromosomeEndsAndSkipShortChromosomes) {
  const FastaIndex genome = genome_index({{"chr1", 5000}, {"chrM", 800}});
  const std::vector<BedRecord> peaks = {peak("chr1", 0, 100), peak("chr1", 4950, 5000), peak("chrM", 10, 50)};
  auto windows = peak_windows(peaks, 1000, genome);
  ASSERT_TRUE(windows.is_ok());
  ASSERT_EQ(windows->windows.size(), 2u);
  EXPECT_EQ(windows->windows[0], (Region{"chr1", 0, 1000}));
  EXPECT_EQ(windows->windows[1], (Region{"chr1", 4000, 5000}));
  EXPECT_EQ(windows->too_short_chromosome, 1u);
}

TEST(PeakWindows, PeakOnAChromosomeMissingFromTheGenomeNamesIt) {
  const FastaIndex genome = genome_index({{"chr2R", 5000}});
  const std::vector<BedRecord> peaks = {peak("2R", 100, 200)};
  auto windows = peak_windows(peaks, 100, genome);
  ASSERT_FALSE(windows.is_ok());
  EXPECT_NE(windows.status().message().find("2R:100-200: chromosome 2R is not in the genome (it has chr2R)"),
            std::string::npos)
      << windows.status().message();
}

TEST(JitterWindows, ShiftWithinTheBoundByCoordinatesNotByPosition) {
  const FastaIndex genome = genome_index({{"chr1", 1000000}});
  std::vector<Region> windows;
  for (uint64_t i = 1; i <= 200; ++i) windows.push_back(Region{"chr1", i * 4000, i * 4000 + 500});
  auto jittered = jitter_windows(windows, 50, 3, genome);
  ASSERT_TRUE(jittered.is_ok());
  std::map<int64_t, int> shifts;
  for (size_t i = 0; i < windows.size(); ++i) {
    const int64_t shift = static_cast<int64_t>((*jittered)[i].start) - static_cast<int64_t>(windows[i].start);
    EXPECT_LE(std::abs(shift), 50);
    EXPECT_EQ((*jittered)[i].length(), 500u);
    ++shifts[shift];
  }
  EXPECT_GT(shifts.size(), 50u);  // spread over the range, not a constant
  std::vector<Region> reversed(windows.rbegin(), windows.rend());
  auto again = jitter_windows(reversed, 50, 3, genome);
  ASSERT_TRUE(again.is_ok());
  for (size_t i = 0; i < windows.size(); ++i) EXPECT_EQ((*again)[windows.size() - 1 - i], (*jittered)[i]);
  auto other_seed = jitter_windows(windows, 50, 4, genome);
  ASSERT_TRUE(other_seed.is_ok());
  EXPECT_NE(*other_seed, *jittered);
}

TEST(JitterWindows, KeepWindowsInsideTheirChromosome) {
  const FastaIndex genome = genome_index({{"chr1", 1000}});
  const std::vector<Region> windows(50, Region{"chr1", 0, 1000});
  auto jittered = jitter_windows(windows, 200, 1, genome);
  ASSERT_TRUE(jittered.is_ok());
  for (const Region& w : *jittered) EXPECT_EQ(w, (Region{"chr1", 0, 1000}));
}

TEST(MatchGc, NegativesFollowThePositivesHistogramTimesTheRatio) {
  const std::vector<double> positives = {0.62, 0.64, 0.66, 0.41, 0.42, std::nan("")};
  std::vector<double> candidates;
  for (int i = 0; i < 100; ++i) candidates.push_back(0.2 + 0.005 * i);  // 0.200 .. 0.695
  auto match = match_gc(positives, candidates, {2.0, 10, 1});
  ASSERT_TRUE(match.is_ok());
  EXPECT_EQ(match->wanted, 10u);
  EXPECT_EQ(match->shortfall, 0u);
  EXPECT_EQ(match->borrowed, 0u);
  ASSERT_EQ(match->chosen.size(), 10u);
  int in_60s = 0, in_40s = 0;
  for (size_t i : match->chosen) {
    in_60s += candidates[i] >= 0.6 && candidates[i] < 0.7;
    in_40s += candidates[i] >= 0.4 && candidates[i] < 0.5;
  }
  EXPECT_EQ(in_60s, 6);
  EXPECT_EQ(in_40s, 4);
  EXPECT_TRUE(std::is_sorted(match->chosen.begin(), match->chosen.end()));
}

TEST(MatchGc, BorrowsFromTheNearestBinThenReportsTheShortfall) {
  const std::vector<double> positives = {0.55, 0.55, 0.55};
  const std::vector<double> candidates = {0.51, 0.62, 0.95, 0.05};
  auto match = match_gc(positives, candidates, {2.0, 10, 1});
  ASSERT_TRUE(match.is_ok());
  EXPECT_EQ(match->wanted, 6u);
  EXPECT_EQ(match->chosen.size(), 4u);  // 0.51 in its bin, then 0.62, 0.05 and 0.95 borrowed by distance
  EXPECT_EQ(match->borrowed, 3u);
  EXPECT_EQ(match->shortfall, 2u);
}

TEST(MatchGc, SameSeedSameChoiceOtherSeedAnother) {
  std::vector<double> positives(20, 0.5), candidates(200, 0.52);
  auto a = match_gc(positives, candidates, {1.0, 20, 8});
  auto b = match_gc(positives, candidates, {1.0, 20, 8});
  auto c = match_gc(positives, candidates, {1.0, 20, 9});
  ASSERT_TRUE(a.is_ok() && b.is_ok() && c.is_ok());
  EXPECT_EQ(a->chosen, b->chosen);
  EXPECT_NE(a->chosen, c->chosen);
}

TEST(MatchGc, RefusesZeroBinsAndNegativeRatios) {
  const std::vector<double> some = {0.5};
  EXPECT_FALSE(match_gc(some, some, {1.0, 0, 1}).is_ok());
  EXPECT_FALSE(match_gc(some, some, {-1.0, 10, 1}).is_ok());
}

TEST(RegionPresets, AreNamedAndValid) {
  for (const std::string& name : region_preset_names()) {
    auto options = region_preset(name);
    ASSERT_TRUE(options.is_ok()) << name;
    EXPECT_TRUE(validate_region_options(*options).is_ok()) << name;
  }
  EXPECT_EQ(region_preset("gc-matched-3x")->negatives_per_positive, 3.0);
  EXPECT_EQ(region_preset("tiling")->mode, RegionMode::kTiling);
  EXPECT_FALSE(region_preset("nope").is_ok());
}

TEST(RegionOptions, ChromosomeSplitWithoutChromosomesIsRefused) {
  RegionOptions options;
  options.split = SplitMethod::kChromosome;
  EXPECT_FALSE(validate_region_options(options).is_ok());
  options.test_chroms = {"chr2"};
  EXPECT_TRUE(validate_region_options(options).is_ok());
}

// chr1 and chr2 alternate 10 kb stretches of GC 0.3 and 0.6; every peak sits in a
// GC-rich stretch; chr2 has a 20 kb run of N and an exclusion list entry.
class ChooseRegions : public ::testing::Test {
 protected:
  void SetUp() override {
    CounterRng rng(11);
    std::string chr1, chr2;
    for (int block = 0; block < 30; ++block) chr1 += testing::random_bases(rng, 10000, block % 2 ? 0.6 : 0.3);
    for (int block = 0; block < 20; ++block) chr2 += testing::random_bases(rng, 10000, block % 2 ? 0.6 : 0.3);
    std::fill(chr2.begin() + 100000, chr2.begin() + 120000, 'N');
    const std::string dir = testing::scratch_dir("choose-regions");
    auto genome = FastaReader::open(testing::write_genome(dir, {{"chr1", chr1}, {"chr2", chr2}}));
    ASSERT_TRUE(genome.is_ok()) << genome.status().message();
    genome_ = std::make_unique<FastaReader>(std::move(genome).value());
    for (uint64_t block = 1; block < 30; block += 2) {
      peaks_.push_back(peak("chr1", block * 10000 + 3000, block * 10000 + 3400, 200));
      peaks_.push_back(peak("chr1", block * 10000 + 7000, block * 10000 + 7300));
    }
    for (uint64_t block = 1; block < 10; block += 2) peaks_.push_back(peak("chr2", block * 10000 + 5000, block * 10000 + 5200));
    exclusions_ = {Region{"chr2", 150000, 170000}, Region{"chr1", 13000, 13100}};
  }

  std::unique_ptr<FastaReader> genome_;
  std::vector<BedRecord> peaks_;
  std::vector<Region> exclusions_;
};

TEST_F(ChooseRegions, NegativesAreGcMatchedAndAvoidPeaksExclusionsAndN) {
  RegionOptions options;
  options.negatives_per_positive = 2.0;
  auto set = choose_regions(*genome_, peaks_, exclusions_, options);
  ASSERT_TRUE(set.is_ok()) << set.status().message();
  const RegionSummary& s = set->summary;
  EXPECT_EQ(s.peaks, peaks_.size());
  EXPECT_EQ(s.positives_excluded, 1u);  // the peak at chr1:13,000
  EXPECT_EQ(s.positives, peaks_.size() - 1);
  EXPECT_EQ(s.negatives, 2 * s.positives);
  EXPECT_EQ(s.gc_shortfall, 0u);

  std::vector<Region> peak_regions, positive_windows;
  for (const BedRecord& p : peaks_) peak_regions.push_back(p.region);
  const RegionIndex peak_index(peak_regions), excluded(exclusions_);
  std::vector<double> positive_gc, negative_gc;
  for (const ChosenWindow& w : set->windows) {
    EXPECT_EQ(w.region.length(), 1000u);
    EXPECT_FALSE(excluded.overlaps(w.region)) << format_region(w.region);
    if (w.label == kPeakLabel) {
      positive_gc.push_back(w.gc);
      positive_windows.push_back(w.region);
    } else {
      negative_gc.push_back(w.gc);
      EXPECT_FALSE(peak_index.overlaps(w.region)) << format_region(w.region);
      EXPECT_FALSE(w.region.chrom == "chr2" && w.region.end > 100000 && w.region.start < 120000)
          << "an N-only window was chosen: " << format_region(w.region);
    }
  }
  const RegionIndex positive_index(positive_windows);
  for (const ChosenWindow& w : set->windows) {
    if (w.label != kPeakLabel) {
      EXPECT_FALSE(positive_index.overlaps(w.region)) << format_region(w.region);
    }
  }
  // Matched: the two GC distributions agree; unmatched tiles would not.
  EXPECT_LT(s.positive_negative_gc_ks, 0.15);
  EXPECT_NEAR(ks_statistic(positive_gc, negative_gc), s.positive_negative_gc_ks, 1e-12);
  std::vector<double> all_tiles_gc;
  for (uint64_t start = 0; start + 1000 <= 300000; start += 1000) {
    all_tiles_gc.push_back(gc_fraction(*genome_->fetch(Region{"chr1", start, start + 1000})));
  }
  EXPECT_GT(ks_statistic(positive_gc, all_tiles_gc), 0.4);
}

TEST_F(ChooseRegions, WindowsComeInGenomeOrderWithTheSplitOfTheirCoordinates) {
  RegionOptions options;
  options.jitter = 100;
  options.seed = 5;
  auto set = choose_regions(*genome_, peaks_, exclusions_, options);
  ASSERT_TRUE(set.is_ok());
  std::vector<Region> regions;
  for (const ChosenWindow& w : set->windows) regions.push_back(w.region);
  for (size_t i = 1; i < regions.size(); ++i) {
    const bool ordered = regions[i - 1].chrom != regions[i].chrom ? regions[i - 1].chrom == "chr1"
                                                                    : regions[i - 1].start <= regions[i].start;
    EXPECT_TRUE(ordered) << format_region(regions[i - 1]) << " then " << format_region(regions[i]);
  }
  auto splits = split_by_hash(regions, 5, SplitFractions{});
  ASSERT_TRUE(splits.is_ok());
  for (size_t i = 0; i < regions.size(); ++i) EXPECT_EQ(set->windows[i].split, (*splits)[i]);
  auto again = choose_regions(*genome_, peaks_, exclusions_, options);
  ASSERT_TRUE(again.is_ok());
  EXPECT_EQ(format_region_set_bed(*again), format_region_set_bed(*set));
}

TEST_F(ChooseRegions, ChromosomeSplitHoldsOutTheNamedChromosome) {
  RegionOptions options;
  options.split = SplitMethod::kChromosome;
  options.test_chroms = {"chr2"};
  auto set = choose_regions(*genome_, peaks_, exclusions_, options);
  ASSERT_TRUE(set.is_ok()) << set.status().message();
  for (const ChosenWindow& w : set->windows) EXPECT_EQ(w.split, w.region.chrom == "chr2" ? Split::kTest : Split::kTrain);
}

TEST_F(ChooseRegions, TilingLabelsEveryTileByPeakOverlap) {
  RegionOptions options = *region_preset("tiling");
  options.width = 2000;
  auto set = choose_regions(*genome_, peaks_, exclusions_, options);
  ASSERT_TRUE(set.is_ok()) << set.status().message();
  // chr1: 150 tiles, one excluded; chr2: 100 tiles, 10 with N, 10 excluded.
  EXPECT_EQ(set->windows.size(), 149u + 80u);
  std::vector<Region> peak_regions;
  for (const BedRecord& p : peaks_) peak_regions.push_back(p.region);
  const RegionIndex peak_index(peak_regions);
  uint64_t positives = 0;
  for (const ChosenWindow& w : set->windows) {
    EXPECT_EQ(w.label == kPeakLabel, peak_index.overlaps(w.region)) << format_region(w.region);
    positives += w.label == kPeakLabel;
  }
  EXPECT_EQ(positives, set->summary.positives);
  EXPECT_EQ(positives, peaks_.size() - 1);  // the excluded peak's tile is gone
}

TEST_F(ChooseRegions, BedHasSplitAndLabelColumns) {
  auto set = choose_regions(*genome_, peaks_, exclusions_, RegionOptions{});
  ASSERT_TRUE(set.is_ok());
  const std::string bed = format_region_set_bed(*set);
  auto back = parse_split_windows(bed, "regions.bed");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  ASSERT_EQ(back->windows.size(), set->windows.size());
  for (size_t i = 0; i < back->windows.size(); ++i) {
    EXPECT_EQ(back->windows[i], set->windows[i].region);
    EXPECT_EQ(back->splits[i], set->windows[i].split);
    EXPECT_EQ(back->labels[i], set->windows[i].label);
  }
}

TEST_F(ChooseRegions, PeaksOnAnUnknownChromosomeAreAnError) {
  std::vector<BedRecord> peaks = peaks_;
  peaks.push_back(peak("chrX", 10, 20));
  auto set = choose_regions(*genome_, peaks, exclusions_, RegionOptions{});
  ASSERT_FALSE(set.is_ok());
  EXPECT_NE(set.status().message().find("chrX:10-20"), std::string::npos) << set.status().message();
}

}  // namespace
}  // namespace epibook
