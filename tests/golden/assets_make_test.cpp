// Golden tests of scripts/make-assets: the real slices (bigWig, FASTA, insulator BED)
// must hold exactly what their Debian sources hold, as read by pyBigWig and plain
// Python (tests/golden/assets_reference.py); the simulated sets must be complete and
// MACS2 must find their planted peaks; a second run rebuilds nothing; a missing
// source package is named in the script's message.
#include <gtest/gtest.h>

#include <string>

#include "support/test_support.h"

namespace epibook {
namespace {

const std::string kScript = std::string(EPIBOOK_TEST_SOURCE_DIR) + "/../scripts/make-assets";
const std::string kAugustusData = "/usr/share/doc/augustus/tutorial/data";
const std::string kPybedtoolsData = "/usr/lib/python3/dist-packages/pybedtools/test/data";

std::string quoted(const std::string& text) { return "'" + text + "'"; }

testing::CommandResult make_assets(const std::string& out, const std::string& environment = "") {
  return testing::run_command(environment + " " + quoted(kScript) + " " + quoted(out) + " " +
                              quoted(EPIBOOK_CLI) + " 2>&1");
}

TEST(AssetsGolden, MakeAssets_RealSlicesEqualTheirSources_SimulatedSetsAreComplete) {
  const std::string out = testing::scratch_dir("assets_all");
  const testing::CommandResult made = make_assets(out);
  ASSERT_EQ(made.exit_code, 0) << made.output;

  const testing::CommandResult checked = testing::run_command(
      std::string(EPIBOOK_PYTHON) + " " + quoted(std::string(EPIBOOK_GOLDEN_DIR) + "/assets_reference.py") + " " +
      quoted(out) + " " + quoted(kAugustusData + "/chr2R.7M-8M.wig") + " " + quoted(kAugustusData + "/chr2R.fa") +
      " " + quoted(kPybedtoolsData) + " 2>&1");
  ASSERT_EQ(checked.exit_code, 0) << checked.output;
  for (const char* check : {"bigwig_equals_wig: ok", "fasta_slice_equals_source: ok", "insulators_equal_sources: ok",
                            "simulated_tracks_match_genome: ok", "macs2_finds_planted_peaks: ok",
                            "manifest_lists_every_file: ok"}) {
    EXPECT_NE(checked.output.find(check), std::string::npos) << checked.output;
  }
  EXPECT_EQ(testing::read_file(out + "/reads-real-phred64.fastq"), testing::read_file(kPybedtoolsData + "/small.fastq"));

  // The slice's .fai is the one samtools writes.
  const std::string copy = out + "/copy.fa";
  testing::write_file(copy, testing::read_file(out + "/dm3-chr2R-7-8Mb.fa"));
  const testing::CommandResult faidx = testing::run_command("samtools faidx " + quoted(copy) + " 2>&1");
  ASSERT_EQ(faidx.exit_code, 0) << faidx.output;
  EXPECT_EQ(testing::read_file(out + "/dm3-chr2R-7-8Mb.fa.fai"), testing::read_file(copy + ".fai"));
}

TEST(AssetsGolden, SecondRun_RebuildsNothingAndKeepsTheBytes) {
  const std::string out = testing::scratch_dir("assets_again");
  ASSERT_EQ(make_assets(out).exit_code, 0);
  const std::string bigwig = testing::read_file(out + "/dm3-chr2R-rnaseq.bw");
  const std::string track = testing::read_file(out + "/sim-toy/celltypeA.bw");
  const testing::CommandResult again = make_assets(out);
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(again.output.find(" from "), std::string::npos) << "rebuilt an up-to-date asset:\n" << again.output;
  EXPECT_EQ(testing::read_file(out + "/dm3-chr2R-rnaseq.bw"), bigwig);
  EXPECT_EQ(testing::read_file(out + "/sim-toy/celltypeA.bw"), track);
}

TEST(AssetsGolden, MissingSourcePackage_IsNamedAndNothingIsWritten) {
  const std::string out = testing::scratch_dir("assets_missing");
  const testing::CommandResult augustus = make_assets(out + "/a", "EPIBOOK_AUGUSTUS_DATA=/nonexistent");
  EXPECT_EQ(augustus.exit_code, 1);
  EXPECT_NE(augustus.output.find("install the Debian package 'augustus-doc'"), std::string::npos) << augustus.output;
  const testing::CommandResult pybedtools = make_assets(out + "/b", "EPIBOOK_PYBEDTOOLS_DATA=/nonexistent");
  EXPECT_EQ(pybedtools.exit_code, 1);
  EXPECT_NE(pybedtools.output.find("'python3-pybedtools'"), std::string::npos) << pybedtools.output;
  EXPECT_TRUE(testing::read_file(out + "/a/manifest.json").empty());
}

}  // namespace
}  // namespace epibook
