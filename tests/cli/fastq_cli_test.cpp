// `epibook fastq head` as a user runs it: the records and scores it prints for plain
// and gzip files, each output format, and the message and exit code for a bad file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/test_support.h"

namespace epibook {
namespace {

testing::CommandResult run_epibook(const std::string& arguments) {
  return testing::run_command(std::string(EPIBOOK_CLI) + " " + arguments);
}

// Quoted for the shell. Appended piece by piece: GCC 12 warns (-Wrestrict, a false
// positive) on "'" + std::string&& + "'".
std::string fixture(const std::string& relative) {
  std::string quoted = "'";
  quoted += testing::data_path(relative);
  quoted += "'";
  return quoted;
}

TEST(FastqHeadCli, PlainFile_PrintsRecordsWithDecodedScoresAndSummary) {
  const auto result = run_epibook("fastq head " + fixture("formats/reads.fq") + " -n 2");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find("ID: B7_591:4:96:693:509/1\nSequence: CACTAGTGGCTCATTGTAAATGTGTGGTTTAACTCG\n"
                               "Quality Scores: [27, 27, 27,"),
            std::string::npos)
      << result.output;
  // Record 2's quality "<<<<<<<<<<0<..." has '0' (48 - 33 = 15) as its 11th score.
  EXPECT_NE(result.output.find("Quality Scores: [27, 27, 27, 27, 27, 27, 27, 27, 27, 27, 15, 27"), std::string::npos);
  EXPECT_EQ(result.output.find("EAS51_64:8:5:734:57"), std::string::npos) << "record 3 is past -n 2";
  EXPECT_NE(result.output.find("Per-position quality over 2 records (36 positions"), std::string::npos);
  EXPECT_NE(result.output.find("  mean:   [27.0, 27.0"), std::string::npos);
}

TEST(FastqHeadCli, DefaultCount_IsTenRecords) {
  const auto result = run_epibook("fastq head " + fixture("formats/reads.fq"));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  size_t records = 0;
  for (size_t at = result.output.find("Quality Scores: ["); at != std::string::npos;
       at = result.output.find("Quality Scores: [", at + 1)) {
    ++records;
  }
  EXPECT_EQ(records, 10u);
  EXPECT_NE(result.output.find("over 10 records"), std::string::npos);
}

TEST(FastqHeadCli, GzipFile_PrintsTheSameAsPlain) {
  const auto plain = run_epibook("fastq head " + fixture("formats/reads.fq") + " -n 12");
  const auto gz = run_epibook("fastq head " + fixture("formats/reads.fq.gz") + " -n 12");
  ASSERT_EQ(gz.exit_code, 0) << gz.output;
  EXPECT_EQ(gz.output, plain.output);
}

TEST(FastqHeadCli, JsonFormat_CarriesScoresAndQuartilesPerPosition) {
  const auto result = run_epibook("fastq head " + fixture("formats/reads.fq.gz") + " -n 12 --format json");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  const auto json = nlohmann::json::parse(result.output, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(json.is_discarded()) << result.output;
  ASSERT_EQ(json["records"].size(), 12u);
  EXPECT_EQ(json["records"][0]["id"], "B7_591:4:96:693:509/1");
  EXPECT_EQ(json["records"][1]["quality_scores"][10], 15);
  const auto& positions = json["quality_by_position"]["positions"];
  ASSERT_EQ(positions.size(), 36u);
  // numpy.percentile of the 12 scores at position 35: [18.75, 23, 26].
  EXPECT_EQ(positions[34]["q1"], 18.75);
  EXPECT_EQ(positions[34]["median"], 23.0);
  EXPECT_EQ(positions[34]["q3"], 26.0);
  EXPECT_EQ(positions[35]["reads"], 4);
}

TEST(FastqHeadCli, TsvFormat_HasOneRowPerRecordAndCommentedSummary) {
  const auto result = run_epibook("fastq head " + fixture("formats/reads.fq") + " -n 3 --format tsv");
  ASSERT_EQ(result.exit_code, 0) << result.output;
  std::istringstream lines(result.output);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "record\tname\tsequence\tquality_scores");
  std::getline(lines, line);
  EXPECT_EQ(line.substr(0, 24), "1\tB7_591:4:96:693:509/1\t");
  EXPECT_NE(result.output.find("\n# 35\t3\t"), std::string::npos) << result.output;
}

TEST(FastqHeadCli, MalformedFile_PrintsWhereAndWhyAndExitsWithOne) {
  const auto result = run_epibook("fastq head " + fixture("malformed/quality_shorter_than_sequence.fq"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("epibook: "), std::string::npos);
  EXPECT_NE(result.output.find("quality_shorter_than_sequence.fq: line 8 (record 2): quality has 35 characters, "
                               "sequence has 36"),
            std::string::npos)
      << result.output;
}

TEST(FastqHeadCli, BadGzip_ExitsWithOne) {
  const auto result = run_epibook("fastq head " + fixture("malformed/bad_deflate_data.fq.gz"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("epibook: "), std::string::npos);
  EXPECT_NE(result.output.find("bad gzip data"), std::string::npos) << result.output;
}

TEST(FastqHeadCli, MissingFile_ExitsWithOne) {
  const auto result = run_epibook("fastq head /nonexistent/reads.fq");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("epibook: /nonexistent/reads.fq: no such file"), std::string::npos) << result.output;
}

TEST(FastqHeadCli, UnknownFormat_ExitsWithOne) {
  const auto result = run_epibook("fastq head " + fixture("formats/reads.fq") + " --format xml");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("epibook: --format 'xml': expected text, json or tsv"), std::string::npos);
}

// Old Illumina quality 'h' is Q40 at offset 64 and 'B' is Q2; at offset 33 they would
// read 71 and 33.
TEST(FastqHeadCli, PhredPlus64File_IsDetectedAndDecodedWithOffset64) {
  const std::string file = testing::scratch_dir("fastq-phred64") + "/old.fq";
  testing::write_file(file, "@old:1\nACGT\n+\nhhhB\n@old:2\nTTGA\n+\nhhgB\n");
  const auto detected = run_epibook("fastq head " + file);
  ASSERT_EQ(detected.exit_code, 0) << detected.output;
  EXPECT_NE(detected.output.find("(qualities read as Phred+64)"), std::string::npos) << detected.output;
  EXPECT_NE(detected.output.find("Quality Scores: [40, 40, 40, 2]"), std::string::npos) << detected.output;
  const auto forced = run_epibook("fastq head " + file + " --phred 33 --format tsv");
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_NE(forced.output.find("71,71,71,33"), std::string::npos) << forced.output;
  const auto json = run_epibook("fastq head " + file + " --format json");
  EXPECT_NE(json.output.find("\"quality\": \"hhhB\""), std::string::npos) << json.output;
  const auto bad = run_epibook("fastq head " + file + " --phred 50");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.output.find("--phred '50': expected auto, 33 or 64"), std::string::npos) << bad.output;
}

TEST(FastqHeadCli, Help_DescribesPhredScores) {
  const auto result = run_epibook("fastq head --help");
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_NE(result.output.find("Phred"), std::string::npos);
  EXPECT_NE(result.output.find("--format"), std::string::npos);
}

}  // namespace
}  // namespace epibook
