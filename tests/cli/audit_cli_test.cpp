// `epibook regions` and `epibook audit` as a user meets them: findings print as a table
// with exit code 0 (1 only with --fail-on-leak), the JSON report is written, an `epibook
// prep` dataset can be audited as it is, and bad input gives "epibook: file: line:
// problem", exit code 1 and no output file. Also run end to end on `epibook simulate`.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "support/test_support.h"
#include "unit/audit_test_genome.h"

namespace epibook {
namespace {

namespace fs = std::filesystem;

testing::CommandResult epibook(const std::string& arguments) {
  return testing::run_command(std::string(EPIBOOK_CLI) + " " + arguments);
}

// A genome of two 50 kb chromosomes and three peaks.
std::string small_genome(const std::string& dir) {
  CounterRng rng(8);
  testing::write_file(dir + "/peaks.bed", "chr1\t10000\t10300\nchr1\t30000\t30200\nchr2\t20000\t20500\n");
  return testing::write_genome(dir, {{"chr1", testing::random_bases(rng, 50000, 0.4)},
                                     {"chr2", testing::random_bases(rng, 50000, 0.4)}});
}

constexpr const char* kLeakyWindows =
    "chr1\t0\t1000\ttrain\t1\nchr1\t500\t1500\ttest\t0\nchr1\t5000\t6000\tvalidation\t0\n";

TEST(AuditCli, FindingsPrintATableAndExitZeroUnlessFailOnLeak) {
  const std::string dir = testing::scratch_dir("audit-cli");
  testing::write_file(dir + "/w.bed", kLeakyWindows);
  const auto run = epibook("audit --windows " + dir + "/w.bed");
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("  overlap          FAIL     2 windows share"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("  near-duplicates  SKIPPED"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("leak found"), std::string::npos);
  const auto strict = epibook("audit --fail-on-leak --windows " + dir + "/w.bed");
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.output.find("epibook: leakage found (--fail-on-leak)"), std::string::npos) << strict.output;
  testing::write_file(dir + "/clean.bed", "chr1\t0\t1000\ttrain\nchr1\t5000\t6000\ttest\n");
  EXPECT_EQ(epibook("audit --fail-on-leak --windows " + dir + "/clean.bed").exit_code, 0);
}

TEST(AuditCli, WritesTheJsonReport) {
  const std::string dir = testing::scratch_dir("audit-cli");
  const std::string genome = small_genome(dir);
  testing::write_file(dir + "/w.bed", kLeakyWindows);
  testing::write_file(dir + "/stats.json", R"({"mean": 2.5, "fitted_on": ["train", "validation"]})");
  const auto run = epibook("audit -q --windows " + dir + "/w.bed --genome " + genome + " --stats " + dir +
                           "/stats.json --json " + dir + "/report.json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto report = nlohmann::json::parse(testing::read_file(dir + "/report.json"));
  EXPECT_EQ(report["windows"], 3);
  EXPECT_EQ(report["has_leak"], true);
  ASSERT_EQ(report["checks"].size(), 7u);
  EXPECT_EQ(report["checks"][3]["name"], "normalisation");
  EXPECT_EQ(report["checks"][3]["level"], "FAIL");
  EXPECT_EQ(report["near_duplicates"]["windows_sketched"], 3);
  EXPECT_EQ(report["contacts"]["examples"][0]["gap"], -500);
}

TEST(AuditCli, BadInputNamesFileAndLineAndWritesNothing) {
  const std::string dir = testing::scratch_dir("audit-cli");
  testing::write_file(dir + "/w.bed", "chr1\t0\t1000\ttrain\nchr1\t0\t1000\tholdout\n");
  const auto run = epibook("audit --windows " + dir + "/w.bed --json " + dir + "/report.json");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("epibook: " + dir + "/w.bed: line 2: split 'holdout' is not train, validation or test"),
            std::string::npos)
      << run.output;
  EXPECT_FALSE(fs::exists(dir + "/report.json"));
  const auto neither = epibook("audit");
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_NE(neither.output.find("give either --windows"), std::string::npos) << neither.output;
  testing::write_file(dir + "/ok.bed", "chr1\t0\t1000\ttrain\n");
  const auto off_genome = epibook("audit --windows " + dir + "/ok.bed --genome " + dir + "/missing.fa");
  EXPECT_EQ(off_genome.exit_code, 1);
  EXPECT_NE(off_genome.output.find("missing.fa"), std::string::npos) << off_genome.output;
}

TEST(RegionsCli, WritesBedWithSplitAndLabelThatAuditReads) {
  const std::string dir = testing::scratch_dir("regions-cli");
  const std::string genome = small_genome(dir);
  const auto run = epibook("regions -q --genome " + genome + " --peaks " + dir + "/peaks.bed --negatives 3 -o " +
                           dir + "/regions.bed --test-chroms chr2");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("12 windows of 1,000 bp (peaks), 3 positive, 9 negative"), std::string::npos)
      << run.output;
  const std::string bed = testing::read_file(dir + "/regions.bed");
  EXPECT_NE(bed.find("chr1\t9650\t10650\ttrain\t1\n"), std::string::npos) << bed;
  EXPECT_NE(bed.find("chr2\t19750\t20750\ttest\t1\n"), std::string::npos) << bed;
  const auto audit = epibook("audit --windows " + dir + "/regions.bed --genome " + genome);
  EXPECT_EQ(audit.exit_code, 0) << audit.output;
  EXPECT_NE(audit.output.find("  overlap          PASS"), std::string::npos) << audit.output;
}

TEST(RegionsCli, ErrorsLeaveNoOutput) {
  const std::string dir = testing::scratch_dir("regions-cli");
  const std::string genome = small_genome(dir);
  testing::write_file(dir + "/bad-peaks.bed", "chrX\t100\t200\n");
  const auto unknown = epibook("regions --genome " + genome + " --peaks " + dir + "/bad-peaks.bed -o " + dir + "/o.bed");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.output.find("epibook: chrX:100-200: peak on chromosome chrX, which is not in the genome"),
            std::string::npos)
      << unknown.output;
  const auto no_peaks = epibook("regions --genome " + genome + " -o " + dir + "/o.bed");
  EXPECT_EQ(no_peaks.exit_code, 1);
  EXPECT_NE(no_peaks.output.find("peaks mode needs at least one peak"), std::string::npos) << no_peaks.output;
  const auto bad_chrom = epibook("regions --genome " + genome + " --peaks " + dir + "/peaks.bed --test-chroms 2 -o " +
                                 dir + "/o.bed");
  EXPECT_EQ(bad_chrom.exit_code, 1);
  EXPECT_NE(bad_chrom.output.find("test chromosome 2 has no windows"), std::string::npos) << bad_chrom.output;
  EXPECT_FALSE(fs::exists(dir + "/o.bed"));
}

