// Phred offset detection (phred_offset.h) on qualities typical of each era of Illumina.
#include "epibook/phred_offset.h"

#include <gtest/gtest.h>

#include <vector>

namespace epibook {
namespace {

FastqRecord record_with_quality_text(const std::string& text) {
  FastqRecord record;
  record.name = "r";
  record.sequence = std::string(text.size(), 'A');
  for (char c : text) record.quality.push_back(static_cast<uint8_t>(c - 33));
  return record;
}

TEST(DetectPhredOffset, ModernIlluminaQualitiesAre33) {
  const std::vector<FastqRecord> records = {record_with_quality_text("IIIIHHGF#!"), record_with_quality_text("AAAAEEEE")};
  EXPECT_EQ(detect_phred_offset(records), 33);
}

TEST(DetectPhredOffset, OldIlluminaQualitiesAbove74Are64) {
  const std::vector<FastqRecord> records = {record_with_quality_text("hhhhggfeddBB"), record_with_quality_text("ffffff")};
  EXPECT_EQ(detect_phred_offset(records), 64);
}

TEST(DetectPhredOffset, OneCharacterBelowSemicolonSettlesIt) {
  const std::vector<FastqRecord> records = {record_with_quality_text("hhhhh"), record_with_quality_text("#hh")};
  EXPECT_EQ(detect_phred_offset(records), 33);
}

TEST(DetectPhredOffset, AmbiguousOrEmptyQualitiesAre33) {
  EXPECT_EQ(detect_phred_offset(std::vector<FastqRecord>{record_with_quality_text("@@BBDDFFHHJJ")}), 33);
  EXPECT_EQ(detect_phred_offset(std::vector<FastqRecord>{}), 33);
}

TEST(ApplyPhredOffset, ReDecodesAs64AndClampsAtZero) {
  std::vector<FastqRecord> records = {record_with_quality_text("h@B5")};
  apply_phred_offset(records, 64);
  const std::vector<uint8_t> expected = {40, 0, 2, 0};
  EXPECT_EQ(records[0].quality, expected);
  apply_phred_offset(records, 33);
  EXPECT_EQ(records[0].quality, expected);
}

}  // namespace
}  // namespace epibook
