// Tests of `epibook bw info | values | stats | correlate`: what they print for the committed fixture
// (tests/data/bigwig/small.bw, entries in make_fixtures.py), the npy they write, and the
// messages and exit code 1 for bad files and bad regions.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "epibook/npy.h"
#include "support/test_support.h"

namespace epibook {
namespace {

using testing::CommandResult;
using testing::run_command;

const std::string kFixture = testing::data_path("bigwig/small.bw");

CommandResult epibook(const std::string& arguments) { return run_command(std::string(EPIBOOK_CLI) + " " + arguments); }

TEST(BwInfoCli, PrintsJsonWithZoomLevelsChromosomesAndSummary) {
  const CommandResult run = epibook("bw info " + kFixture);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const nlohmann::json info = nlohmann::json::parse(run.output);
  EXPECT_EQ(info["version"], 4);
  ASSERT_EQ(info["zoom_levels"].size(), 1u);
  EXPECT_GT(info["zoom_levels"][0]["reduction_level"].get<int>(), 0);
  ASSERT_EQ(info["chromosomes"].size(), 3u);
  EXPECT_EQ(info["chromosomes"][1]["name"], "chr2");
  EXPECT_EQ(info["chromosomes"][1]["length"], 50000);
  EXPECT_EQ(info["summary"]["bases_covered"], 50830);
  EXPECT_EQ(info["summary"]["min"], -2.0);
  EXPECT_EQ(info["summary"]["max"], 7.0);
  EXPECT_DOUBLE_EQ(info["summary"]["mean"].get<double>(), 350390.0 / 50830.0);
  EXPECT_GT(info["summary"]["std"].get<double>(), 0.0);
}

// A track against itself: r = 1 at every bin, over the bins with data only (chr1 of the
// fixture has 830 bases with data, in runs of constant value, so 4 bp bins keep its shape).
TEST(BwCorrelateCli, ATrackAgainstItselfScoresOneAtEveryBin) {
  const CommandResult run = epibook("bw correlate " + kFixture + " " + kFixture + " chr1:0-10000 --bins 1,4");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "bin\tbins\tpearson\tshape_kept\n1\t830\t1.0000\t1.0000\n4\t209\t1.0000\t1.0000\n");
  const CommandResult wide = epibook("bw correlate " + kFixture + " " + kFixture + " chr1:0-10 --bins 64");
  EXPECT_EQ(wide.exit_code, 1);
  EXPECT_NE(wide.output.find("a 64 bp bin is longer than the 10 bp tracks"), std::string::npos) << wide.output;
}

TEST(BwValuesCli, TsvHasOneRowPerBaseWithNanInGaps) {
  const CommandResult run = epibook("bw values " + kFixture + " chr1:98-102 chr1:2,009-2,011");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output,
            "chr1\t98\t99\tnan\nchr1\t99\t100\tnan\nchr1\t100\t101\t1.5\nchr1\t101\t102\t1.5\n"
            "chr1\t2009\t2010\t3\nchr1\t2010\t2011\tnan\n");
}

TEST(BwValuesCli, BinMeansSkipMissingBasesAndKeepAShortLastBin) {
  // chr1:196-206 = 1.5 x4 then -2 x6; bins of 4: [1.5 x4], [-2 x4], [-2 x2]
  const CommandResult run = epibook("bw values " + kFixture + " chr1:196-206 chr1:90-102 --bin 4");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output,
            "chr1\t196\t200\t1.5\nchr1\t200\t204\t-2\nchr1\t204\t206\t-2\n"
            "chr1\t90\t94\tnan\nchr1\t94\t98\tnan\nchr1\t98\t102\t1.5\n");
}

