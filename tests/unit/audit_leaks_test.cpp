// The leakage auditor on data where each leak is planted on purpose and must be found,
// and where a clean split must come out clean. The genome is made here: three random
// chromosomes (train, validation, test) tiled with 1 kb windows 1 kb apart.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "audit_test_genome.h"
#include "epibook/audit.h"

namespace epibook {
namespace {

constexpr uint64_t kChromLength = 200000;
constexpr uint64_t kWidth = 1000;

class PlantedLeaks : public ::testing::Test {
 protected:
  void SetUp() override {
    CounterRng rng(2024);
    for (const char* name : {"chr1", "chr2", "chr3"}) chroms_.push_back({name, testing::random_bases(rng, kChromLength, 0.45)});
    const Split by_chrom[] = {Split::kTrain, Split::kValidation, Split::kTest};
    CounterRng labels(77);
    for (size_t c = 0; c < chroms_.size(); ++c) {
      for (uint64_t start = 0; start + kWidth <= kChromLength; start += 2 * kWidth) {
        data_.windows.push_back(Region{chroms_[c].first, start, start + kWidth});
        data_.splits.push_back(by_chrom[c]);
        data_.labels.push_back(labels.next_double() < 0.3 ? kPeakLabel : kBackgroundLabel);
        depth_.push_back(10 + 5 * labels.next_double());
      }
    }
  }

  std::string& sequence_of(const std::string& chrom) {
    for (auto& [name, sequence] : chroms_) {
      if (name == chrom) return sequence;
    }
    return chroms_.front().second;
  }

  LeakageReport audit(const std::vector<NormalisationDocument>& normalisation = {}) {
    std::vector<std::string> sequences;
    for (const Region& w : data_.windows) sequences.push_back(sequence_of(w.chrom).substr(w.start, w.length()));
    AuditInputs inputs{data_, sequence_features(sequences, options_.minhash), depth_, normalisation};
    auto report = audit_splits(inputs, options_);
    EXPECT_TRUE(report.is_ok()) << report.status().message();
    return report.is_ok() ? std::move(report).value() : LeakageReport{};
  }

  static CheckLevel level(const LeakageReport& report, const char* check) {
    const AuditCheck* found = report.find(check);
    return found == nullptr ? CheckLevel::kSkipped : found->level;
  }

  static NormalisationDocument stats(const std::string& json) {
    auto document = parse_normalisation_document(json, "stats.json");
    EXPECT_TRUE(document.is_ok()) << document.status().message();
    return document.is_ok() ? std::move(document).value() : NormalisationDocument{};
  }

  size_t index_of(const Region& window) const {
    for (size_t i = 0; i < data_.windows.size(); ++i) {
      if (data_.windows[i] == window) return i;
    }
    return data_.windows.size();
  }

