// `epibook bw write` as a user meets it: good bedGraph and wig files become bigWigs
// that pyBigWig reads back item for item; bad input gives "epibook: file: line N:
// problem", exit code 1 and no output file, not even a partial one.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/test_support.h"

namespace epibook {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

testing::CommandResult bw_write(const std::string& arguments) {
  return testing::run_command(std::string(EPIBOOK_CLI) + " bw write " + arguments);
}

// pyBigWig's header and every chromosome's intervals, as JSON.
json read_with_pybigwig(const std::string& dir, const std::string& bigwig) {
  const std::string script = dir + "/dump.py";
  testing::write_file(script,
                      "import json, sys, pyBigWig\n"
                      "bw = pyBigWig.open(sys.argv[1])\n"
                      "print(json.dumps({'header': bw.header(), 'chroms': bw.chroms(),\n"
                      "  'intervals': {c: bw.intervals(c) or [] for c in bw.chroms()}}))\n");
  const auto result = testing::run_command(std::string(EPIBOOK_PYTHON) + " " + script + " " + bigwig);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return json::parse(result.output, nullptr, false);
}

void expect_no_output(const std::string& path) {
  EXPECT_FALSE(fs::exists(path)) << path;
  EXPECT_FALSE(fs::exists(path + ".partial")) << path << ".partial";
}

class BwWriteCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::scratch_dir("bw-write");
    sizes_ = dir_ + "/genome.sizes";
    testing::write_file(sizes_, "chr1\t100000\nchr2\t50000\nchrM\t16569\n");
  }
  std::string dir_;
  std::string sizes_;
};

TEST_F(BwWriteCli, GoodBedGraph_RoundTripsThroughPyBigWig) {
  std::string text = "track type=bedGraph\n";
  std::vector<std::tuple<std::string, int, int, double>> items;
  for (int i = 0; i < 3000; ++i) items.emplace_back("chr1", i * 30, i * 30 + 1 + i % 29, (i % 17) * 0.25 - 1);
  for (int i = 0; i < 500; ++i) items.emplace_back("chr2", 1000 + i * 50, 1000 + i * 50 + 50, i);
  for (const auto& [chrom, start, end, value] : items) {
    text += chrom + "\t" + std::to_string(start) + "\t" + std::to_string(end) + "\t" + std::to_string(value) + "\n";
  }
  testing::write_file(dir_ + "/in.bedGraph", text);
  const auto result = bw_write("--chrom-sizes " + sizes_ + " " + dir_ + "/in.bedGraph -o " + dir_ + "/out.bw");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output, "") << "small inputs are written silently";

  const json back = read_with_pybigwig(dir_, dir_ + "/out.bw");
  ASSERT_FALSE(back.is_discarded());
  EXPECT_EQ(back["header"]["version"], 4);
  EXPECT_GE(back["header"]["nLevels"].get<int>(), 1);
  EXPECT_EQ(back["chroms"]["chrM"], 16569);
  const json& chr1 = back["intervals"]["chr1"];
  const json& chr2 = back["intervals"]["chr2"];
  ASSERT_EQ(chr1.size() + chr2.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& [chrom, start, end, value] = items[i];
    const json& got = i < 3000 ? chr1[i] : chr2[i - 3000];
    ASSERT_EQ(got[0].get<int>(), start) << i;
    ASSERT_EQ(got[1].get<int>(), end) << i;
    ASSERT_EQ(got[2].get<float>(), static_cast<float>(value)) << i;
  }
  EXPECT_TRUE(back["intervals"]["chrM"].empty());
}

TEST_F(BwWriteCli, GoodWig_OneBasedPositionsComeBackZeroBased) {
  testing::write_file(dir_ + "/in.wig",
                      "track type=wiggle_0\nfixedStep chrom=chr1 start=1 step=100 span=10\n1\n2\n3\n"
                      "variableStep chrom=chr2 span=5\n101 7.5\n201 -1\n");
  const auto result =
      bw_write("--chrom-sizes " + sizes_ + " " + dir_ + "/in.wig -o " + dir_ + "/w.bw --no-compress --zoom-levels 0");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const json back = read_with_pybigwig(dir_, dir_ + "/w.bw");
  ASSERT_FALSE(back.is_discarded());
  EXPECT_EQ(back["header"]["nLevels"], 0);
  EXPECT_EQ(back["intervals"]["chr1"], json::parse("[[0,10,1.0],[100,110,2.0],[200,210,3.0]]"));
  EXPECT_EQ(back["intervals"]["chr2"], json::parse("[[100,105,7.5],[200,205,-1.0]]"));
}

