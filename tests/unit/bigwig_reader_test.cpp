// Unit tests of the bigWig reader on the small committed fixtures (tests/data/bigwig,
// written by make_fixtures.py, whose entries the expectations below follow), and on a
// corpus of malformed files made in memory from them: truncated, bad magic, corrupt
// blocks, offsets outside the file, loops in the index, random byte flips. Runs
// natively, in WebAssembly and under AddressSanitizer; the pyBigWig comparisons are in
// tests/golden.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

#include "epibook/bigwig.h"
#include "epibook/random.h"
#include "support/test_support.h"

namespace epibook {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

std::string fixture_bytes(const std::string& name) { return testing::read_file(testing::data_path("bigwig/" + name)); }

BigWigReader open_fixture(const std::string& name, const BigWigReadOptions& options = {}) {
  auto reader = BigWigReader::open(testing::data_path("bigwig/" + name), options);
  EXPECT_TRUE(reader.is_ok()) << reader.status().message();
  return std::move(reader).value();
}

std::vector<float> values_of(const BigWigReader& reader, const std::string& chrom, uint64_t start, uint64_t end) {
  auto values = reader.values({chrom, start, end});
  EXPECT_TRUE(values.is_ok()) << values.status().message();
  return values.is_ok() ? *values : std::vector<float>{};
}

void expect_same(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(same(got[i], want[i])) << "at " << i << ": " << got[i] << " vs " << want[i];
}

std::vector<double> stats_of(const BigWigReader& reader, const Region& region, SummaryStat stat, uint32_t bins,
                             bool exact) {
  auto result = reader.stats(region, stat, bins, exact);
  EXPECT_TRUE(result.is_ok()) << result.status().message();
  return result.is_ok() ? *result : std::vector<double>{};
}

// ---------------------------------------------------------------------------------
// The same data, stored three ways: every reading test runs on each.
class BigWigFixture : public ::testing::TestWithParam<const char*> {
 protected:
  BigWigReader reader_ = open_fixture(GetParam());
};

INSTANTIATE_TEST_SUITE_P(StoredThreeWays, BigWigFixture,
                         ::testing::Values("small.bw", "small_uncompressed.bw", "small_no_zoom.bw"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           return name.substr(0, name.find('.'));
                         });

TEST_P(BigWigFixture, Header_GivesVersionAndTotalSummary) {
  const BigWigHeader& header = reader_.header();
  EXPECT_EQ(header.magic, 0x888FFC26u);
  EXPECT_EQ(header.version, 4);
  EXPECT_EQ(header.summary.bases_covered, 50830u);  // 830 on chr1, all 50,000 of chr2
  EXPECT_EQ(header.summary.min, -2.0);
  EXPECT_EQ(header.summary.max, 7.0);
  EXPECT_EQ(header.uncompress_buf_size == 0, std::string(GetParam()) == "small_uncompressed.bw");
  EXPECT_EQ(reader_.zoom_levels().empty(), std::string(GetParam()) == "small_no_zoom.bw");
}

TEST_P(BigWigFixture, Chroms_AreListedInIdOrderWithLengths) {
  ASSERT_EQ(reader_.chroms().size(), 3u);
  EXPECT_EQ(reader_.chroms()[0].name, "chr1");
  EXPECT_EQ(reader_.chroms()[0].length, 200000u);
  EXPECT_EQ(reader_.chroms()[2].name, "chrM");
  EXPECT_EQ(reader_.chrom_length("chr2"), 50000u);
  EXPECT_EQ(reader_.chrom_length("chr7"), std::nullopt);
}

TEST_P(BigWigFixture, Values_BedGraphRunsFilledAndGapsNaN) {
  expect_same(values_of(reader_, "chr1", 97, 103), {kNaN, kNaN, kNaN, 1.5f, 1.5f, 1.5f});
  expect_same(values_of(reader_, "chr1", 198, 202), {1.5f, 1.5f, -2.0f, -2.0f});
  expect_same(values_of(reader_, "chr1", 249, 251), {-2.0f, kNaN});
}

TEST_P(BigWigFixture, Values_VariableStepCoversItsSpan) {
  expect_same(values_of(reader_, "chr1", 2008, 2012), {3.0f, 3.0f, kNaN, kNaN});
  expect_same(values_of(reader_, "chr1", 2059, 2061), {4.0f, kNaN});
}

TEST_P(BigWigFixture, Values_FixedStepRepeatsEveryStep) {
  expect_same(values_of(reader_, "chr1", 5019, 5021), {1.0f, kNaN});
  expect_same(values_of(reader_, "chr1", 5099, 5101), {kNaN, 2.0f});
  expect_same(values_of(reader_, "chr1", 5219, 5221), {3.0f, kNaN});
}

TEST_P(BigWigFixture, Values_ChromWithoutDataIsAllNaN) {
  const std::vector<float> values = values_of(reader_, "chrM", 0, 1000);
  ASSERT_EQ(values.size(), 1000u);
  for (float v : values) EXPECT_TRUE(std::isnan(v));
}

TEST_P(BigWigFixture, Intervals_AreWholeAndInFileOrder) {
  auto got = reader_.intervals({"chr1", 150, 450});
  ASSERT_TRUE(got.is_ok());
  const std::vector<BigWigInterval> want = {{100, 200, 1.5f}, {200, 250, -2.0f}, {400, 1000, 0.25f}};
  EXPECT_EQ(*got, want);
  auto fixed = reader_.intervals({"chr1", 5010, 5150});
  ASSERT_TRUE(fixed.is_ok());
  EXPECT_EQ(*fixed, (std::vector<BigWigInterval>{{5000, 5020, 1.0f}, {5100, 5120, 2.0f}}));
}

TEST_P(BigWigFixture, ExactStats_WeighValuesByBasesCovered) {
  const Region region{"chr1", 100, 250};  // 100 bases of 1.5, 50 of -2
  EXPECT_DOUBLE_EQ(stats_of(reader_, region, SummaryStat::kMean, 1, true)[0], (150.0 - 100.0) / 150.0);
  EXPECT_EQ(stats_of(reader_, region, SummaryStat::kMin, 1, true)[0], -2.0);
  EXPECT_EQ(stats_of(reader_, region, SummaryStat::kMax, 1, true)[0], 1.5);
  EXPECT_EQ(stats_of(reader_, region, SummaryStat::kSum, 1, true)[0], 50.0);
  const double mean = 50.0 / 150.0;
  const double variance = (100 * (1.5 - mean) * (1.5 - mean) + 50 * (-2 - mean) * (-2 - mean)) / 149.0;
  EXPECT_NEAR(stats_of(reader_, region, SummaryStat::kStd, 1, true)[0], std::sqrt(variance), 1e-12);
  EXPECT_EQ(stats_of(reader_, {"chr1", 0, 1000}, SummaryStat::kCoverage, 1, true)[0], 0.75);
}

TEST_P(BigWigFixture, ExactStats_BinsWithoutDataAreNaN) {
  const std::vector<double> means = stats_of(reader_, {"chr1", 0, 400}, SummaryStat::kMean, 4, true);
  ASSERT_EQ(means.size(), 4u);
  EXPECT_TRUE(std::isnan(means[0]));
  EXPECT_EQ(means[1], 1.5);
  EXPECT_EQ(means[2], -2.0);
  EXPECT_TRUE(std::isnan(means[3]));
}

// More bins than bases leaves empty bins; like libBigWig, an empty bin inside an
// interval has no mean but does see the interval's value as its max.
TEST_P(BigWigFixture, ExactStats_EmptyBinsFollowLibBigWig) {
  const Region region{"chr1", 150, 152};
  const std::vector<double> means = stats_of(reader_, region, SummaryStat::kMean, 4, true);
  const std::vector<double> maxima = stats_of(reader_, region, SummaryStat::kMax, 4, true);
  ASSERT_EQ(means.size(), 4u);
  EXPECT_TRUE(std::isnan(means[0]) && std::isnan(means[2]));
  EXPECT_EQ(means[1], 1.5);
  EXPECT_EQ(means[3], 1.5);
  for (double m : maxima) EXPECT_EQ(m, 1.5);
}

// small.bw's one zoom level sums 90,352 bases per record, so one bin over all of chr1
// (200 kb) is answered from zoom records, each wholly inside the bin: exact answers.
TEST_P(BigWigFixture, ZoomStats_FromWholeRecordsEqualExact) {
  const Region whole_chr1{"chr1", 0, 200000};
  for (SummaryStat stat : {SummaryStat::kMean, SummaryStat::kMin, SummaryStat::kMax, SummaryStat::kCoverage}) {
    const double zoom = stats_of(reader_, whole_chr1, stat, 1, false)[0];
    const double exact = stats_of(reader_, whole_chr1, stat, 1, true)[0];
    EXPECT_DOUBLE_EQ(zoom, exact) << summary_stat_name(stat);
  }
  EXPECT_EQ(stats_of(reader_, whole_chr1, SummaryStat::kMax, 1, false)[0], 4.0);
  EXPECT_DOUBLE_EQ(stats_of(reader_, whole_chr1, SummaryStat::kCoverage, 1, false)[0], 830.0 / 200000.0);
}

// Half a bin narrower than the coarsest zoom record: no level fits, raw data answers.
TEST_P(BigWigFixture, ZoomStats_FallBackToExactWhenNoLevelFits) {
  const Region part{"chr1", 0, 150000};
  EXPECT_EQ(stats_of(reader_, part, SummaryStat::kStd, 1, false), stats_of(reader_, part, SummaryStat::kStd, 1, true));
}

TEST_P(BigWigFixture, ValuesBatch_EqualsOneQueryPerRegion) {
  const std::vector<Region> regions = {{"chr1", 90, 260}, {"chrM", 0, 10}, {"chr1", 5000, 5300}, {"chr2", 4990, 5000},
                                       {"chr1", 95, 105}};
  std::vector<float> want;
  for (const Region& region : regions) {
    const std::vector<float> one = values_of(reader_, region.chrom, region.start, region.end);
    want.insert(want.end(), one.begin(), one.end());
  }
  std::vector<float> got(want.size());
  ASSERT_TRUE(reader_.values_batch(regions, got).is_ok());
  expect_same(got, want);
}

TEST(BigWigReader, CacheOff_GivesTheSameValues) {
  BigWigReader cached = open_fixture("small.bw");
  BigWigReader uncached = open_fixture("small.bw", BigWigReadOptions{0});
  for (int round = 0; round < 2; ++round) {
    expect_same(values_of(uncached, "chr1", 0, 10000), values_of(cached, "chr1", 0, 10000));
  }
}

TEST(BigWigReader, SummaryStatNames_RoundTrip) {
  for (const char* name : {"mean", "min", "max", "sum", "std", "coverage"}) {
    auto stat = parse_summary_stat(name);
    ASSERT_TRUE(stat.is_ok());
    EXPECT_STREQ(summary_stat_name(*stat), name);
  }
  auto bad = parse_summary_stat("median");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("median"), std::string::npos);
}