TEST(AuditCli, AuditsAPrepDatasetWithItsLabelsDepthAndManifest) {
  const std::string dir = testing::scratch_dir("audit-prep");
  const auto made = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_TEST_SOURCE_DIR +
                                         "/golden/prep_reference.py make-bigwig " + dir + "/signal.bw");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto prep = epibook("prep -q --bigwig " + dir + "/signal.bw --regions chr2L:0-200,000 chr2R:0-150,000 " +
                            "--window 1024 --stride 512 -o " + dir + "/dataset");
  ASSERT_EQ(prep.exit_code, 0) << prep.output;
  const auto run = epibook("audit --dataset " + dir + "/dataset --json " + dir + "/report.json");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  // Overlapping windows (stride < window) hashed one by one: the classic leak.
  EXPECT_NE(run.output.find("  overlap          FAIL"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("  normalisation    PASS     no fitted statistics recorded (epibook prep)"),
            std::string::npos)
      << run.output;
  const auto report = nlohmann::json::parse(testing::read_file(dir + "/report.json"));
  EXPECT_TRUE(report.contains("label_balance"));
  EXPECT_TRUE(report.contains("depth"));
  EXPECT_EQ(report["checks"][4]["name"], "label-balance");
  EXPECT_NE(report["checks"][4]["level"], "SKIPPED");
}

TEST(AuditCli, SimulatedToyGenomeEndToEnd) {
  const std::string dir = testing::scratch_dir("audit-sim");
  const auto sim = epibook("simulate -q --preset toy --reads 0 --chip-reads 0 -o " + dir + "/toy");
  ASSERT_EQ(sim.exit_code, 0) << sim.output;
  std::string peaks, track;
  for (const auto& entry : fs::directory_iterator(dir + "/toy")) {
    const std::string path = entry.path().string();
    if (peaks.empty() && entry.path().extension() == ".narrowPeak") peaks = path;
    if (track.empty() && entry.path().extension() == ".bw") track = path;
  }
  ASSERT_FALSE(peaks.empty() || track.empty()) << "no peaks or track in " << dir << "/toy";
  const std::string genome = dir + "/toy/genome.fa";
  const auto regions = epibook("regions -q --genome " + genome + " --peaks " + peaks +
                               " --val-chroms chr2 --test-chroms chr3 -o " + dir + "/regions.bed");
  ASSERT_EQ(regions.exit_code, 0) << regions.output;
  const auto audit = epibook("audit -q --windows " + dir + "/regions.bed --genome " + genome + " --bigwig " + track +
                             " --json " + dir + "/report.json");
  ASSERT_EQ(audit.exit_code, 0) << audit.output;
  const auto report = nlohmann::json::parse(testing::read_file(dir + "/report.json"));
  std::map<std::string, std::string> levels;
  for (const auto& check : report["checks"]) levels[check["name"].get<std::string>()] = check["level"].get<std::string>();
  for (const char* check : {"overlap", "adjacency", "near-duplicates", "label-balance", "gc", "depth"}) {
    EXPECT_NE(levels[check], "SKIPPED") << check;
  }
  // Whole chromosomes held out: no window can touch another split's, and the simulator
  // plants motifs, not kilobase copies, so no near-duplicates either.
  EXPECT_EQ(levels["overlap"], "PASS");
  EXPECT_EQ(levels["adjacency"], "PASS");
  EXPECT_EQ(levels["near-duplicates"], "PASS");
}

}  // namespace
}  // namespace epibook
