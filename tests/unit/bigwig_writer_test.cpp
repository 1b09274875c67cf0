// The bigWig writer on its own terms: the header, summary and chromosome tree it lays
// down, the zoom levels it picks, the checks every item passes, the promise that a
// failed write leaves nothing behind, and round trips through our own reader. Runs
// natively and in wasm; the golden tests hold the same files to pyBigWig and libBigWig.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <map>
#include <algorithm>

#include "epibook/bigwig_writer.h"
#include "epibook/random.h"
#include "support/test_support.h"

namespace epibook {
namespace {

uint64_t read_le(const std::string& bytes, size_t offset, size_t width) {
  uint64_t value = 0;
  for (size_t i = width; i-- > 0;) value = (value << 8) | static_cast<uint8_t>(bytes.at(offset + i));
  return value;
}

double read_f64(const std::string& bytes, size_t offset) {
  const uint64_t bits = read_le(bytes, offset, 8);
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

const std::vector<BigWigChrom> kChroms = {{"chr2", 0, 50'000}, {"chr1", 0, 100'000}, {"chrM", 0, 16'569}};

std::vector<ChromIntervals> small_track() {
  return {{"chr1", {{0, 10, 1.0f}, {10, 30, 2.0f}, {100, 150, -0.5f}}}, {"chr2", {{5, 6, 4.0f}}}};
}

Result<std::string> small_file(BigWigWriteOptions options = {}) { return bigwig_bytes(kChroms, small_track(), options); }

std::string message_of_writing(const std::vector<ChromIntervals>& track) {
  Result<std::string> bytes = bigwig_bytes(kChroms, track);
  return bytes.is_ok() ? std::string("(no error)") : bytes.status().message();
}

TEST(BigWigWriter, Header_IsVersion4WithTheMagicAtBothEnds) {
  auto bytes = small_file();
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  EXPECT_EQ(read_le(*bytes, 0, 4), 0x888FFC26u);
  EXPECT_EQ(read_le(*bytes, 4, 2), 4u);
  EXPECT_EQ(read_le(*bytes, bytes->size() - 4, 4), 0x888FFC26u);
  EXPECT_GT(read_le(*bytes, 52, 4), 0u) << "compressed files declare an inflate buffer size";
}

TEST(BigWigWriter, TotalSummary_CountsBasesMinMaxSumAndSquares) {
  auto bytes = small_file();
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  const size_t summary = read_le(*bytes, 44, 8);
  EXPECT_EQ(read_le(*bytes, summary, 8), 10u + 20u + 50u + 1u);
  EXPECT_EQ(read_f64(*bytes, summary + 8), -0.5);
  EXPECT_EQ(read_f64(*bytes, summary + 16), 4.0);
  EXPECT_EQ(read_f64(*bytes, summary + 24), 10 * 1.0 + 20 * 2.0 + 50 * -0.5 + 4.0);
  EXPECT_EQ(read_f64(*bytes, summary + 32), 10 * 1.0 + 20 * 4.0 + 50 * 0.25 + 16.0);
}

TEST(BigWigWriter, ChromosomeTree_SortsNamesAndNumbersChromosomesInDataOrder) {
  auto bytes = small_file();
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  const size_t tree = read_le(*bytes, 8, 8);
  EXPECT_EQ(read_le(*bytes, tree, 4), 0x78CA8C91u);
  const size_t key_size = read_le(*bytes, tree + 8, 4);
  EXPECT_EQ(key_size, 4u);
  EXPECT_EQ(read_le(*bytes, tree + 16, 8), 3u);
  const size_t node = tree + 32;
  ASSERT_EQ(read_le(*bytes, node, 1), 1u) << "three chromosomes fit one leaf";
  ASSERT_EQ(read_le(*bytes, node + 2, 2), 3u);
  std::vector<std::tuple<std::string, uint64_t, uint64_t>> entries;
  for (size_t i = 0; i < 3; ++i) {
    const size_t item = node + 4 + i * (key_size + 8);
    entries.emplace_back(bytes->substr(item, key_size), read_le(*bytes, item + key_size, 4),
                         read_le(*bytes, item + key_size + 4, 4));
  }
  // chr1's data came first, then chr2's; chrM has none and comes last.
  EXPECT_EQ(entries[0], std::make_tuple(std::string("chr1"), uint64_t{0}, uint64_t{100'000}));
  EXPECT_EQ(entries[1], std::make_tuple(std::string("chr2"), uint64_t{1}, uint64_t{50'000}));
  EXPECT_EQ(entries[2], std::make_tuple(std::string("chrM"), uint64_t{2}, uint64_t{16'569}));
}

TEST(BigWigWriter, ManyChromosomes_BuildATreeWithBranchNodes) {
  std::vector<BigWigChrom> chroms;
  for (int i = 0; i < 600; ++i) chroms.push_back({"scaffold_" + std::to_string(i), 0, 1000});
  BigWigWriteOptions options;
  options.block_size = 4;
  auto bytes = bigwig_bytes(chroms, {{"scaffold_7", {{0, 5, 1.0f}}}}, options);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  const size_t tree = read_le(*bytes, 8, 8);
  EXPECT_EQ(read_le(*bytes, tree + 4, 4), 4u);
  EXPECT_EQ(read_le(*bytes, tree + 32, 1), 0u) << "root of 600 keys in blocks of 4 is a branch";
  EXPECT_EQ(read_le(*bytes, tree + 34, 2), 3u) << "600 keys -> 150 leaves -> 38 -> 10 -> 3 nodes under the root";
}

TEST(BigWigWriter, ZoomReductions_Start16TimesTheMeanSpanAndGrowFourfold) {
  EXPECT_EQ(bigwig_zoom_reductions(100'090, 4'006, 1'000'000, 10),
            (std::vector<uint32_t>{384, 1'536, 6'144, 24'576, 98'304, 393'216}));
  EXPECT_EQ(bigwig_zoom_reductions(100, 100, 1'000'000, 3), (std::vector<uint32_t>{16, 64, 256}));
}

TEST(BigWigWriter, ZoomReductions_AreAtLeast10BasesAndNoneWithoutData) {
  EXPECT_EQ(bigwig_zoom_reductions(1, 10, 100, 10), (std::vector<uint32_t>{10, 40}));
  EXPECT_TRUE(bigwig_zoom_reductions(0, 0, 100, 10).empty());
  EXPECT_TRUE(bigwig_zoom_reductions(100, 10, 100, 0).empty());
}

TEST(BigWigWriter, ZoomLevels_StopWhenACoarserLevelSummarisesNothingMore) {
  auto bytes = small_file();
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  // Mean span 20 -> 320 bases per record: chr1's three items fit one record, chr2's
  // one another, so coarser levels would not shrink anything.
  EXPECT_EQ(read_le(*bytes, 6, 2), 1u);
  EXPECT_EQ(read_le(*bytes, 64, 4), 320u);
}

TEST(BigWigWriter, ZeroZoomLevels_WritesNone) {
  BigWigWriteOptions options;
  options.max_zoom_levels = 0;
  auto bytes = small_file(options);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  EXPECT_EQ(read_le(*bytes, 6, 2), 0u);
}

TEST(BigWigWriter, Uncompressed_DeclaresNoInflateBufferAndStoresSectionsAsIs) {
  BigWigWriteOptions options;
  options.compress = false;
  options.max_zoom_levels = 0;
  auto bytes = small_file(options);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  EXPECT_EQ(read_le(*bytes, 52, 4), 0u);
  const size_t data = read_le(*bytes, 16, 8);
  EXPECT_EQ(read_le(*bytes, data, 8), 2u) << "one section per chromosome";
  const size_t section = data + 8;
  EXPECT_EQ(read_le(*bytes, section, 4), 0u);       // chr1's id
  EXPECT_EQ(read_le(*bytes, section + 4, 4), 0u);   // start
  EXPECT_EQ(read_le(*bytes, section + 8, 4), 150u); // end
  EXPECT_EQ(read_le(*bytes, section + 20, 1), 1u);  // bedGraph
  EXPECT_EQ(read_le(*bytes, section + 22, 2), 3u);  // items
}

TEST(BigWigWriter, ItemsPerSlot_SplitsSections) {
  BigWigWriteOptions options;
  options.compress = false;
  options.items_per_slot = 2;
  auto bytes = small_file(options);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  EXPECT_EQ(read_le(*bytes, read_le(*bytes, 16, 8), 8), 3u) << "chr1: 2 + 1 items, chr2: 1";
}

TEST(BigWigWriter, SectionTypes_FollowTheCallsThatAddedThem) {
  BigWigWriteOptions options;
  options.compress = false;
  options.max_zoom_levels = 0;
  auto writer = BigWigWriter::create_in_memory(kChroms, options);
  ASSERT_TRUE(writer.is_ok());
  const std::vector<uint32_t> starts = {10, 50};
  const std::vector<float> values = {1.0f, 2.0f};
  ASSERT_TRUE(writer->add_variable_step("chr1", 5, starts, values).is_ok());
  ASSERT_TRUE(writer->add_fixed_step("chr1", 100, 10, 10, values).is_ok());
  // A call continuing the run shares its section.
  ASSERT_TRUE(writer->add_fixed_step("chr1", 120, 10, 10, values).is_ok());
  auto bytes = writer->finish_to_bytes();
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  const size_t data = read_le(*bytes, 16, 8);
  ASSERT_EQ(read_le(*bytes, data, 8), 2u);
  const size_t variable = data + 8;
  EXPECT_EQ(read_le(*bytes, variable + 8, 4), 55u);   // last start + span
  EXPECT_EQ(read_le(*bytes, variable + 16, 4), 5u);   // span
  EXPECT_EQ(read_le(*bytes, variable + 20, 1), 2u);   // variableStep
  const size_t fixed = variable + 24 + 2 * 8;
  EXPECT_EQ(read_le(*bytes, fixed + 4, 4), 100u);
  EXPECT_EQ(read_le(*bytes, fixed + 8, 4), 140u);     // 100 + 3 * 10 + 10
  EXPECT_EQ(read_le(*bytes, fixed + 12, 4), 10u);     // step
  EXPECT_EQ(read_le(*bytes, fixed + 20, 1), 3u);      // fixedStep
  EXPECT_EQ(read_le(*bytes, fixed + 22, 2), 4u);
}

TEST(BigWigWriter, OverlappingInterval_NamesBothIntervals) {
  EXPECT_EQ(message_of_writing({{"chr1", {{1050, 1200, 1.0f}, {1000, 1100, 2.0f}}}}),
            "chr1:1,000-1,100 overlaps the previous interval chr1:1,050-1,200");
}

TEST(BigWigWriter, UnsortedInterval_AsksForSortedInput) {
  const std::string message = message_of_writing({{"chr1", {{500, 600, 1.0f}, {100, 200, 2.0f}}}});
  EXPECT_NE(message.find("chr1:100-200 comes before the previous interval chr1:500-600"), std::string::npos) << message;
  EXPECT_NE(message.find("sort -k1,1 -k2,2n"), std::string::npos);
}

TEST(BigWigWriter, ChromosomeComingBack_IsAnError) {
  const std::string message =
      message_of_writing({{"chr1", {{0, 10, 1.0f}}}, {"chr2", {{0, 10, 1.0f}}}, {"chr1", {{20, 30, 1.0f}}}});
  EXPECT_NE(message.find("chr1 comes back after chr2"), std::string::npos) << message;
}

TEST(BigWigWriter, UnknownChromosome_IsAnError) {
  EXPECT_NE(message_of_writing({{"chr3", {{0, 10, 1.0f}}}}).find("chromosome chr3 is not among the 3 chromosomes"),
            std::string::npos);
}

TEST(BigWigWriter, IntervalPastTheChromosomeEnd_IsAnError) {
  EXPECT_EQ(message_of_writing({{"chrM", {{16'500, 16'570, 1.0f}}}}),
            "chrM:16,500-16,570 runs past the end of chrM (16,569 bp)");
}

TEST(BigWigWriter, NaNAndInfiniteValues_AreErrors) {
  EXPECT_EQ(message_of_writing({{"chr1", {{0, 10, std::nanf("")}}}}), "chr1:0-10: value is NaN");
  EXPECT_NE(message_of_writing({{"chr1", {{0, 10, std::numeric_limits<float>::infinity()}}}}).find("infinite"),
            std::string::npos);
}

TEST(BigWigWriter, EmptyOrReversedInterval_IsAnError) {
  EXPECT_EQ(message_of_writing({{"chr1", {{10, 10, 1.0f}}}}), "chr1:10-10: empty interval");
}

TEST(BigWigWriter, FixedStepWithSpanLongerThanStep_OverlapsItself) {
  auto writer = BigWigWriter::create_in_memory(kChroms);
  ASSERT_TRUE(writer.is_ok());
  const std::vector<float> values = {1.0f, 2.0f};
  Status status = writer->add_fixed_step("chr1", 0, 5, 10, values);
  EXPECT_EQ(status.message(), "chr1:5-15 overlaps the previous interval chr1:0-10");
}

TEST(BigWigWriter, AfterAnError_TheWriterRefusesMore) {
  auto writer = BigWigWriter::create_in_memory(kChroms);
  ASSERT_TRUE(writer.is_ok());
  const BigWigInterval bad{0, 1'000'000, 1.0f};
  EXPECT_FALSE(writer->add_intervals("chr1", {&bad, 1}).is_ok());
  const BigWigInterval good{0, 10, 1.0f};
  EXPECT_NE(writer->add_intervals("chr1", {&good, 1}).message().find("an earlier error"), std::string::npos);
  EXPECT_FALSE(writer->finish_to_bytes().is_ok());
}

TEST(BigWigWriter, BadOptionsAndChromosomeLists_AreRejected) {
  BigWigWriteOptions options;
  options.items_per_slot = 70'000;
  EXPECT_NE(validate(options).message().find("items per slot"), std::string::npos);
  options = {};
  options.block_size = 1;
  EXPECT_NE(validate(options).message().find("block size"), std::string::npos);
  options = {};
  options.max_zoom_levels = 40;
  EXPECT_FALSE(validate(options).is_ok());
  EXPECT_FALSE(BigWigWriter::create_in_memory({}).is_ok());
  auto twice = BigWigWriter::create_in_memory({{"chr1", 0, 10}, {"chr1", 0, 20}});
  ASSERT_FALSE(twice.is_ok());
  EXPECT_NE(twice.status().message().find("listed twice"), std::string::npos);
}

TEST(BigWigWriter, FileAppearsOnlyWhenFinished_AndMatchesTheInMemoryBytes) {
  const std::string dir = testing::scratch_dir("writer");
  const std::string path = dir + "/track.bw";
  auto writer = BigWigWriter::create(path, kChroms);
  ASSERT_TRUE(writer.is_ok()) << writer.status().message();
  for (const ChromIntervals& chrom : small_track()) ASSERT_TRUE(writer->add_intervals(chrom.chrom, chrom.intervals).is_ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  ASSERT_TRUE(writer->finish().is_ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
  auto in_memory = small_file();
  ASSERT_TRUE(in_memory.is_ok());
  EXPECT_EQ(testing::read_file(path), *in_memory);
}

TEST(BigWigWriter, FailedOrAbandonedWrite_LeavesNoFileBehind) {
  const std::string dir = testing::scratch_dir("writer");
  const std::string path = dir + "/bad.bw";
  Status status = write_bigwig(path, kChroms, {{"chr1", {{0, 10, 1.0f}, {5, 20, 2.0f}}}});
  EXPECT_EQ(status.message(), path + ": chr1:5-20 overlaps the previous interval chr1:0-10");
  {
    auto writer = BigWigWriter::create(path, kChroms);
    ASSERT_TRUE(writer.is_ok());
    const BigWigInterval good{0, 10, 1.0f};
    ASSERT_TRUE(writer->add_intervals("chr1", {&good, 1}).is_ok());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(BigWigWriter, UnwritableDirectory_IsAnIoError) {
  auto writer = BigWigWriter::create("/nonexistent-dir/track.bw", kChroms);
  ASSERT_FALSE(writer.is_ok());
  EXPECT_EQ(writer.status().code(), ErrorCode::kIo);
  EXPECT_NE(writer.status().message().find("/nonexistent-dir/track.bw"), std::string::npos);
}

// ---------------------------------------------------------------------------------
// Round trips through epibook's own reader, so the wasm build checks both halves.
struct RoundTripTrack {
  std::vector<BigWigChrom> chroms = {{"chrB", 0, 60'000}, {"chrA", 0, 90'000}, {"chrC", 0, 5'000}};
  std::map<std::string, std::vector<BigWigInterval>> items;
};

// chrA: bedGraph, then fixedStep; chrB: variableStep, then bedGraph; chrC: nothing.
Result<std::string> write_round_trip(RoundTripTrack& track, const BigWigWriteOptions& options) {
  EPIBOOK_ASSIGN_OR_RETURN(BigWigWriter writer, BigWigWriter::create_in_memory(track.chroms, options));
  CounterRng rng(31);
  auto value = [&] { return static_cast<float>(std::floor(rng.next_double() * 2000.0) / 8.0 - 50.0); };
  std::vector<BigWigInterval> bedgraph;
  uint32_t position = 7;
  while (position < 40'000) {
    const uint32_t end = position + 1 + static_cast<uint32_t>(rng.next_below(30));
    bedgraph.push_back({position, end, value()});
    position = end + static_cast<uint32_t>(rng.next_below(3) == 0 ? rng.next_below(50) : 0);
  }
  EPIBOOK_RETURN_IF_ERROR(writer.add_intervals("chrA", bedgraph));
  track.items["chrA"] = bedgraph;
  std::vector<float> fixed(3000);
  for (size_t i = 0; i < fixed.size(); ++i) {
    fixed[i] = value();
    track.items["chrA"].push_back({static_cast<uint32_t>(45'000 + 15 * i), static_cast<uint32_t>(45'000 + 15 * i + 10), fixed[i]});
  }
  EPIBOOK_RETURN_IF_ERROR(writer.add_fixed_step("chrA", 45'000, 15, 10, fixed));
  std::vector<uint32_t> starts;
  std::vector<float> values;
  for (uint32_t start = 100; start < 30'000; start += 20 + static_cast<uint32_t>(rng.next_below(40))) {
    starts.push_back(start);
    values.push_back(value());
    track.items["chrB"].push_back({start, start + 20, values.back()});
  }
  EPIBOOK_RETURN_IF_ERROR(writer.add_variable_step("chrB", 20, starts, values));
  const BigWigInterval tail{59'000, 60'000, 3.5f};
  EPIBOOK_RETURN_IF_ERROR(writer.add_intervals("chrB", {&tail, 1}));
  track.items["chrB"].push_back(tail);
  return writer.finish_to_bytes();
}

std::vector<float> per_base(const std::vector<BigWigInterval>& items, uint32_t length) {
  std::vector<float> values(length, std::nanf(""));
  for (const BigWigInterval& item : items) {
    for (uint32_t p = item.start; p < item.end; ++p) values[p] = item.value;
  }
  return values;
}

bool same_values(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  }
  return true;
}

class BigWigRoundTrip : public ::testing::TestWithParam<BigWigWriteOptions> {};

TEST_P(BigWigRoundTrip, OurReaderGetsBackEveryItem) {
  RoundTripTrack track;
  auto bytes = write_round_trip(track, GetParam());
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  auto reader = BigWigReader::open(memory_source(*bytes, "round-trip.bw"));
  ASSERT_TRUE(reader.is_ok()) << reader.status().message();

  EXPECT_EQ(reader->header().version, 4);
  EXPECT_EQ(reader->header().uncompress_buf_size == 0, !GetParam().compress);
  EXPECT_LE(reader->zoom_levels().size(), GetParam().max_zoom_levels);
  ASSERT_EQ(reader->chroms().size(), 3u);
  for (const BigWigChrom& chrom : track.chroms) EXPECT_EQ(reader->chrom_length(chrom.name), chrom.length) << chrom.name;

  for (const BigWigChrom& chrom : track.chroms) {
    const Region whole{chrom.name, 0, chrom.length};
    auto values = reader->values(whole);
    ASSERT_TRUE(values.is_ok()) << values.status().message();
    EXPECT_TRUE(same_values(*values, per_base(track.items[chrom.name], chrom.length))) << chrom.name;
    auto intervals = reader->intervals(whole);
    ASSERT_TRUE(intervals.is_ok()) << intervals.status().message();
    EXPECT_EQ(*intervals, track.items[chrom.name]) << chrom.name;
  }
  // A window in the middle: intervals come back whole, values clipped to it.
  const Region window{"chrA", 12'345, 47'000};
  auto inside = reader->values(window);
  ASSERT_TRUE(inside.is_ok());
  const std::vector<float> all = per_base(track.items["chrA"], 90'000);
  EXPECT_TRUE(same_values(*inside, std::vector<float>(all.begin() + 12'345, all.begin() + 47'000)));

  // Exact and zoom means over whole chromosomes agree with the items.
  for (const char* name : {"chrA", "chrB"}) {
    double bases = 0, sum = 0;
    for (const BigWigInterval& item : track.items[name]) {
      bases += item.end - item.start;
      sum += (item.end - item.start) * static_cast<double>(item.value);
    }
    const Region whole{name, 0, *reader->chrom_length(name)};
    for (bool exact : {true, false}) {
      auto mean = reader->stats(whole, SummaryStat::kMean, 1, exact);
      ASSERT_TRUE(mean.is_ok()) << mean.status().message();
      EXPECT_NEAR((*mean)[0], sum / bases, 1e-4) << name << (exact ? " exact" : " zoom");
      auto coverage = reader->stats(whole, SummaryStat::kCoverage, 1, exact);
      ASSERT_TRUE(coverage.is_ok());
      EXPECT_NEAR((*coverage)[0], bases / whole.length(), 1e-9) << name;
    }
  }
  auto empty = reader->stats({"chrC", 0, 5'000}, SummaryStat::kMax, 4, true);
  ASSERT_TRUE(empty.is_ok());
  EXPECT_TRUE(std::isnan((*empty)[0]));
}

BigWigWriteOptions round_trip_options(bool compress, uint32_t zooms, uint32_t items_per_slot, uint32_t block_size) {
  BigWigWriteOptions options;
  options.compress = compress;
  options.max_zoom_levels = zooms;
  options.items_per_slot = items_per_slot;
  options.block_size = block_size;
  return options;
}

INSTANTIATE_TEST_SUITE_P(Options, BigWigRoundTrip,
                         ::testing::Values(round_trip_options(true, 10, 1024, 256), round_trip_options(false, 0, 1024, 256),
                                           round_trip_options(true, 4, 50, 3), round_trip_options(false, 10, 7, 2)));

TEST(BigWigRoundTrip, ManyChromosomes_AreFoundThroughBranchNodes) {
  std::vector<BigWigChrom> chroms;
  for (int i = 0; i < 600; ++i) chroms.push_back({"scaffold_" + std::to_string(i), 0, 1000u + i});
  BigWigWriteOptions options;
  options.block_size = 4;
  auto bytes = bigwig_bytes(chroms, {{"scaffold_599", {{0, 5, 1.0f}}}, {"scaffold_7", {{3, 4, 2.0f}}}}, options);
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  auto reader = BigWigReader::open(memory_source(*bytes, "scaffolds.bw"));
  ASSERT_TRUE(reader.is_ok()) << reader.status().message();
  for (int i = 0; i < 600; ++i) {
    EXPECT_EQ(reader->chrom_length("scaffold_" + std::to_string(i)), 1000u + i) << i;
  }
  auto values = reader->values({"scaffold_7", 0, 6});
  ASSERT_TRUE(values.is_ok());
  EXPECT_EQ((*values)[3], 2.0f);
}

TEST(BigWigRoundTrip, TrackWithoutData_OpensAndHasNoValues) {
  auto bytes = bigwig_bytes(kChroms, {});
  ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
  auto reader = BigWigReader::open(memory_source(*bytes, "empty.bw"));
  ASSERT_TRUE(reader.is_ok()) << reader.status().message();
  EXPECT_EQ(reader->zoom_levels().size(), 0u);
  auto values = reader->values({"chr1", 0, 100});
  ASSERT_TRUE(values.is_ok()) << values.status().message();
  EXPECT_TRUE(std::all_of(values->begin(), values->end(), [](float v) { return std::isnan(v); }));
}

}  // namespace
}  // namespace epibook
