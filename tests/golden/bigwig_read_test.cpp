// Golden tests of the bigWig reader: randomized files written by pyBigWig
// (pybigwig_cases.py), read by epibook and compared with pyBigWig's answers (values,
// intervals, exact and zoom statistics) and with libBigWig called in this process.
// Everything must agree exactly: the reader copies libBigWig's arithmetic on purpose.
#include <bigWig.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "epibook/bigwig.h"
#include "support/test_support.h"

namespace epibook {
namespace {

using nlohmann::json;

double number_from(const json& value) {
  if (value.is_null()) return std::nan("");
  if (value.is_string()) return value.get<std::string>() == "inf" ? INFINITY : -INFINITY;
  return value.get<double>();
}

// Same number, NaN equal to NaN; the only equality these tests accept.
bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

std::string describe(const json& query) {
  std::ostringstream out;
  out << query["chrom"].get<std::string>() << ":" << query["start"] << "-" << query["end"];
  return out.str();
}

Region region_of(const json& query) {
  return {query["chrom"].get<std::string>(), query["start"].get<uint64_t>(), query["end"].get<uint64_t>()};
}

bwStatsType libbigwig_type(SummaryStat stat) {
  switch (stat) {
    case SummaryStat::kMean: return mean;
    case SummaryStat::kStd: return stdev;
    case SummaryStat::kMax: return max;
    case SummaryStat::kMin: return min;
    case SummaryStat::kCoverage: return cov;
    case SummaryStat::kSum: return sum;
  }
  return mean;
}

using testing::Mismatches;

class BigWigGolden : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(testing::scratch_dir("bigwig_golden"));
    const std::string command = std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_GOLDEN_DIR + "/pybigwig_cases.py " + *dir_;
    const testing::CommandResult run = testing::run_command(command);
    ASSERT_EQ(run.exit_code, 0) << run.output;
    answers_ = new json(json::parse(testing::read_file(*dir_ + "/answers.json")));
    bwInit(1 << 17);
  }
  static void TearDownTestSuite() {
    delete answers_;
    delete dir_;
    bwCleanup();
  }

  static const json& files() { return (*answers_)["files"]; }

  static BigWigReader open_reader(const json& file, const BigWigReadOptions& options = {}) {
    auto reader = BigWigReader::open(file["path"].get<std::string>(), options);
    EXPECT_TRUE(reader.is_ok()) << reader.status().message();
    return std::move(reader).value();
  }

  static std::string* dir_;
  static json* answers_;
};
std::string* BigWigGolden::dir_ = nullptr;
json* BigWigGolden::answers_ = nullptr;

TEST_F(BigWigGolden, Cases_CoverAllSectionTypesZoomsAndCompression) {
  ASSERT_EQ(files().size(), 5u);
  int without_zoom = 0, uncompressed = 0;
  for (const json& file : files()) {
    BigWigReader reader = open_reader(file);
    EXPECT_EQ(reader.zoom_levels().size(), file["zoom_levels"].get<size_t>());
    without_zoom += reader.zoom_levels().empty();
    uncompressed += reader.header().uncompress_buf_size == 0;
    EXPECT_GE(file["queries"].size(), 100u);
  }
  EXPECT_EQ(without_zoom, 1);
  EXPECT_EQ(uncompressed, 1);
}

TEST_F(BigWigGolden, Values_MatchPyBigWigExactly) {
  Mismatches mismatches;
  size_t compared = 0;
  for (const json& file : files()) {
    BigWigReader reader = open_reader(file);
    for (const json& query : file["queries"]) {
      if (!query.contains("values")) continue;
      auto ours = reader.values(region_of(query));
      ASSERT_TRUE(ours.is_ok()) << ours.status().message();
      const json& theirs = query["values"];
      ASSERT_EQ(ours->size(), theirs.size()) << describe(query);
      for (size_t i = 0; i < theirs.size(); ++i) {
        ++compared;
        if (!same((*ours)[i], number_from(theirs[i]))) {
          mismatches.add(file["path"].get<std::string>() + " " + describe(query) + " base " + std::to_string(i));
          break;
        }
      }
    }
  }
  EXPECT_GT(compared, 100000u);
}