// ---------------------------------------------------------------------------------
// Bad queries: each is an error naming the file and the region.

void expect_error(const Status& status, ErrorCode code, const std::vector<std::string>& parts) {
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.code(), code) << status.message();
  for (const std::string& part : parts) EXPECT_NE(status.message().find(part), std::string::npos) << status.message();
}

TEST(BigWigReader, UnknownChromosome_IsNotFoundNamingFileAndRegion) {
  BigWigReader reader = open_fixture("small.bw");
  expect_error(reader.values({"chr9", 0, 10}).status(), ErrorCode::kNotFound, {"small.bw", "chr9:0-10", "not in the file"});
  expect_error(reader.stats({"chr9", 0, 10}, SummaryStat::kMean).status(), ErrorCode::kNotFound, {"chr9"});
}

TEST(BigWigReader, RegionPastChromEnd_IsAnError) {
  BigWigReader reader = open_fixture("small.bw");
  expect_error(reader.values({"chr2", 49000, 50001}).status(), ErrorCode::kInvalidArgument,
               {"small.bw", "chr2:49,000-50,001", "past the end of chr2 (50,000 bp)"});
  expect_error(reader.intervals({"chr2", 4000, 60000}).status(), ErrorCode::kInvalidArgument, {"past the end"});
}

TEST(BigWigReader, StartAfterEnd_IsAnError) {
  BigWigReader reader = open_fixture("small.bw");
  expect_error(reader.values({"chr1", 500, 400}).status(), ErrorCode::kInvalidArgument, {"small.bw", "end is before start"});
}