TEST(BwValuesCli, NpyIsFloat32RegionsByBins) {
  const std::string out = testing::scratch_dir("npy") + "/values.npy";
  const CommandResult run = epibook("bw values " + kFixture + " chr1:95-105 chr2:0-10 --bin 3 --format npy -o " + out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  auto array = read_npy(out);
  ASSERT_TRUE(array.is_ok()) << array.status().message();
  EXPECT_EQ(array->dtype, NpyDtype::kFloat32);
  EXPECT_EQ(array->shape, (std::vector<uint64_t>{2, 4}));
  const std::vector<float> values = array->as_float32();
  EXPECT_TRUE(std::isnan(values[0]));  // chr1:95-98 has no data
  EXPECT_EQ(values[1], 1.5f);          // chr1:98-101: only 100 has data
  EXPECT_EQ(values[3], 1.5f);          // chr1:104-105, the short last bin
  EXPECT_EQ(values[4], 7.0f);
}

TEST(BwValuesCli, RegionsFromABedFile) {
  const std::string bed = testing::scratch_dir("bed") + "/regions.bed";
  testing::write_file(bed, "chr1\t100\t102\tpeak1\nchr2\t0\t1\tpeak2\n");
  const CommandResult run = epibook("bw values " + kFixture + " " + bed);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "chr1\t100\t101\t1.5\nchr1\t101\t102\t1.5\nchr2\t0\t1\t7\n");
}

TEST(BwValuesCli, BedLinePastItsChromosome_FailsNamingFileLineAndProblem) {
  // The end a mutated BED once had: it used to allocate for every region at once and abort.
  const std::string bed = testing::scratch_dir("bed") + "/past_end.bed";
  testing::write_file(bed, "chr1\t100\t102\n# comment\nchr2\t18500\t185018727277\n");
  const CommandResult run = epibook("bw values " + kFixture + " " + bed + " --bin 32");
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("epibook: " + bed + ": line 3: "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("chr2:18,500-185,018,727,277: runs past the end of chr2 (50,000 bp)"), std::string::npos)
      << run.output;
  EXPECT_EQ(run.output.find("chr1\t100"), std::string::npos) << "nothing is printed before the check: " << run.output;

  testing::write_file(bed, "chr1\t100\t102\nchrX\t0\t10\n");
  const CommandResult missing = epibook("bw values " + kFixture + " " + bed);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find(bed + ": line 2: "), std::string::npos) << missing.output;
  EXPECT_NE(missing.output.find("chromosome chrX is not in the file"), std::string::npos) << missing.output;
}

// Peak resident memory of a command (KiB), from the kernel's accounting of the child.
long peak_memory_kib(const std::string& command) {
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) return -1;
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  return usage.ru_maxrss;
}

TEST(BwValuesCli, ManyRegionsStreamInBoundedMemoryWithTheSameBins) {
  // 1,200 copies of chr2 (60 million bases, 240 MB as floats held at once) in bins that
  // straddle the million-value reads: the output must equal one region's bins repeated,
  // and memory must stay far below what holding every value would take.
  const std::string dir = testing::scratch_dir("stream");
  const std::string one = dir + "/one.bed", many = dir + "/many.bed";
  testing::write_file(one, "chr2\t0\t50000\n");
  std::string rows;
  for (int i = 0; i < 1200; ++i) rows += "chr2\t0\t50000\n";
  testing::write_file(many, rows);
  const CommandResult single = epibook("bw values " + kFixture + " " + one + " --bin 3000 -o " + dir + "/one.tsv");
  ASSERT_EQ(single.exit_code, 0) << single.output;
  const long small = peak_memory_kib(std::string(EPIBOOK_CLI) + " bw values " + kFixture + " " + one +
                                     " --bin 3000 -o " + dir + "/one.tsv");
  const long large = peak_memory_kib(std::string(EPIBOOK_CLI) + " bw values " + kFixture + " " + many +
                                     " --bin 3000 -o " + dir + "/many.tsv");
  ASSERT_GT(small, 0);
  ASSERT_GT(large, 0);
  EXPECT_LT(large - small, 120 * 1024) << "peak memory grew from " << small << " KiB to " << large << " KiB";
  const std::string one_region = testing::read_file(dir + "/one.tsv");
  std::string expected;
  for (int i = 0; i < 1200; ++i) expected += one_region;
  ASSERT_EQ(one_region.substr(0, 12), "chr2\t0\t3000\t");
  EXPECT_EQ(testing::read_file(dir + "/many.tsv"), expected);
}