TEST_F(BigWigGolden, Intervals_MatchPyBigWigUnclipped) {
  Mismatches mismatches;
  for (const json& file : files()) {
    BigWigReader reader = open_reader(file);
    for (const json& query : file["queries"]) {
      auto ours = reader.intervals(region_of(query));
      ASSERT_TRUE(ours.is_ok()) << ours.status().message();
      std::vector<BigWigInterval> theirs;
      for (const json& row : query["intervals"]) {
        theirs.push_back({row[0].get<uint32_t>(), row[1].get<uint32_t>(), row[2].get<float>()});
      }
      if (*ours != theirs) mismatches.add(file["path"].get<std::string>() + " " + describe(query));
    }
  }
}

void compare_stats(const json& files, bool exact) {
  Mismatches mismatches;
  size_t compared = 0;
  for (const json& file : files) {
    auto reader = BigWigReader::open(file["path"].get<std::string>());
    ASSERT_TRUE(reader.is_ok()) << reader.status().message();
    for (const json& query : file["queries"]) {
      for (const json& case_ : query["stats"]) {
        if (case_["exact"].get<bool>() != exact) continue;
        auto stat = parse_summary_stat(case_["type"].get<std::string>());
        ASSERT_TRUE(stat.is_ok());
        auto ours = reader->stats(region_of(query), *stat, case_["bins"].get<uint32_t>(), exact);
        ASSERT_TRUE(ours.is_ok()) << ours.status().message();
        const json& theirs = case_["values"];
        ASSERT_EQ(ours->size(), theirs.size());
        for (size_t i = 0; i < theirs.size(); ++i) {
          ++compared;
          if (!same((*ours)[i], number_from(theirs[i]))) {
            std::ostringstream what;
            what.precision(17);
            what << file["path"].get<std::string>() << " " << describe(query) << " " << case_["type"] << " bins "
                 << case_["bins"] << " bin " << i << ": ours " << (*ours)[i] << ", pyBigWig " << theirs[i];
            mismatches.add(what.str());
          }
        }
      }
    }
  }
  EXPECT_GT(compared, 5000u);
}

TEST_F(BigWigGolden, ExactStats_MatchPyBigWigBitForBit) { compare_stats(files(), true); }

// exact=false: pyBigWig picks a zoom level and weights records that straddle bin edges
// its own way; we do the same arithmetic, so no tolerance is needed here either.
TEST_F(BigWigGolden, ZoomStats_MatchPyBigWigNonExactBitForBit) { compare_stats(files(), false); }

TEST_F(BigWigGolden, ValuesAndIntervals_MatchLibBigWigInProcess) {
  Mismatches mismatches;
  for (const json& file : files()) {
    const std::string path = file["path"].get<std::string>();
    BigWigReader reader = open_reader(file);
    bigWigFile_t* handle = bwOpen(const_cast<char*>(path.c_str()), nullptr, "r");
    ASSERT_NE(handle, nullptr) << path;
    for (const json& query : file["queries"]) {
      const Region region = region_of(query);
      auto ours = reader.values(region);
      ASSERT_TRUE(ours.is_ok());
      bwOverlappingIntervals_t* values = bwGetValues(handle, region.chrom.c_str(), region.start, region.end, 1);
      ASSERT_NE(values, nullptr);
      for (size_t i = 0; i < ours->size(); ++i) {
        if (!same((*ours)[i], values->value[i])) {
          mismatches.add(path + " values " + describe(query) + " base " + std::to_string(i));
          break;
        }
      }
      bwDestroyOverlappingIntervals(values);

      auto our_intervals = reader.intervals(region);
      ASSERT_TRUE(our_intervals.is_ok());
      bwOverlappingIntervals_t* theirs = bwGetOverlappingIntervals(handle, region.chrom.c_str(), region.start, region.end);
      ASSERT_NE(theirs, nullptr);
      std::vector<BigWigInterval> converted;
      for (uint32_t i = 0; i < theirs->l; ++i) converted.push_back({theirs->start[i], theirs->end[i], theirs->value[i]});
      bwDestroyOverlappingIntervals(theirs);
      if (converted != *our_intervals) mismatches.add(path + " intervals " + describe(query));
    }
    bwClose(handle);
  }
}