TEST(BigWigReader, StatsOfEmptyRegionOrZeroBins_AreErrors) {
  BigWigReader reader = open_fixture("small.bw");
  expect_error(reader.stats({"chr1", 5, 5}, SummaryStat::kMean).status(), ErrorCode::kInvalidArgument, {"empty"});
  expect_error(reader.stats({"chr1", 0, 5}, SummaryStat::kMean, 0).status(), ErrorCode::kInvalidArgument, {"bins"});
}

TEST(BigWigReader, ValuesIntoWrongSizedOutput_IsAnError) {
  BigWigReader reader = open_fixture("small.bw");
  std::vector<float> out(9);
  expect_error(reader.values_into({"chr1", 0, 10}, out), ErrorCode::kInvalidArgument, {"9 values", "10 bases"});
  std::vector<Region> regions = {{"chr1", 0, 10}, {"chr2", 0, 10}};
  std::vector<float> batch(19);
  expect_error(reader.values_batch(regions, batch), ErrorCode::kInvalidArgument, {"19 values"});
}

TEST(BigWigReader, EmptyRegion_HasNoValues) {
  BigWigReader reader = open_fixture("small.bw");
  EXPECT_TRUE(values_of(reader, "chr1", 150, 150).empty());
}

TEST(BigWigReader, MissingFile_IsNotFound) {
  auto reader = BigWigReader::open(testing::data_path("bigwig/absent.bw"));
  expect_error(reader.status(), ErrorCode::kNotFound, {"absent.bw"});
}

