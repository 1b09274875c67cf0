// BED and narrowPeak: what is parsed, what is skipped, what a reader is told about a
// broken line, and that writing then reading gives the same records.
#include <gtest/gtest.h>

#include "epibook/bed.h"
#include "support/test_support.h"

namespace epibook {
namespace {

std::string formats(const std::string& name) { return testing::data_path("formats/" + name); }
std::string malformed(const std::string& name) { return testing::data_path("malformed/" + name); }

std::string error_of(const std::string& path) {
  auto records = read_bed(path);
  EXPECT_FALSE(records.is_ok()) << path << " should not parse";
  return records.is_ok() ? std::string() : records.status().message();
}

TEST(Bed, TrackBrowserCommentAndBlankLines_AreSkipped) {
  auto records = read_bed(formats("regions.bed"));
  ASSERT_TRUE(records.is_ok()) << records.status().message();
  ASSERT_EQ(records->size(), 6u);
  const BedRecord& first = (*records)[0];
  EXPECT_EQ(first.region, (Region{"chr2R", 7000150, 7000650}));
  EXPECT_EQ(first.name, "site_1");
  EXPECT_EQ(first.score, 960);
  EXPECT_EQ(first.strand, '+');
  EXPECT_EQ((*records)[1].strand, '-');
  EXPECT_EQ(first.peak, -1) << "not a narrowPeak file";
}

TEST(Bed, DotName_ReadsAsEmpty) {
  auto records = read_bed(formats("regions.bed"));
  ASSERT_TRUE(records.is_ok());
  EXPECT_EQ((*records)[2].name, "");
  EXPECT_EQ((*records)[2].strand, '.');
}

TEST(Bed, SpaceSeparatedLine_IsTolerated) {
  auto records = read_bed(formats("regions.bed"));
  ASSERT_TRUE(records.is_ok());
  EXPECT_EQ((*records)[3].region, (Region{"chr2R", 7047500, 7048000}));
  EXPECT_EQ((*records)[3].name, "site_4");
  EXPECT_EQ((*records)[3].score, 120);
}

TEST(Bed, Bed12Columns_AreIgnoredAndBed3WithCrLfReads) {
  auto records = read_bed(formats("regions.bed"));
  ASSERT_TRUE(records.is_ok());
  EXPECT_EQ((*records)[4].region, (Region{"chr2R", 7060000, 7062000}));
  EXPECT_EQ((*records)[4].name, "gene_a");
  EXPECT_EQ((*records)[4].signal_value, -1) << "BED12 is not narrowPeak";
  EXPECT_EQ((*records)[5].region, (Region{"chr3L", 100, 200}));
  EXPECT_EQ((*records)[5].name, "");
}

TEST(Bed, RegionsOnly_KeepsFileOrder) {
  auto regions = read_bed_regions(formats("regions.bed"));
  ASSERT_TRUE(regions.is_ok()) << regions.status().message();
  ASSERT_EQ(regions->size(), 6u);
  EXPECT_EQ(regions->back(), (Region{"chr3L", 100, 200}));
}

TEST(Bed, NarrowPeakSummitParsed) {
  auto records = read_bed(formats("peaks.narrowPeak"));
  ASSERT_TRUE(records.is_ok()) << records.status().message();
  ASSERT_EQ(records->size(), 6u);
  const BedRecord& peak = records->front();
  EXPECT_EQ(peak.region, (Region{"chr2R", 7001234, 7001689}));
  EXPECT_EQ(peak.name, "beaf32_peak_1");
  EXPECT_EQ(peak.score, 253);
  EXPECT_DOUBLE_EQ(peak.signal_value, 12.47261);
  EXPECT_DOUBLE_EQ(peak.p_value, 28.36198);
  EXPECT_DOUBLE_EQ(peak.q_value, 25.31037);
  EXPECT_EQ(peak.peak, 211);
  EXPECT_EQ(peak.region.start + peak.peak, 7001445u) << "the summit is an offset from the start";
  EXPECT_EQ(records->back().peak, -1) << "-1: no summit given";
}

TEST(Bed, GzippedNarrowPeak_ReadsLikePlain) {
  auto plain = read_bed(formats("peaks.narrowPeak"));
  auto gz = read_bed(formats("peaks.narrowPeak.gz"));
  ASSERT_TRUE(plain.is_ok() && gz.is_ok()) << gz.status().message();
  ASSERT_EQ(gz->size(), plain->size());
  for (size_t i = 0; i < gz->size(); ++i) {
    EXPECT_EQ((*gz)[i].region, (*plain)[i].region);
    EXPECT_EQ((*gz)[i].peak, (*plain)[i].peak);
  }
}

TEST(Bed, EndBeforeStart_NamesFileLineAndBothCoordinates) {
  const std::string message = error_of(malformed("end_before_start.bed"));
  EXPECT_NE(message.find("end_before_start.bed: line 12: end 4,000 is before start 5,000"), std::string::npos)
      << message;
}

TEST(Bed, NonNumericStart_NamesTheColumn) {
  const std::string message = error_of(malformed("start_not_a_number.bed"));
  EXPECT_NE(message.find("start_not_a_number.bed: line 2: column 2 (start): '7,001,000' is not a whole number"),
            std::string::npos)
      << message;
}

TEST(Bed, TooFewColumns_SaysHowManyAreNeeded) {
  const std::string message = error_of(malformed("too_few_columns.bed"));
  EXPECT_NE(message.find("line 2: 2 columns; BED needs at least 3 (chrom, start, end)"), std::string::npos)
      << message;
}

TEST(Bed, NegativeStart_IsRejected) {
  const std::string message = error_of(malformed("negative_start.bed"));
  EXPECT_NE(message.find("line 1: column 2 (start): -20 is negative"), std::string::npos) << message;
}

TEST(Bed, BadStrand_NamesTheValue) {
  const std::string message = error_of(malformed("bad_strand.bed"));
  EXPECT_NE(message.find("line 2: column 6 (strand): 'minus' is not '+', '-' or '.'"), std::string::npos) << message;
}

TEST(Bed, SummitOutsidePeak_IsRejected) {
  const std::string message = error_of(malformed("summit_outside_peak.narrowPeak"));
  EXPECT_NE(message.find("line 2: column 10 (peak): summit offset 900 lies outside the peak (length 282)"),
            std::string::npos)
      << message;
}

TEST(Bed, NarrowPeakPValueNotANumber_NamesTheColumn) {
  const std::string message = error_of(malformed("pvalue_not_a_number.narrowPeak"));
  EXPECT_NE(message.find("line 1: column 8 (pValue): 'NA' is not a number"), std::string::npos) << message;
}

TEST(Bed, ParseFromMemory_UsesTheGivenNameInMessages) {
  auto records = parse_bed("chr1\t10\t20\nchr1\tx\t30\n", "pasted.bed");
  ASSERT_FALSE(records.is_ok());
  EXPECT_NE(records.status().message().find("pasted.bed: line 2: column 2 (start)"), std::string::npos);
}

// A fuzzing find: a chromosome name ending in a vertical tab was trimmed to "chr1" and
// accepted. Every control character in a name (inside it, or where a tab would have
// been trimmed) is refused, naming the file, the line, the column and the byte.
TEST(Bed, ChromosomeNameWithControlCharacter_IsRefusedNamingTheByte) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"chr1\v\t10\t20\n", "name 'chr1\\x0b' holds a control character (byte 5)"},
      {"\vchr1\t10\t20\n", "name '\\x0bchr1' holds a control character (byte 1)"},
      {"chr\f1\t10\t20\n", "name 'chr\\x0c1' holds a control character (byte 4)"},
      {"chr1\r\t10\t20\n", "name 'chr1\\x0d' holds a control character (byte 5)"},
      {"chr1\x01 10 20\n", "name 'chr1\\x01' holds a control character (byte 5)"},
      {std::string("chr\0" "1\t10\t20\n", 12), "name 'chr\\x001' holds a control character (byte 4)"},
      {"chr1\x7f\t10\t20\n", "name 'chr1\\x7f' holds a control character (byte 5)"},
  };
  for (const auto& [text, problem] : cases) {
    auto records = parse_bed("chr1\t0\t5\n" + text, "control.bed");
    ASSERT_FALSE(records.is_ok()) << "accepted " << ::testing::PrintToString(text);
    EXPECT_NE(records.status().message().find("control.bed: line 2: column 1 (chrom): " + problem), std::string::npos)
        << records.status().message();
  }
  // Spaces and tabs around a column, and a CRLF line end, are still no part of the name.
  auto records = parse_bed("chr1 \t10\t20\r\n\tchr2\t1\t2\n", "blanks.bed");
  ASSERT_TRUE(records.is_ok()) << records.status().message();
  EXPECT_EQ(records->at(0).region.chrom, "chr1");
  EXPECT_EQ(records->at(1).region.chrom, "chr2");
}