TEST_F(BigWigGolden, Stats_MatchLibBigWigBwStatsInProcess) {
  Mismatches mismatches;
  const SummaryStat all[] = {SummaryStat::kMean, SummaryStat::kMin, SummaryStat::kMax,
                             SummaryStat::kSum,  SummaryStat::kStd, SummaryStat::kCoverage};
  for (const json& file : files()) {
    const std::string path = file["path"].get<std::string>();
    BigWigReader reader = open_reader(file);
    bigWigFile_t* handle = bwOpen(const_cast<char*>(path.c_str()), nullptr, "r");
    ASSERT_NE(handle, nullptr);
    for (const json& query : file["queries"]) {
      const Region region = region_of(query);
      for (uint32_t bins : {1u, 7u}) {
        for (SummaryStat stat : all) {
          for (bool exact : {false, true}) {
            auto ours = reader.stats(region, stat, bins, exact);
            ASSERT_TRUE(ours.is_ok());
            double* theirs = exact ? bwStatsFromFull(handle, region.chrom.c_str(), region.start, region.end, bins,
                                                     libbigwig_type(stat))
                                   : bwStats(handle, region.chrom.c_str(), region.start, region.end, bins,
                                             libbigwig_type(stat));
            ASSERT_NE(theirs, nullptr);
            for (uint32_t i = 0; i < bins; ++i) {
              if (!same((*ours)[i], theirs[i])) {
                mismatches.add(path + " " + describe(query) + " " + summary_stat_name(stat) +
                               (exact ? " exact" : " zoom") + " bins " + std::to_string(bins));
                break;
              }
            }
            std::free(theirs);
          }
        }
      }
    }
    bwClose(handle);
  }
}

TEST_F(BigWigGolden, ValuesBatch_EqualsOneQueryPerRegion) {
  for (const json& file : files()) {
    BigWigReader reader = open_reader(file);
    std::vector<Region> regions;
    std::vector<float> expected;
    for (const json& query : file["queries"]) {
      if (!query.contains("values")) continue;
      regions.push_back(region_of(query));
      auto one = reader.values(regions.back());
      ASSERT_TRUE(one.is_ok());
      expected.insert(expected.end(), one->begin(), one->end());
    }
    // Each region twice, in reverse order, so the batch must route blocks back correctly.
    std::vector<Region> twice(regions.rbegin(), regions.rend());
    twice.insert(twice.end(), regions.begin(), regions.end());
    std::vector<float> reversed_expected;
    for (auto it = regions.rbegin(); it != regions.rend(); ++it) {
      auto one = reader.values(*it);
      reversed_expected.insert(reversed_expected.end(), one->begin(), one->end());
    }
    reversed_expected.insert(reversed_expected.end(), expected.begin(), expected.end());

    BigWigReader uncached = open_reader(file, BigWigReadOptions{0});
    std::vector<float> batch(reversed_expected.size());
    ASSERT_TRUE(uncached.values_batch(twice, batch).is_ok());
    ASSERT_EQ(batch.size(), reversed_expected.size());
    for (size_t i = 0; i < batch.size(); ++i) {
      ASSERT_TRUE(same(batch[i], reversed_expected[i])) << file["path"] << " position " << i;
    }
  }
}

TEST_F(BigWigGolden, ConcurrentQueries_GiveTheSameValuesAsOneThread) {
  const json& file = files()[0];
  // A cache smaller than the file's blocks, so threads insert and evict all the time.
  BigWigReader reader = open_reader(file, BigWigReadOptions{48 * 1024});
  std::vector<Region> regions;
  for (const json& query : file["queries"]) {
    if (query.contains("values")) regions.push_back(region_of(query));
  }
  std::vector<std::vector<float>> expected;
  for (const Region& region : regions) expected.push_back(reader.values(region).value());
  std::vector<int> wrong(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (size_t i = 0; i < regions.size(); ++i) {
          const size_t pick = (i * 7 + static_cast<size_t>(t) * 13 + static_cast<size_t>(round)) % regions.size();
          auto got = reader.values(regions[pick]);
          if (!got.is_ok() || got->size() != expected[pick].size()) {
            ++wrong[t];
            continue;
          }
          for (size_t k = 0; k < got->size(); ++k) {
            if (!same((*got)[k], expected[pick][k])) {
              ++wrong[t];
              break;
            }
          }
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(wrong[t], 0) << "thread " << t;
}

}  // namespace
}  // namespace epibook