// ---------------------------------------------------------------------------------
// Malformed files, made in memory from small.bw.

uint64_t load_u64(const std::string& bytes, size_t at) {
  uint64_t value;
  std::memcpy(&value, bytes.data() + at, sizeof value);
  return value;
}
void store_u64(std::string& bytes, size_t at, uint64_t value) { std::memcpy(&bytes[at], &value, sizeof value); }

// Where the first leaf item of the data R-tree lies (the fixture's index is one leaf).
size_t first_data_leaf_item(const std::string& bytes) { return load_u64(bytes, 24) + 48 + 4; }

// Opens the bytes and asks everything of them; returns the first error, if any. Every
// error must name the file.
Status read_everything(std::string bytes) {
  auto reader = BigWigReader::open(memory_source(std::move(bytes), "broken.bw"));
  if (!reader.is_ok()) return reader.status();
  for (const BigWigChrom& chrom : reader->chroms()) {
    if (chrom.length == 0 || chrom.length > 1000000) continue;
    const Region whole{chrom.name, 0, chrom.length};
    EPIBOOK_RETURN_IF_ERROR(reader->values(whole).status());
    EPIBOOK_RETURN_IF_ERROR(reader->intervals(whole).status());
    EPIBOOK_RETURN_IF_ERROR(reader->stats(whole, SummaryStat::kMean, 1, false).status());  // zoom, on chr1
    EPIBOOK_RETURN_IF_ERROR(reader->stats(whole, SummaryStat::kStd, 2, true).status());
  }
  return Status::ok();
}

TEST(BigWigMalformed, TruncatedAtEveryLength_FailsWithFileNameNeverCrashes) {
  const std::string bytes = fixture_bytes("small.bw");
  ASSERT_GT(bytes.size(), 500u);
  size_t failures = 0;
  for (size_t length = 0; length < bytes.size(); ++length) {
    const Status status = read_everything(bytes.substr(0, length));
    if (status.is_ok()) continue;
    ++failures;
    EXPECT_EQ(status.message().rfind("broken.bw", 0), 0u) << status.message();
  }
  // The zoom level lies at the end of the file and the zoom statistics read it: every
  // truncation is noticed, except of the magic number the file ends with, which readers
  // need not check.
  EXPECT_EQ(failures, bytes.size() - 4);
}

TEST(BigWigMalformed, ShortHeader_SaysSo) {
  expect_error(read_everything(fixture_bytes("small.bw").substr(0, 40)), ErrorCode::kCorrupt,
               {"broken.bw", "40 bytes", "too short for a bigWig header"});
}

TEST(BigWigMalformed, BadMagic_IsNotABigWig) {
  std::string bytes = fixture_bytes("small.bw");
  bytes[0] = 'X';
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "byte 0", "magic", "not a bigWig file"});
}

TEST(BigWigMalformed, CorruptCompressedBlock_NamesItsOffset) {
  std::string bytes = fixture_bytes("small.bw");
  const size_t item = first_data_leaf_item(bytes);
  const uint64_t offset = load_u64(bytes, item + 16);
  const uint64_t size = load_u64(bytes, item + 24);
  for (uint64_t i = 2; i < size; i += 3) bytes[offset + i] = static_cast<char>(bytes[offset + i] ^ 0x5A);
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "byte " + with_thousands(offset)});
}