TEST(BwValuesCli, NpyWithRegionsOfDifferentLengths_FailsWithReason) {
  const std::string out = testing::scratch_dir("npy") + "/values.npy";
  const CommandResult run = epibook("bw values " + kFixture + " chr1:0-10 chr1:0-20 --format npy -o " + out);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.output.find("epibook: --format npy needs regions of one length"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("chr1:0-20 has 20 bp"), std::string::npos) << run.output;
}

TEST(BwStatsCli, ExactBinsPrintBinEdgesAndValues) {
  const CommandResult run = epibook("bw stats " + kFixture + " chr1:0-400 --type mean --bins 4 --exact");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(run.output, "chr1\t0\t100\tnan\nchr1\t100\t200\t1.5\nchr1\t200\t300\t-2\nchr1\t300\t400\tnan\n");
}

TEST(BwStatsCli, AgreesWithPyBigWigStats) {
  const std::string region = "chr1:90-2,100";
  for (const char* type : {"mean", "std", "coverage", "sum"}) {
    const CommandResult ours = epibook("bw stats " + kFixture + " " + region + " --type " + type + " --bins 3 --exact");
    ASSERT_EQ(ours.exit_code, 0) << ours.output;
    const std::string script = "import pyBigWig; b = pyBigWig.open('" + kFixture + "'); print(' '.join(repr(v) for v in b.stats('chr1', 90, 2100, type='" + type + "', nBins=3, exact=True)))";
    const CommandResult theirs = run_command(std::string(EPIBOOK_PYTHON) + " -c \"" + script + "\"");
    ASSERT_EQ(theirs.exit_code, 0) << theirs.output;
    std::istringstream expected(theirs.output), got(ours.output);
    for (int bin = 0; bin < 3; ++bin) {
      std::string want, chrom, start, end, value;
      expected >> want;
      got >> chrom >> start >> end >> value;
      if (want == "None") {
        EXPECT_EQ(value, "nan") << type << " bin " << bin;
      } else {
        EXPECT_EQ(std::stod(value), std::stod(want)) << type << " bin " << bin;
      }
    }
  }
}

TEST(BwReadCli, NotABigWig_FailsNamingFileAndOffset) {
  const std::string path = testing::scratch_dir("bad") + "/garbage.bw";
  testing::write_file(path, std::string(200, 'x'));
  for (const std::string command : {"bw info ", "bw values ", "bw stats "}) {
    const CommandResult run = epibook(command + path + (command == "bw info " ? "" : " chr1:0-10"));
    EXPECT_EQ(run.exit_code, 1) << command;
    EXPECT_NE(run.output.find("epibook: " + path + ": byte 0: magic number"), std::string::npos) << run.output;
  }
}

TEST(BwReadCli, BadRegions_FailWithTheRegionAndTheProblem) {
  const struct {
    const char* region;
    const char* message;
  } cases[] = {
      {"chr9:0-10", "chr9:0-10: chromosome chr9 is not in the file"},
      {"chr2:49,990-50,010", "chr2:49,990-50,010: runs past the end of chr2 (50,000 bp)"},
      {"chr1:500-400", "chr1:500-400"},
  };
  for (const auto& c : cases) {
    const CommandResult run = epibook("bw values " + kFixture + " " + c.region);
    EXPECT_EQ(run.exit_code, 1) << c.region;
    EXPECT_NE(run.output.find("epibook: "), std::string::npos) << run.output;
    EXPECT_NE(run.output.find(c.message), std::string::npos) << run.output;
  }
  const CommandResult stats = epibook("bw stats " + kFixture + " chr1:0-10 --type median");
  EXPECT_EQ(stats.exit_code, 1);
  EXPECT_NE(stats.output.find("unknown statistic 'median'"), std::string::npos) << stats.output;
}

TEST(BwReadCli, HelpDescribesBinningAndZoomStatistics) {
  const CommandResult values = epibook("bw values --help");
  EXPECT_EQ(values.exit_code, 0);
  EXPECT_NE(values.output.find("shorter bin averages"), std::string::npos) << values.output;
  const CommandResult stats = epibook("bw stats --help");
  EXPECT_EQ(stats.exit_code, 0);
  EXPECT_NE(stats.output.find("--exact"), std::string::npos) << stats.output;
}

}  // namespace
}  // namespace epibook
