// Splits: stable whatever the order of the windows, close to the requested fractions,
// chromosomes where they were asked for, clear errors for impossible requests.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "epibook/random.h"
#include "epibook/split.h"

namespace epibook {
namespace {

std::vector<Region> tiled(const std::string& chrom, uint64_t count, uint64_t width) {
  std::vector<Region> windows;
  for (uint64_t i = 0; i < count; ++i) windows.push_back(Region{chrom, i * width, (i + 1) * width});
  return windows;
}

TEST(SplitKey, IsRegionTextWithPlainDigits) {
  EXPECT_EQ(split_key(Region{"chr2L", 1024000, 1025024}), "chr2L:1024000-1025024");
  EXPECT_EQ(split_block_key(Region{"chr2L", 1999999, 2001023}, 1000000), "chr2L:1000000-2000000");
}

TEST(SplitByHash, DependsOnlyOnEachWindowNotOnOrder) {
  std::vector<Region> windows = tiled("chr1", 500, 1000);
  const std::vector<Region> chr2 = tiled("chr2", 500, 1000);
  windows.insert(windows.end(), chr2.begin(), chr2.end());
  auto before = split_by_hash(windows, 5, SplitFractions{});
  ASSERT_TRUE(before.is_ok());
  std::map<std::string, Split> by_key;
  for (size_t i = 0; i < windows.size(); ++i) by_key[split_key(windows[i])] = (*before)[i];

  std::vector<Region> shuffled = windows;
  CounterRng rng(99);
  for (size_t i = shuffled.size() - 1; i > 0; --i) std::swap(shuffled[i], shuffled[rng.next_below(i + 1)]);
  ASSERT_NE(shuffled, windows);
  auto after = split_by_hash(shuffled, 5, SplitFractions{});
  ASSERT_TRUE(after.is_ok());
  for (size_t i = 0; i < shuffled.size(); ++i) EXPECT_EQ((*after)[i], by_key[split_key(shuffled[i])]);

  // A subset of the windows keeps each window's split too.
  const std::vector<Region> subset(windows.begin() + 100, windows.begin() + 130);
  auto part = split_by_hash(subset, 5, SplitFractions{});
  ASSERT_TRUE(part.is_ok());
  for (size_t i = 0; i < subset.size(); ++i) EXPECT_EQ((*part)[i], (*before)[100 + i]);
}

TEST(SplitByHash, SeedChangesTheAssignment) {
  const std::vector<Region> windows = tiled("chr1", 1000, 1000);
  auto a = split_by_hash(windows, 1, SplitFractions{});
  auto b = split_by_hash(windows, 2, SplitFractions{});
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  EXPECT_NE(*a, *b);
}

TEST(SplitByHash, FractionsAreCloseToRequestedOnTenThousandWindows) {
  const std::vector<Region> windows = tiled("chr3R", 10000, 1024);
  const SplitFractions fractions{0.7, 0.2, 0.1};
  auto splits = split_by_hash(windows, 1, fractions);
  ASSERT_TRUE(splits.is_ok());
  double counts[3] = {0, 0, 0};
  for (Split s : *splits) counts[static_cast<int>(s)] += 1;
  // Binomial standard deviation at n = 10,000 is at most 0.005; allow four of them.
  EXPECT_NEAR(counts[0] / 10000, 0.7, 0.02);
  EXPECT_NEAR(counts[1] / 10000, 0.2, 0.02);
  EXPECT_NEAR(counts[2] / 10000, 0.1, 0.02);
}

TEST(SplitByHash, MatchesTheDocumentedKeyAndMapping) {
  const Region window{"chr1", 0, 1000};
  const double unit = static_cast<double>(stable_hash("chr1:0-1000", 1) >> 11) * 0x1.0p-53;
  EXPECT_DOUBLE_EQ(split_unit_value("chr1:0-1000", 1), unit);
  auto split = split_by_hash(std::vector<Region>{window}, 1, SplitFractions{});
  ASSERT_TRUE(split.is_ok());
  EXPECT_EQ((*split)[0], split_for_unit_value(unit, SplitFractions{}));
  EXPECT_EQ(split_for_unit_value(0.0, SplitFractions{}), Split::kTrain);
  EXPECT_EQ(split_for_unit_value(0.85, SplitFractions{}), Split::kValidation);
  EXPECT_EQ(split_for_unit_value(0.95, SplitFractions{}), Split::kTest);
}

TEST(SplitByHash, BadFractionsGiveClearErrors) {
  const std::vector<Region> windows = tiled("chr1", 10, 100);
  auto negative = split_by_hash(windows, 1, SplitFractions{1.1, -0.1, 0.0});
  ASSERT_FALSE(negative.is_ok());
  EXPECT_NE(negative.status().message().find("train fraction must lie between 0 and 1"), std::string::npos)
      << negative.status().message();
  auto short_sum = split_by_hash(windows, 1, SplitFractions{0.8, 0.1, 0.05});
  ASSERT_FALSE(short_sum.is_ok());
  EXPECT_NE(short_sum.status().message().find("sum to 0.95"), std::string::npos) << short_sum.status().message();
  EXPECT_FALSE(parse_split_fractions("0.8,0.1").is_ok());
  EXPECT_FALSE(parse_split_fractions("0.8,0.1,x").is_ok());
  EXPECT_FALSE(parse_split_fractions("0.8,0.1,0.1,0").is_ok());
  auto parsed = parse_split_fractions("0.6,0.2,0.2");
  ASSERT_TRUE(parsed.is_ok()) << parsed.status().message();
  EXPECT_DOUBLE_EQ(parsed->validation, 0.2);
}

TEST(SplitByHashGrouped, WindowsInOneBlockShareASplit) {
  // Overlapping 1 kb windows every 100 bp over 20 Mb: per window, neighbours straddle
  // splits; grouped by 1 Mb, all windows starting in one block go together.
  std::vector<Region> windows;
  for (uint64_t start = 0; start + 1000 <= 20000000; start += 100) windows.push_back(Region{"chr2L", start, start + 1000});
  auto grouped = split_by_hash_grouped(windows, 3, SplitFractions{}, 1000000);
  auto single = split_by_hash(windows, 3, SplitFractions{});
  ASSERT_TRUE(grouped.is_ok() && single.is_ok());
  size_t grouped_changes = 0, single_changes = 0;
  for (size_t i = 1; i < windows.size(); ++i) {
    if ((*grouped)[i] != (*grouped)[i - 1]) {
      ++grouped_changes;
      EXPECT_EQ(windows[i].start % 1000000, 0u) << "a split may change only where a block starts";
    }
    if ((*single)[i] != (*single)[i - 1]) ++single_changes;
  }
  EXPECT_LT(grouped_changes, 20u);
  EXPECT_GT(single_changes, 10000u);
}

TEST(SplitByChromosome, PutsNamedChromosomesWhereAsked) {
  std::vector<Region> windows;
  for (const char* chrom : {"chr2L", "chr2R", "chr3L", "chr3R", "chrX"}) {
    const auto some = tiled(chrom, 3, 1000);
    windows.insert(windows.end(), some.begin(), some.end());
  }
  const std::vector<std::string> validation = {"chr2R"};
  const std::vector<std::string> test = {"chr3L", "chrX"};
  auto splits = split_by_chromosome(windows, validation, test);
  ASSERT_TRUE(splits.is_ok()) << splits.status().message();
  for (size_t i = 0; i < windows.size(); ++i) {
    const std::string& chrom = windows[i].chrom;
    const Split expected = chrom == "chr2R" ? Split::kValidation
                           : (chrom == "chr3L" || chrom == "chrX") ? Split::kTest
                                                                   : Split::kTrain;
    EXPECT_EQ((*splits)[i], expected) << chrom;
  }
}

TEST(SplitByChromosome, ChromosomeInBothListsIsAnError) {
  const auto windows = tiled("chr2L", 3, 1000);
  const std::vector<std::string> both = {"chr2L"};
  auto splits = split_by_chromosome(windows, both, both);
  ASSERT_FALSE(splits.is_ok());
  EXPECT_NE(splits.status().message().find("chr2L is named for both validation and test"), std::string::npos);
}

TEST(SplitByChromosome, NamedChromosomeWithoutWindowsIsAnError) {
  const auto windows = tiled("chr2L", 3, 1000);
  const std::vector<std::string> test = {"2L"};
  auto splits = split_by_chromosome(windows, {}, test);
  ASSERT_FALSE(splits.is_ok());
  EXPECT_NE(splits.status().message().find("test chromosome 2L has no windows (windows are on chr2L)"),
            std::string::npos)
      << splits.status().message();
}

}  // namespace
}  // namespace epibook
