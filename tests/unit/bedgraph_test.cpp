// bedGraph and chromosome-sizes parsing, and bedGraph -> bigWig conversion: every
// malformed line is reported with its file and line, and a failed conversion leaves
// no output. Runs natively and in wasm.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "epibook/random.h"
#include "epibook/signal_text.h"
#include "support/test_support.h"

namespace epibook {
namespace {

struct ParsedItem {
  std::string chrom;
  uint32_t start, end;
  float value;
  friend bool operator==(const ParsedItem&, const ParsedItem&) = default;
};

Result<std::vector<ParsedItem>> parse_all(std::string_view text) {
  std::vector<ParsedItem> items;
  Status status = parse_bedgraph(text, "in.bedGraph", [&](const SignalItem& item) {
    EXPECT_EQ(item.layout, SignalLayout::kBedGraph);
    items.push_back({std::string(item.chrom), item.start, item.end, item.value});
    return Status::ok();
  });
  if (!status.is_ok()) return status;
  return items;
}

std::string error_of(std::string_view text) {
  auto items = parse_all(text);
  return items.is_ok() ? std::string("(no error)") : items.status().message();
}

TEST(BedGraph, FourColumns_TabsOrSpaces_SkippingTrackBrowserAndComments) {
  auto items = parse_all("browser position chr1:1-100\ntrack type=bedGraph\n# note\n\nchr1\t0\t10\t1.5\nchr1 10  30 -2e-1\r\n");
  ASSERT_TRUE(items.is_ok()) << items.status().message();
  EXPECT_EQ(*items, (std::vector<ParsedItem>{{"chr1", 0, 10, 1.5f}, {"chr1", 10, 30, -0.2f}}));
}

TEST(BedGraph, LastLineWithoutNewline_IsRead) {
  auto items = parse_all("chr1\t0\t10\t1");
  ASSERT_TRUE(items.is_ok());
  EXPECT_EQ(items->size(), 1u);
}

TEST(BedGraph, WrongColumnCount_NamesTheLine) {
  EXPECT_EQ(error_of("chr1\t0\t10\t1\nchr1\t10\t20\n"),
            "in.bedGraph: line 2: expected 4 columns (chrom, start, end, value), found 3");
  EXPECT_EQ(error_of("chr1\t0\t10\t1\t+\n"), "in.bedGraph: line 1: expected 4 columns (chrom, start, end, value), found 5");
}

TEST(BedGraph, NonNumericValue_IsAnError) {
  EXPECT_EQ(error_of("chr1\t0\t10\tabc\n"), "in.bedGraph: line 1: value 'abc' is not a number");
  EXPECT_EQ(error_of("chr1\t0\t10\t1.5x\n"), "in.bedGraph: line 1: value '1.5x' is not a number");
}

TEST(BedGraph, NaNAndInfinity_AreErrors) {
  EXPECT_EQ(error_of("chr1\t0\t10\tnan\n"), "in.bedGraph: line 1: value is NaN (bigWig holds finite numbers)");
  EXPECT_NE(error_of("chr1\t0\t10\tinf\n").find("infinite"), std::string::npos);
  EXPECT_NE(error_of("chr1\t0\t10\t1e300\n").find("too large for a 32-bit float"), std::string::npos);
}

TEST(BedGraph, BadCoordinates_AreErrors) {
  EXPECT_EQ(error_of("chr1\t-5\t10\t1\n"), "in.bedGraph: line 1: start '-5' is not a whole number");
  EXPECT_EQ(error_of("chr1\t20\t10\t1\n"), "in.bedGraph: line 1: end 10 is before start 20");
  EXPECT_EQ(error_of("chr1\t20\t20\t1\n"), "in.bedGraph: line 1: end 20 equals start 20");
  EXPECT_NE(error_of("chr1\t0\t5000000000\t1\n").find("past the largest position"), std::string::npos);
}

TEST(BedGraph, HandlerError_GetsTheFileAndLine) {
  Status status = parse_bedgraph("chr1\t0\t10\t1\nchr1\t10\t20\t2\n", "x.bg",
                                 [](const SignalItem& item) { return item.start == 10 ? invalid_argument("no") : Status::ok(); });
  EXPECT_EQ(status.message(), "x.bg: line 2: no");
}

TEST(ChromSizes, NameTabLength_InFileOrder) {
  auto chroms = read_chrom_sizes(testing::data_path("text/small.chrom.sizes"));
  ASSERT_TRUE(chroms.is_ok()) << chroms.status().message();
  ASSERT_EQ(chroms->size(), 3u);
  EXPECT_EQ((*chroms)[0].name, "chr1");
  EXPECT_EQ((*chroms)[0].length, 100'000u);
  EXPECT_EQ((*chroms)[2].name, "chrM");
  EXPECT_EQ((*chroms)[2].id, 2u);
}

TEST(ChromSizes, FaiColumnsBeyondTheSecond_AreIgnored) {
  auto chroms = parse_chrom_sizes("chr2R\t21146708\t7\t60\t61\n", "dm3.fa.fai");
  ASSERT_TRUE(chroms.is_ok());
  EXPECT_EQ((*chroms)[0].length, 21'146'708u);
}

TEST(ChromSizes, Malformed_NamesFileAndLine) {
  EXPECT_EQ(parse_chrom_sizes("chr1\t100\nchr2\n", "g.sizes").status().message(),
            "g.sizes: line 2: expected a name and a length, found 1 column");
  EXPECT_EQ(parse_chrom_sizes("chr1\tlots\n", "g.sizes").status().message(),
            "g.sizes: line 1: length 'lots' is not a whole number");
  EXPECT_EQ(parse_chrom_sizes("chr1\t1\nchr1\t2\n", "g.sizes").status().message(),
            "g.sizes: line 2: chromosome chr1 is listed twice");
  EXPECT_FALSE(parse_chrom_sizes("# nothing\n", "g.sizes").is_ok());
  EXPECT_EQ(read_chrom_sizes("/no/such.sizes").status().code(), ErrorCode::kNotFound);
}

// A chromosome name holding a control character (a vertical tab, a NUL) is refused with
// the file, the line and the byte, in bedGraph and in chromosome sizes alike.
TEST(BedGraph, ChromosomeNameWithControlCharacter_IsRefused) {
  EXPECT_EQ(error_of("chr1\t0\t5\t1\nchr1\v\t0\t10\t1\n"),
            "in.bedGraph: line 2: column 1 (chrom): name 'chr1\\x0b' holds a control character (byte 5); sequence "
            "names are printable text");
  EXPECT_EQ(parse_chrom_sizes(std::string("chr\0" "1\t100\n", 10), "g.sizes").status().message(),
            "g.sizes: line 1: column 1 (chrom): name 'chr\\x001' holds a control character (byte 4); sequence names "
            "are printable text");
}

TEST(SignalFormat, FromExtensionOrName) {
  EXPECT_EQ(*signal_text_format_from_path("a/b.bedGraph"), SignalTextFormat::kBedGraph);
  EXPECT_EQ(*signal_text_format_from_path("b.bg"), SignalTextFormat::kBedGraph);
  EXPECT_EQ(*signal_text_format_from_path("b.WIG"), SignalTextFormat::kWig);
  EXPECT_FALSE(signal_text_format_from_path("b.txt").is_ok());
  EXPECT_FALSE(signal_text_format_from_path("dir.v2/b").is_ok());
  EXPECT_EQ(*parse_signal_text_format("BedGraph"), SignalTextFormat::kBedGraph);
}

TEST(BedGraphToBigWig, WritesTheSameFileAsTheIntervalsInMemory) {
  const std::string dir = testing::scratch_dir("convert");
  auto chroms = read_chrom_sizes(testing::data_path("text/small.chrom.sizes"));
  ASSERT_TRUE(chroms.is_ok());
  std::vector<std::string> started;
  Status status = convert_to_bigwig(testing::data_path("text/small.bedGraph"), SignalTextFormat::kBedGraph, *chroms,
                                    dir + "/out.bw", {}, [&](std::string_view chrom, uint64_t) { started.emplace_back(chrom); });
  ASSERT_TRUE(status.is_ok()) << status.message();
  EXPECT_EQ(started, (std::vector<std::string>{"chr1", "chr2"}));
  auto expected = bigwig_bytes(*chroms, {{"chr1", {{0, 10, 1.5f}, {10, 30, 2.0f}, {100, 150, -0.5f}}}, {"chr2", {{5, 6, 4.0f}}}});
  ASSERT_TRUE(expected.is_ok());
  EXPECT_EQ(testing::read_file(dir + "/out.bw"), *expected);
}

TEST(BedGraphToBigWig, OverlapIsReportedWithFileAndLine_AndNoOutputIsLeft) {
  const std::string dir = testing::scratch_dir("convert");
  const std::string input = dir + "/in.bedGraph";
  std::string text = "track type=bedGraph\n";
  for (int i = 0; i < 15; ++i) text += "chr1\t" + std::to_string(i * 10) + "\t" + std::to_string(i * 10 + 10) + "\t1\n";
  text += "chr1\t1050\t1200\t2\nchr1\t1000\t1100\t3\n";  // lines 17 and 18
  testing::write_file(input, text);
  auto chroms = parse_chrom_sizes("chr1\t100000\n", "sizes");
  ASSERT_TRUE(chroms.is_ok());
  Status status = convert_to_bigwig(input, SignalTextFormat::kBedGraph, *chroms, dir + "/out.bw");
  EXPECT_EQ(status.message(), input + ": line 18: chr1:1,000-1,100 overlaps the previous interval chr1:1,050-1,200");
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.bw"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.bw.partial"));
}

TEST(BedGraphToBigWig, UnknownChromosomeAndPastTheEnd_NameTheLine) {
  const std::string dir = testing::scratch_dir("convert");
  auto chroms = parse_chrom_sizes("chr1\t1000\n", "sizes");
  ASSERT_TRUE(chroms.is_ok());
  testing::write_file(dir + "/a.bg", "chr1\t0\t10\t1\nchrX\t0\t10\t1\n");
  EXPECT_EQ(convert_to_bigwig(dir + "/a.bg", SignalTextFormat::kBedGraph, *chroms, dir + "/a.bw").message(),
            dir + "/a.bg: line 2: chromosome chrX is not among the 1 chromosomes given (check the chromosome sizes)");
  testing::write_file(dir + "/b.bg", "chr1\t990\t1010\t1\n");
  EXPECT_EQ(convert_to_bigwig(dir + "/b.bg", SignalTextFormat::kBedGraph, *chroms, dir + "/b.bw").message(),
            dir + "/b.bg: line 1: chr1:990-1,010 runs past the end of chr1 (1,000 bp)");
  EXPECT_FALSE(std::filesystem::exists(dir + "/a.bw"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/b.bw"));
}

TEST(BedGraphToBigWig, MissingInput_IsNotFoundAndLeavesNoOutput) {
  const std::string dir = testing::scratch_dir("convert");
  auto chroms = parse_chrom_sizes("chr1\t1000\n", "sizes");
  ASSERT_TRUE(chroms.is_ok());
  Status status = convert_to_bigwig(dir + "/none.bg", SignalTextFormat::kBedGraph, *chroms, dir + "/none.bw");
  EXPECT_EQ(status.code(), ErrorCode::kNotFound);
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

TEST(BedGraph, MutatedText_NeverCrashes_AndEveryErrorNamesALine) {
  const std::string valid = "track type=bedGraph\nchr1\t0\t10\t1.5\nchr1 10 30 -2\n# c\nchr2\t5\t6\t1e3\n";
  const std::string alphabet = "0123456789.-+eE \t\n\r=#abcxfixedStepvariableStepchromstartspan\x80";
  const int refused = testing::count_refused_mutations(valid, alphabet, "in.bedGraph", [](const std::string& text) {
    return parse_bedgraph(text, "in.bedGraph", [](const SignalItem& item) {
      EXPECT_LT(item.start, item.end);
      EXPECT_TRUE(std::isfinite(item.value));
      return Status::ok();
    });
  });
  EXPECT_GT(refused, 100) << "the mutations should break many files";
}

}  // namespace
}  // namespace epibook