TEST(Bed, ZeroLengthInterval_IsValidBed) {
  auto records = parse_bed("chr1\t10\t10\tinsertion\n", "points.bed");
  ASSERT_TRUE(records.is_ok()) << records.status().message();
  EXPECT_EQ(records->front().region.length(), 0u);
}

TEST(Bed, WriteThenRead_RoundTripsBed6) {
  const std::string dir = testing::scratch_dir("bed");
  auto original = read_bed(formats("regions.bed"));
  ASSERT_TRUE(original.is_ok());
  ASSERT_TRUE(write_bed(dir + "/out.bed", *original).is_ok());
  auto back = read_bed(dir + "/out.bed");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  ASSERT_EQ(back->size(), original->size());
  for (size_t i = 0; i < back->size(); ++i) {
    EXPECT_EQ((*back)[i].region, (*original)[i].region);
    EXPECT_EQ((*back)[i].name, (*original)[i].name);
    EXPECT_EQ((*back)[i].score, (*original)[i].score);
    EXPECT_EQ((*back)[i].strand, (*original)[i].strand);
  }
  EXPECT_EQ(testing::read_file(dir + "/out.bed").substr(0, 40), "chr2R\t7000150\t7000650\tsite_1\t960\t+\nchr2R");
}

TEST(Bed, WriteThenRead_RoundTripsNarrowPeakExactly) {
  const std::string dir = testing::scratch_dir("bed");
  auto original = read_bed(formats("peaks.narrowPeak"));
  ASSERT_TRUE(original.is_ok());
  ASSERT_TRUE(write_bed(dir + "/first.narrowPeak", *original, /*narrow_peak=*/true).is_ok());
  auto back = read_bed(dir + "/first.narrowPeak");
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  ASSERT_EQ(back->size(), original->size());
  for (size_t i = 0; i < back->size(); ++i) {
    EXPECT_EQ((*back)[i].region, (*original)[i].region);
    EXPECT_EQ((*back)[i].signal_value, (*original)[i].signal_value);
    EXPECT_EQ((*back)[i].p_value, (*original)[i].p_value);
    EXPECT_EQ((*back)[i].q_value, (*original)[i].q_value);
    EXPECT_EQ((*back)[i].peak, (*original)[i].peak);
  }
  // MACS2 pads to 5 decimals ("5.83120"); we write the shortest exact form ("5.8312"),
  // so the second generation is byte for byte the first.
  ASSERT_TRUE(write_bed(dir + "/second.narrowPeak", *back, /*narrow_peak=*/true).is_ok());
  EXPECT_EQ(testing::read_file(dir + "/second.narrowPeak"), testing::read_file(dir + "/first.narrowPeak"));
  EXPECT_NE(testing::read_file(dir + "/first.narrowPeak").find("\t5.8312\t"), std::string::npos);
}

