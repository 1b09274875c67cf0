// wig parsing: fixedStep and variableStep runs, spans and steps, and the 1-based to
// 0-based shift; malformed declarations and data lines name their line. Runs natively
// and in wasm.
#include <gtest/gtest.h>

#include <cmath>

#include "epibook/random.h"
#include "epibook/signal_text.h"
#include "support/test_support.h"

namespace epibook {
namespace {

struct WigItem {
  SignalLayout layout;
  std::string chrom;
  uint32_t start, end, step;
  float value;
  friend bool operator==(const WigItem&, const WigItem&) = default;
};

Result<std::vector<WigItem>> parse_all(std::string_view text) {
  std::vector<WigItem> items;
  Status status = parse_wig(text, "in.wig", [&](const SignalItem& item) {
    items.push_back({item.layout, std::string(item.chrom), item.start, item.end, item.step, item.value});
    return Status::ok();
  });
  if (!status.is_ok()) return status;
  return items;
}

std::string error_of(std::string_view text) {
  auto items = parse_all(text);
  return items.is_ok() ? std::string("(no error)") : items.status().message();
}

constexpr auto kFixed = SignalLayout::kFixedStep;
constexpr auto kVariable = SignalLayout::kVariableStep;

TEST(Wig, FixedStep_OneBasedStartBecomesZeroBased_WithStepAndSpan) {
  auto items = parse_all("fixedStep chrom=chr1 start=101 step=10 span=5\n1\n2.5\n");
  ASSERT_TRUE(items.is_ok()) << items.status().message();
  EXPECT_EQ(*items, (std::vector<WigItem>{{kFixed, "chr1", 100, 105, 10, 1.0f}, {kFixed, "chr1", 110, 115, 10, 2.5f}}));
}

TEST(Wig, FixedStep_StepAndSpanDefaultToOne) {
  auto items = parse_all("fixedStep chrom=chr2 start=1\n7\n8\n");
  ASSERT_TRUE(items.is_ok());
  EXPECT_EQ(*items, (std::vector<WigItem>{{kFixed, "chr2", 0, 1, 1, 7.0f}, {kFixed, "chr2", 1, 2, 1, 8.0f}}));
}

TEST(Wig, VariableStep_PositionsShiftByOne_SpanApplies) {
  auto items = parse_all("variableStep chrom=chr1 span=25\n1 0.5\n1001\t-1\n");
  ASSERT_TRUE(items.is_ok()) << items.status().message();
  EXPECT_EQ(*items, (std::vector<WigItem>{{kVariable, "chr1", 0, 25, 0, 0.5f}, {kVariable, "chr1", 1000, 1025, 0, -1.0f}}));
}

TEST(Wig, SeveralBlocks_TrackAndCommentLinesSkipped) {
  auto items = parse_all("track type=wiggle_0\n# x\nvariableStep chrom=chr1\n5 1\nfixedStep chrom=chr2 start=3 step=2\n4\r\n");
  ASSERT_TRUE(items.is_ok()) << items.status().message();
  EXPECT_EQ(*items, (std::vector<WigItem>{{kVariable, "chr1", 4, 5, 0, 1.0f}, {kFixed, "chr2", 2, 3, 2, 4.0f}}));
}

TEST(Wig, DataBeforeADeclaration_IsAnError) {
  EXPECT_EQ(error_of("track type=wiggle_0\n1.0\n"), "in.wig: line 2: data before any fixedStep or variableStep line");
}

TEST(Wig, MalformedDeclarations_NameTheProblem) {
  EXPECT_EQ(error_of("fixedStep chrom=chr1 step=1\n"), "in.wig: line 1: fixedStep needs start=");
  EXPECT_EQ(error_of("variableStep span=5\n"), "in.wig: line 1: variableStep needs chrom=");
  EXPECT_EQ(error_of("fixedStep chrom=chr1 start=0\n"),
            "in.wig: line 1: start must be at least 1 (wig positions are 1-based)");
  EXPECT_EQ(error_of("variableStep chrom=chr1 step=5\n"), "in.wig: line 1: variableStep has no field 'step'");
  EXPECT_EQ(error_of("fixedStep chrom=chr1 start=1 step=0\n"), "in.wig: line 1: step must be at least 1");
  EXPECT_EQ(error_of("fixedStep chrom=chr1 start=1 stepp\n"), "in.wig: line 1: fixedStep: expected key=value, found 'stepp'");
  EXPECT_EQ(error_of("variableStep chrom=chr1 span=x\n"), "in.wig: line 1: span 'x' is not a whole number");
}

TEST(Wig, ChromosomeNameWithControlCharacter_IsRefused) {
  EXPECT_EQ(error_of("variableStep chrom=chr1\f\n5 1\n"),
            "in.wig: line 1: chrom=: name 'chr1\\x0c' holds a control character (byte 5); sequence names are "
            "printable text");
}

TEST(Wig, MalformedDataLines_NameTheLine) {
  EXPECT_EQ(error_of("fixedStep chrom=chr1 start=1\n1\n2 3\n"),
            "in.wig: line 3: expected one value per line after fixedStep, found 2 fields");
  EXPECT_EQ(error_of("variableStep chrom=chr1\n10\n"),
            "in.wig: line 2: expected 'position value' after variableStep, found 1 fields");
  EXPECT_EQ(error_of("variableStep chrom=chr1\n0 1\n"), "in.wig: line 2: position 0: wig positions are 1-based");
  EXPECT_EQ(error_of("variableStep chrom=chr1\n5 high\n"), "in.wig: line 2: value 'high' is not a number");
  EXPECT_EQ(error_of("fixedStep chrom=chr1 start=1\nNaN\n"), "in.wig: line 2: value is NaN (bigWig holds finite numbers)");
}

TEST(Wig, FileWithThreeBlocks_ConvertsToBigWig) {
  const std::string dir = testing::scratch_dir("wig");
  auto chroms = read_chrom_sizes(testing::data_path("text/small.chrom.sizes"));
  ASSERT_TRUE(chroms.is_ok());
  std::vector<WigItem> items;
  Status read = read_wig(testing::data_path("text/small.wig"), [&](const SignalItem& item) {
    items.push_back({item.layout, std::string(item.chrom), item.start, item.end, item.step, item.value});
    return Status::ok();
  });
  ASSERT_TRUE(read.is_ok()) << read.message();
  EXPECT_EQ(items.size(), 7u);
  Status status = convert_to_bigwig(testing::data_path("text/small.wig"), SignalTextFormat::kWig, *chroms, dir + "/w.bw");
  ASSERT_TRUE(status.is_ok()) << status.message();
  // The same items written through the writer's own calls give the same bytes.
  auto writer = BigWigWriter::create_in_memory(*chroms);
  ASSERT_TRUE(writer.is_ok());
  const std::vector<uint32_t> starts = {10, 50};
  ASSERT_TRUE(writer->add_variable_step("chr1", 5, starts, std::vector<float>{1, 2}).is_ok());
  ASSERT_TRUE(writer->add_fixed_step("chr1", 100, 10, 10, std::vector<float>{1, 2, 3}).is_ok());
  ASSERT_TRUE(writer->add_fixed_step("chr2", 0, 1, 1, std::vector<float>{0.25f, 0.5f}).is_ok());
  auto expected = writer->finish_to_bytes();
  ASSERT_TRUE(expected.is_ok());
  EXPECT_EQ(testing::read_file(dir + "/w.bw"), *expected);
}

TEST(Wig, OverlappingRunsInAFile_AreReportedWithTheLine) {
  const std::string dir = testing::scratch_dir("wig");
  testing::write_file(dir + "/o.wig", "fixedStep chrom=chr1 start=1 step=10 span=10\n1\n2\nvariableStep chrom=chr1 span=5\n15 3\n");
  auto chroms = parse_chrom_sizes("chr1\t1000\n", "sizes");
  ASSERT_TRUE(chroms.is_ok());
  Status status = convert_to_bigwig(dir + "/o.wig", SignalTextFormat::kWig, *chroms, dir + "/o.bw");
  EXPECT_EQ(status.message(), dir + "/o.wig: line 5: chr1:14-19 overlaps the previous interval chr1:10-20");
}

TEST(Wig, MutatedText_NeverCrashes_AndEveryErrorNamesALine) {
  const std::string valid = "track type=wiggle_0\nfixedStep chrom=chr1 start=11 step=10 span=5\n1.5\n-2\nvariableStep chrom=chr2 span=3\n7 0.25\n20 1e3\n";
  const std::string alphabet = "0123456789.-+eE \t\n\r=#abcxfixedStepvariableStepchromstartspan\x80";
  const int refused = testing::count_refused_mutations(valid, alphabet, "in.wig", [](const std::string& text) {
    return parse_wig(text, "in.wig", [](const SignalItem& item) {
      EXPECT_LT(item.start, item.end);
      EXPECT_TRUE(std::isfinite(item.value));
      return Status::ok();
    });
  });
  EXPECT_GT(refused, 100) << "the mutations should break many files";
}

}  // namespace
}  // namespace epibook