  std::vector<std::pair<std::string, std::string>> chroms_;
  SplitWindows data_;
  std::vector<double> depth_;
  AuditOptions options_;
};

TEST_F(PlantedLeaks, CleanChromosomeSplitPassesEveryCheck) {
  const LeakageReport report = audit({stats(R"({"signal": {"mean": 12.5, "std": 1.4, "fitted_on": "train"}})")});
  ASSERT_EQ(report.checks.size(), 7u);
  for (const AuditCheck& check : report.checks) {
    EXPECT_EQ(check.level, CheckLevel::kPass) << check.name << ": " << check.summary;
  }
  EXPECT_FALSE(report.has_leak());
  EXPECT_EQ(report.windows_per_split, (std::array<uint64_t, 3>{100, 100, 100}));
}

TEST_F(PlantedLeaks, ReverseComplementedMutatedCopyInTestIsANearDuplicate) {
  // chr1:40,000-41,000 (train) copied, reverse-complemented with 1% of bases changed,
  // over chr3:120,000-121,000 (test).
  const std::string original = sequence_of("chr1").substr(40000, kWidth);
  std::string copy = testing::reverse_complement(original);
  for (size_t i = 50; i < copy.size(); i += 100) copy[i] = copy[i] == 'A' ? 'C' : 'A';
  sequence_of("chr3").replace(120000, kWidth, copy);
  const LeakageReport report = audit();
  EXPECT_EQ(level(report, "near-duplicates"), CheckLevel::kFail) << report.find("near-duplicates")->summary;
  ASSERT_TRUE(report.duplicates.has_value());
  EXPECT_EQ(report.duplicates->windows_with_duplicate, 2u);  // each side of the pair
  ASSERT_FALSE(report.duplicates->examples.empty());
  const DuplicatePair& pair = report.duplicates->examples.front();
  EXPECT_EQ(pair.first, index_of(Region{"chr1", 40000, 41000}));
  EXPECT_EQ(pair.second, index_of(Region{"chr3", 120000, 121000}));
  EXPECT_GT(pair.jaccard, 0.5);
  EXPECT_EQ(level(report, "overlap"), CheckLevel::kPass);
}

TEST_F(PlantedLeaks, HalfCopiedWindowBelowTheThresholdIsNotFlagged) {
  // Only 300 of 1,000 bases shared: Jaccard about 0.15, below 0.5.
  sequence_of("chr3").replace(120000, 300, sequence_of("chr1").substr(40000, 300));
  EXPECT_EQ(level(audit(), "near-duplicates"), CheckLevel::kPass);
}

TEST_F(PlantedLeaks, WindowOverlappingAnotherSplitFailsAndBookEndedOneWarns) {
  data_.windows.push_back(Region{"chr1", 10500, 11500});  // shares 500 bp with chr1:10,000-11,000 (train)
  data_.splits.push_back(Split::kTest);
  data_.windows.push_back(Region{"chr1", 21000, 22000});  // touches chr1:20,000-21,000 (train)
  data_.splits.push_back(Split::kValidation);
  for (int i = 0; i < 2; ++i) {
    data_.labels.push_back(kBackgroundLabel);
    depth_.push_back(12);
  }
  const LeakageReport report = audit();
  EXPECT_EQ(level(report, "overlap"), CheckLevel::kFail);
  EXPECT_EQ(report.contacts.overlapping_windows, 2u);
  ASSERT_FALSE(report.contacts.examples.empty());
  EXPECT_EQ(report.contacts.examples.front().gap, -500);
  EXPECT_EQ(level(report, "adjacency"), CheckLevel::kWarn);
  EXPECT_EQ(report.contacts.adjacent_windows, 3u);  // it and the train windows on both sides
  EXPECT_TRUE(report.has_leak());
}

TEST_F(PlantedLeaks, AdjacencyDistanceIsAnOption) {
  data_.splits[1] = Split::kTest;  // chr1:2,000-3,000, 1 kb from its train neighbours
  EXPECT_EQ(level(audit(), "adjacency"), CheckLevel::kPass);
  options_.adjacency_bp = 1000;
  const LeakageReport report = audit();
  EXPECT_EQ(level(report, "adjacency"), CheckLevel::kWarn);
  EXPECT_EQ(report.contacts.adjacent_windows, 3u);  // the test window and both neighbours
}

TEST_F(PlantedLeaks, StatisticsFittedOnTestFail) {
  EXPECT_EQ(level(audit({stats(R"({"mean": 3.1, "std": 2.0, "fitted_on": ["train", "test"]})")}), "normalisation"),
            CheckLevel::kFail);
  EXPECT_EQ(level(audit({stats(R"({"scale": 2.0, "fitted_on": "all"})")}), "normalisation"), CheckLevel::kFail);
}

TEST_F(PlantedLeaks, StatisticsFittedOnRegionsOrWindowsOfTestFail) {
  const LeakageReport by_region =
      audit({stats(R"({"tracks": [{"name": "dnase", "mean": 1, "fitted_on": {"regions": ["chr1:0-200,000", "chr3:4,500-4,600"]}}]})")});
  EXPECT_EQ(level(by_region, "normalisation"), CheckLevel::kFail);
  EXPECT_NE(by_region.find("normalisation")->summary.find("dnase: fitted on region chr3:4,500-4,600"), std::string::npos)
      << by_region.find("normalisation")->summary;
  const LeakageReport by_window = audit({stats(R"({"median": 4, "fitted_on": {"windows": [0, 1, 250]}})")});
  EXPECT_EQ(level(by_window, "normalisation"), CheckLevel::kFail);
  EXPECT_NE(by_window.find("normalisation")->summary.find("window 250 (chr3:100,000-101,000), a test window"),
            std::string::npos)
      << by_window.find("normalisation")->summary;
  EXPECT_EQ(level(audit({stats(R"({"mean": 1, "fitted_on": {"regions": ["chr1:0-200,000"]}})")}), "normalisation"),
            CheckLevel::kPass);
}

TEST_F(PlantedLeaks, StatisticsWithoutARecordOfTheirDataWarn) {
  const LeakageReport report = audit({stats(R"({"normalisation": {"mean": 3.1, "std": 2.0}})")});
  EXPECT_EQ(level(report, "normalisation"), CheckLevel::kWarn);
  EXPECT_EQ(report.normalisation.unknown, 1u);
}

TEST_F(PlantedLeaks, PrepManifestRecordsNoFittedStatistics) {
  const LeakageReport report =
      audit({stats(R"({"tool": "epibook prep", "options": {"transform": "arcsinh", "threshold": 1.44}})")});
  EXPECT_EQ(level(report, "normalisation"), CheckLevel::kPass);
  EXPECT_NE(report.find("normalisation")->summary.find("epibook prep"), std::string::npos);
}

TEST_F(PlantedLeaks, TestSplitWithHalfPeaksAgainstATenthFails) {
  CounterRng rng(5);
  for (size_t i = 0; i < data_.windows.size(); ++i) {
    const double rate = data_.splits[i] == Split::kTest ? 0.5 : 0.1;
    data_.labels[i] = rng.next_double() < rate ? kPeakLabel : kBackgroundLabel;
  }
  const LeakageReport report = audit();
  EXPECT_EQ(level(report, "label-balance"), CheckLevel::kFail) << report.find("label-balance")->summary;
  EXPECT_EQ(report.labels.gap_second, Split::kTest);
  EXPECT_GT(report.labels.largest_gap, 0.3);
  EXPECT_GT(std::fabs(report.labels.z), 3.0);
}

TEST_F(PlantedLeaks, GcRichTestChromosomeFailsTheGcCheck) {
  CounterRng rng(9);
  sequence_of("chr3") = testing::random_bases(rng, kChromLength, 0.60);
  const LeakageReport report = audit();
  EXPECT_EQ(level(report, "gc"), CheckLevel::kFail) << report.find("gc")->summary;
  EXPECT_EQ(level(report, "depth"), CheckLevel::kPass);
  ASSERT_TRUE(report.gc.has_value());
  EXPECT_NEAR(report.gc->mean[2], 0.60, 0.01);
}

TEST_F(PlantedLeaks, DeeperValidationSplitFailsTheDepthCheck) {
  for (size_t i = 0; i < data_.windows.size(); ++i) {
    if (data_.splits[i] == Split::kValidation) depth_[i] *= 1.5;
  }
  const LeakageReport report = audit();
  EXPECT_EQ(level(report, "depth"), CheckLevel::kFail) << report.find("depth")->summary;
  EXPECT_EQ(level(report, "gc"), CheckLevel::kPass);
}

TEST_F(PlantedLeaks, MissingInputsSkipTheirChecks) {
  AuditInputs inputs;
  inputs.data = data_;
  inputs.data.labels.clear();
  auto report = audit_splits(inputs, options_);
  ASSERT_TRUE(report.is_ok());
  for (const char* check : {"near-duplicates", "normalisation", "label-balance", "gc", "depth"}) {
    EXPECT_EQ(level(*report, check), CheckLevel::kSkipped) << check;
  }
  EXPECT_EQ(level(*report, "overlap"), CheckLevel::kPass);
}

TEST_F(PlantedLeaks, FeatureCountsMustMatchTheWindows) {
  AuditInputs inputs;
  inputs.data = data_;
  inputs.depth = {1.0, 2.0};
  auto report = audit_splits(inputs, options_);
  ASSERT_FALSE(report.is_ok());
  EXPECT_EQ(report.status().message(), "audit: 2 depth values for 300 windows");
}

TEST_F(PlantedLeaks, JsonAndTableCarryEveryCheck) {
  data_.windows.push_back(Region{"chr2", 500, 1500});
  data_.splits.push_back(Split::kTest);
  data_.labels.push_back(kPeakLabel);
  depth_.push_back(11);
  const LeakageReport report = audit();
  const auto json = nlohmann::json::parse(leakage_report_json(report, data_, options_));
  EXPECT_EQ(json["tool"], "epibook audit");
  EXPECT_EQ(json["has_leak"], true);
  EXPECT_EQ(json["checks"].size(), 7u);
  EXPECT_EQ(json["checks"][0]["name"], "overlap");
  EXPECT_EQ(json["checks"][0]["level"], "FAIL");
  EXPECT_EQ(json["contacts"]["examples"][0]["first"]["region"], "chr2:0-1,000");
  EXPECT_EQ(json["contacts"]["examples"][0]["second"]["split"], "test");
  EXPECT_EQ(json["label_balance"]["per_split"]["test"]["windows"], 101);
  EXPECT_EQ(json["gc"]["pairs"].size(), 3u);
  const std::string table = leakage_report_table(report);
  EXPECT_NE(table.find("  overlap          FAIL     2 windows share"), std::string::npos) << table;
  EXPECT_NE(table.find("  gc               PASS     mean train"), std::string::npos) << table;
  EXPECT_NE(table.find("leak found"), std::string::npos);
}

TEST_F(PlantedLeaks, GenomeReaderGivesTheSameFeaturesAsSequencesInMemory) {
  const std::string path = testing::write_genome(testing::scratch_dir("audit-genome"), chroms_);
  auto genome = FastaReader::open(path);
  ASSERT_TRUE(genome.is_ok());
  auto from_file = sequence_features(*genome, data_.windows, options_.minhash);
  ASSERT_TRUE(from_file.is_ok()) << from_file.status().message();
  std::vector<std::string> sequences;
  for (const Region& w : data_.windows) sequences.push_back(sequence_of(w.chrom).substr(w.start, w.length()));
  const SequenceFeatures in_memory = sequence_features(sequences, options_.minhash);
  EXPECT_EQ(from_file->sketches, in_memory.sketches);
  EXPECT_EQ(from_file->gc, in_memory.gc);
}

}  // namespace
}  // namespace epibook