TEST(Bed, FormatBed_WritesShortestExactNumbers) {
  BedRecord record;
  record.region = {"chrX", 5, 9};
  record.score = 0.1;
  EXPECT_EQ(format_bed({record}), "chrX\t5\t9\t.\t0.1\t.\n");
  record.score = 1e-300;
  auto back = parse_bed(format_bed({record}), "tiny.bed");
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(back->front().score, 1e-300);
}

TEST(Bed, ChangedBytes_GiveRecordsOrAnErrorNeverACrash) {
  const std::string text = testing::read_file(formats("peaks.narrowPeak"));
  size_t errors = 0;
  for (const char replacement : {'\0', '\t', '\n', '-', ' ', 'x', '9'}) {
    for (size_t at = 0; at < text.size(); ++at) {
      std::string changed = text;
      changed[at] = replacement;
      auto records = parse_bed(changed, "changed.narrowPeak");
      if (!records.is_ok()) {
        ++errors;
        EXPECT_EQ(records.status().message().rfind("changed.narrowPeak: line ", 0), 0u) << records.status().message();
        continue;
      }
      for (const BedRecord& record : *records) {
        EXPECT_LE(record.region.start, record.region.end);
        EXPECT_LT(record.peak, static_cast<int64_t>(record.region.length()) + (record.peak == -1 ? 1 : 0));
      }
    }
  }
  EXPECT_GT(errors, 0u);
}

}  // namespace
}  // namespace epibook