TEST(BigWigMalformed, DataIndexOffsetOutsideFile_FailsAtOpen) {
  std::string bytes = fixture_bytes("small.bw");
  store_u64(bytes, 24, bytes.size() + 100);
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "data index", "outside the file"});
}

TEST(BigWigMalformed, BlockOffsetOutsideFile_FailsAtQuery) {
  std::string bytes = fixture_bytes("small.bw");
  store_u64(bytes, first_data_leaf_item(bytes) + 16, uint64_t{1} << 40);
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "past the end of the file"});
}

TEST(BigWigMalformed, HugeBlockSize_IsRefusedBeforeAllocating) {
  std::string bytes = fixture_bytes("small.bw");
  store_u64(bytes, first_data_leaf_item(bytes) + 24, uint64_t{1} << 40);
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "beyond any valid bigWig"});
}

TEST(BigWigMalformed, IndexNodePointingToItself_IsALoopNotAHang) {
  std::string bytes = fixture_bytes("small.bw");
  const uint64_t root = load_u64(bytes, 24) + 48;
  bytes[root] = 0;  // no longer a leaf: its first item now points to a child...
  store_u64(bytes, root + 4 + 16, root);  // ...which is the root itself
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "data index"});
}

TEST(BigWigMalformed, ChromTreeWithBadMagic_FailsAtOpen) {
  std::string bytes = fixture_bytes("small.bw");
  bytes[load_u64(bytes, 8)] ^= 0x01;
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "chromosome tree"});
}

TEST(BigWigMalformed, ChromTreeNodeLargerThanFile_FailsBeforeAllocating) {
  std::string bytes = fixture_bytes("small.bw");
  const uint64_t root = load_u64(bytes, 8) + 32;
  bytes[root + 2] = '\xff';
  bytes[root + 3] = '\xff';  // 65,535 items
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "chromosome tree node", "past the end"});
}

TEST(BigWigMalformed, ChromTreeThatRevisitsItsRoot_IsRefused) {
  std::string bytes = fixture_bytes("small.bw");
  const uint64_t root = load_u64(bytes, 8) + 32;
  const uint32_t key_size = static_cast<uint8_t>(bytes[load_u64(bytes, 8) + 8]);
  bytes[root] = 0;  // a non-leaf whose children are all the root itself
  const uint16_t count = static_cast<uint16_t>(static_cast<uint8_t>(bytes[root + 2]));
  for (uint16_t i = 0; i < count; ++i) store_u64(bytes, root + 4 + i * (key_size + 8) + key_size, root);
  expect_error(read_everything(bytes), ErrorCode::kCorrupt, {"broken.bw", "chromosome tree"});
}

TEST(BigWigMalformed, ChromNameWithAControlByte_IsRefusedNamingTheByteAndWhere) {
  std::string bytes = fixture_bytes("small.bw");
  const uint64_t tree = load_u64(bytes, 8);
  const uint64_t first_key = tree + 32 + 4;  // the root leaf's first item starts with its name
  ASSERT_EQ(bytes.substr(first_key, 4), "chr1");
  bytes[first_key + 3] = '\x0b';  // "chr\x0b", a vertical tab for the 1
  expect_error(read_everything(bytes), ErrorCode::kCorrupt,
               {"broken.bw", "byte " + with_thousands(first_key), "chromosome tree", "chr\\x0b", "byte 4"});
}

TEST(BigWigMalformed, RandomByteFlips_NeverCrash) {
  const std::string original = fixture_bytes("small.bw");
  CounterRng rng(7);
  size_t errors = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::string bytes = original;
    const int flips = 1 + static_cast<int>(rng.next_below(4));
    for (int f = 0; f < flips; ++f) {
      bytes[rng.next_below(bytes.size())] = static_cast<char>(rng.next_below(256));
    }
    const Status status = read_everything(std::move(bytes));
    if (status.is_ok()) continue;
    ++errors;
    EXPECT_EQ(status.message().rfind("broken.bw", 0), 0u) << status.message();
  }
  EXPECT_GT(errors, 0u);
}

}  // namespace
}  // namespace epibook