TEST_F(BwWriteCli, FormatOption_OverridesTheExtension) {
  testing::write_file(dir_ + "/signal.txt", "chr1\t0\t10\t1\n");
  const auto guessed = bw_write("--chrom-sizes " + sizes_ + " " + dir_ + "/signal.txt -o " + dir_ + "/a.bw");
  EXPECT_EQ(guessed.exit_code, 1);
  EXPECT_NE(guessed.output.find("epibook: " + dir_ + "/signal.txt: unknown extension '.txt'"), std::string::npos)
      << guessed.output;
  expect_no_output(dir_ + "/a.bw");
  const auto forced =
      bw_write("--chrom-sizes " + sizes_ + " --format bedgraph " + dir_ + "/signal.txt -o " + dir_ + "/a.bw");
  EXPECT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_TRUE(fs::exists(dir_ + "/a.bw"));
}

TEST_F(BwWriteCli, OverlappingLine_IsReportedWithFileAndLine_AndLeavesNoOutput) {
  std::string text = "track type=bedGraph\n";
  for (int i = 0; i < 15; ++i) text += "chr1\t" + std::to_string(i * 10) + "\t" + std::to_string(i * 10 + 10) + "\t1\n";
  text += "chr1\t1050\t1200\t2\nchr1\t1000\t1100\t3\n";
  testing::write_file(dir_ + "/in.bedGraph", text);
  const auto result = bw_write("--chrom-sizes " + sizes_ + " " + dir_ + "/in.bedGraph -o " + dir_ + "/out.bw");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.output, "epibook: " + dir_ +
                               "/in.bedGraph: line 18: chr1:1,000-1,100 overlaps the previous interval chr1:1,050-1,200\n");
  expect_no_output(dir_ + "/out.bw");
}

TEST_F(BwWriteCli, OtherBadInputs_GiveOneClearLineAndExitCode1) {
  struct Case {
    std::string text;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"chr1\t0\t10\t1\nchr9\t0\t10\t1\n", "line 2: chromosome chr9 is not among the 3 chromosomes given"},
      {"chrM\t16560\t16570\t1\n", "line 1: chrM:16,560-16,570 runs past the end of chrM (16,569 bp)"},
      {"chr1\t0\t10\tlots\n", "line 1: value 'lots' is not a number"},
      {"chr1\t0\t10\tNaN\n", "line 1: value is NaN"},
      {"chr1\t0\t10\n", "line 1: expected 4 columns (chrom, start, end, value), found 3"},
      {"chr1\t0\t10\t1\nchr2\t0\t10\t1\nchr1\t20\t30\t1\n", "line 3: chr1 comes back after chr2"},
  };
  for (const Case& c : cases) {
    testing::write_file(dir_ + "/bad.bg", c.text);
    const auto result = bw_write("--chrom-sizes " + sizes_ + " " + dir_ + "/bad.bg -o " + dir_ + "/bad.bw");
    EXPECT_EQ(result.exit_code, 1) << c.message;
    EXPECT_EQ(result.output.rfind("epibook: " + dir_ + "/bad.bg: " + c.message, 0), 0u) << result.output;
    EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
    expect_no_output(dir_ + "/bad.bw");
  }
}

TEST_F(BwWriteCli, MissingFiles_AreNamed) {
  testing::write_file(dir_ + "/ok.bg", "chr1\t0\t10\t1\n");
  const auto no_sizes = bw_write("--chrom-sizes " + dir_ + "/none.sizes " + dir_ + "/ok.bg -o " + dir_ + "/x.bw");
  EXPECT_EQ(no_sizes.exit_code, 1);
  EXPECT_EQ(no_sizes.output, "epibook: " + dir_ + "/none.sizes: cannot open for reading\n");
  const auto no_input = bw_write("--chrom-sizes " + sizes_ + " " + dir_ + "/none.bg -o " + dir_ + "/x.bw");
  EXPECT_EQ(no_input.exit_code, 1);
  EXPECT_EQ(no_input.output, "epibook: " + dir_ + "/none.bg: cannot open for reading\n");
  expect_no_output(dir_ + "/x.bw");
}

TEST_F(BwWriteCli, Progress_NamesEachChromosomeOnStderr) {
  testing::write_file(dir_ + "/p.bg", "chr1\t0\t10\t1\nchr2\t0\t10\t1\n");
  const auto result =
      bw_write("--progress --chrom-sizes " + sizes_ + " " + dir_ + "/p.bg -o " + dir_ + "/p.bw");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("epibook bw write: chr1 (0 items so far)"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("epibook bw write: chr2 (1 items so far)"), std::string::npos) << result.output;
}

TEST_F(BwWriteCli, Help_ListsTheOptions) {
  const auto result = bw_write("--help");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* option : {"--chrom-sizes", "--zoom-levels", "--items-per-slot", "--no-compress", "--format", "-o"}) {
    EXPECT_NE(result.output.find(option), std::string::npos) << option;
  }
}

TEST_F(BwWriteCli, OutOfRangeOption_IsRefused) {
  testing::write_file(dir_ + "/ok.bg", "chr1\t0\t10\t1\n");
  const auto result =
      bw_write("--items-per-slot 0 --chrom-sizes " + sizes_ + " " + dir_ + "/ok.bg -o " + dir_ + "/x.bw");
  EXPECT_NE(result.exit_code, 0);
  expect_no_output(dir_ + "/x.bw");
}

}  // namespace
}  // namespace epibook
