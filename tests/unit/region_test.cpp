// Region parsing: the text form shared by the CLI, BED files and lab URLs.
#include <gtest/gtest.h>

#include "epibook/random.h"
#include "epibook/region.h"

namespace epibook {
namespace {

TEST(ParseRegion, AcceptsThousandsSeparators) {
  auto region = parse_region("chr2R:7,000,000-7,100,000");
  ASSERT_TRUE(region.is_ok()) << region.status().message();
  EXPECT_EQ(region->chrom, "chr2R");
  EXPECT_EQ(region->start, 7000000u);
  EXPECT_EQ(region->end, 7100000u);
  EXPECT_EQ(region->length(), 100000u);
}

TEST(ParseRegion, ChromosomeNamesMayContainColons) {
  auto region = parse_region("HLA-A*01:01:1-100");
  ASSERT_TRUE(region.is_ok()) << region.status().message();
  EXPECT_EQ(region->chrom, "HLA-A*01:01");
}

TEST(ParseRegion, EndBeforeStartNamesBothCoordinates) {
  auto region = parse_region("chr2L:5,000-4,000");
  ASSERT_FALSE(region.is_ok());
  EXPECT_EQ(region.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(region.status().message().find("chr2L:5,000-4,000"), std::string::npos);
  EXPECT_NE(region.status().message().find("end 4,000 is before start 5,000"), std::string::npos);
}

TEST(ParseRegion, RejectsGarbage) {
  for (const char* text : {"chr1", "chr1:", "chr1:100", ":1-2", "chr1:a-b", "chr1:-5-10", "chr1:10-10",
                           "chr1:1-99999999999999999999999"}) {
    EXPECT_FALSE(parse_region(text).is_ok()) << text;
  }
}

TEST(FormatRegion, RoundTrips) {
  Region region{"chrX", 1234567, 2345678};
  EXPECT_EQ(format_region(region), "chrX:1,234,567-2,345,678");
  EXPECT_EQ(*parse_region(format_region(region)), region);
}

TEST(StableHash, IsFixedForeverAcrossPlatforms) {
  // These constants are part of the split contract: changing them reshuffles every split.
  // Also computed independently in Python (FNV-1a 64 + SplitMix64 finaliser).
  EXPECT_EQ(stable_hash("chr1:0-1000", 1), 13283602454245233404ULL);
  EXPECT_EQ(CounterRng(42).at(0), 6877675939438641580ULL);
  EXPECT_EQ(CounterRng(42, 3).at(7), 9785881945626855646ULL);
  EXPECT_NE(stable_hash("chr1:0-1000", 1), stable_hash("chr1:0-1000", 2));
  CounterRng a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
  CounterRng c(42);
  c.seek(50);
  CounterRng d(42);
  for (int i = 0; i < 50; ++i) d.next_u64();
  EXPECT_EQ(c.next_u64(), d.next_u64());
}

TEST(CounterRng, DoublesAreInUnitInterval) {
  CounterRng rng(7);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double x = rng.next_double();
    ASSERT_GE(x, 0.0);
    ASSERT_LT(x, 1.0);
    sum += x;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

}  // namespace
}  // namespace epibook
