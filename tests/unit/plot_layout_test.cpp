// The labs' plot axes and captions (wasm/app/plot_layout.h) against hand-worked cases:
// ranges with no width, negative zero, ranges crossing zero, tiny and huge ranges,
// genome positions, and captions wrapped at a measured width.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "plot_layout.h"

namespace epibook::labs {
namespace {

std::vector<std::string> texts(const std::vector<Tick>& ticks) {
  std::vector<std::string> out;
  for (const Tick& tick : ticks) out.push_back(tick.text);
  return out;
}

using Texts = std::vector<std::string>;

TEST(AxisRange, KeepsARangeWithWidth) {
  const AxisRange range = axis_range(-0.2, 1.0);
  EXPECT_EQ(range.lo, -0.2);
  EXPECT_EQ(range.hi, 1.0);
  // Tiny but real: a millionth is a range, not rounding noise.
  EXPECT_EQ(axis_range(0, 1e-6).hi, 1e-6);
  const AxisRange reversed = axis_range(3, 1);
  EXPECT_EQ(reversed.lo, 1);
  EXPECT_EQ(reversed.hi, 3);
}

TEST(AxisRange, WidensAFlatSeriesAroundItsValue) {
  const AxisRange flat = axis_range(0.37, 0.37);
  EXPECT_DOUBLE_EQ(flat.lo, 0.333);
  EXPECT_DOUBLE_EQ(flat.hi, 0.407);
  const AxisRange negative = axis_range(-4, -4);
  EXPECT_DOUBLE_EQ(negative.lo, -4.4);
  EXPECT_DOUBLE_EQ(negative.hi, -3.6);
  // Equal up to rounding (1e-12 against a value of 1) counts as flat.
  const AxisRange noise = axis_range(1, 1 + 1e-12);
  EXPECT_NEAR(noise.lo, 0.9, 1e-9);
  EXPECT_NEAR(noise.hi, 1.1, 1e-9);
}

TEST(AxisRange, ShowsZeroToOneWhenNothingIsKnown) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (const auto& [lo, hi] : {std::pair{0.0, 0.0}, std::pair{nan, nan}, std::pair{-inf, inf}, std::pair{-0.0, 0.0}}) {
    const AxisRange range = axis_range(lo, hi);
    EXPECT_EQ(range.lo, 0) << lo << " " << hi;
    EXPECT_EQ(range.hi, 1) << lo << " " << hi;
  }
  // One end known: the range is around it.
  const AxisRange half = axis_range(nan, 2);
  EXPECT_DOUBLE_EQ(half.lo, 1.8);
  EXPECT_DOUBLE_EQ(half.hi, 2.2);
}

TEST(TickStep, IsOneTwoOrFiveTimesAPowerOfTen) {
  EXPECT_DOUBLE_EQ(tick_step(1, 2), 0.5);    // raw 0.5
  EXPECT_DOUBLE_EQ(tick_step(10, 5), 2);     // raw 2
  EXPECT_DOUBLE_EQ(tick_step(1.2, 2), 1);    // raw 0.6: 1, not 0.5
  EXPECT_DOUBLE_EQ(tick_step(3, 1), 5);      // raw 3
  EXPECT_DOUBLE_EQ(tick_step(1, 10), 0.1);   // raw 0.1, exactly a step
  EXPECT_DOUBLE_EQ(tick_step(700, 3), 500);  // raw 233
  EXPECT_EQ(tick_step(0, 3), 1);             // no span: any step
  // A plot 75 px high with labels 33 px apart: room for 2.27 intervals of 0..1.08.
  EXPECT_DOUBLE_EQ(tick_step(1.08, 75 / 33.0), 0.5);
  EXPECT_DOUBLE_EQ(tick_step(1, 0.3), 1);    // room for less than one interval
}

TEST(AxisTicks, ZeroToOneForAnEmptyPlot) {
  const AxisRange range = axis_range(0, 0);
  EXPECT_EQ(texts(axis_ticks(range.lo, range.hi, 2)), (Texts{"0.0", "0.5", "1.0"}));
  const AxisRange flat = axis_range(0.37, 0.37);
  EXPECT_EQ(texts(axis_ticks(flat.lo, flat.hi, 2)), (Texts{"0.35", "0.40"}));
}

TEST(AxisTicks, NeverPrintsNegativeZero) {
  // Step 1 over -0.2..1: the first tick is ceil(-0.2) = -0.
  const std::vector<Tick> ticks = axis_ticks(-0.2, 1.0, 2);
  EXPECT_EQ(texts(ticks), (Texts{"0", "1"}));
  EXPECT_FALSE(std::signbit(ticks[0].value));
  EXPECT_EQ(texts(axis_ticks(-0.9, 0.0, 1)), (Texts{"0"}));  // step 1: only -0 inside
}

TEST(AxisTicks, CrossZeroOnWholeSteps) {
  EXPECT_EQ(texts(axis_ticks(-3, 7, 5)), (Texts{"-2", "0", "2", "4", "6"}));
  EXPECT_EQ(texts(axis_ticks(-0.5, 0.5, 2)), (Texts{"-0.5", "0.0", "0.5"}));
  EXPECT_EQ(texts(axis_ticks(-0.15, 0.15, 3)), (Texts{"-0.1", "0.0", "0.1"}));
}

TEST(AxisTicks, PrintTheDecimalsTheirStepNeeds) {
  EXPECT_EQ(texts(axis_ticks(0, 10, 5)), (Texts{"0", "2", "4", "6", "8", "10"}));
  EXPECT_EQ(texts(axis_ticks(0, 0.2, 4)), (Texts{"0.00", "0.05", "0.10", "0.15", "0.20"}));
  // 3 x 0.1 is 0.30000000000000004: printed as 0.3, and values are whole steps.
  const std::vector<Tick> tenths = axis_ticks(0, 1, 10);
  ASSERT_EQ(tenths.size(), 11u);
  EXPECT_EQ(tenths[3].text, "0.3");
  EXPECT_NEAR(tenths[3].value, 0.3, 1e-15);
  // Ticks on both ends of the range although lo / step and hi / step round off.
  EXPECT_EQ(texts(axis_ticks(0.3, 0.7, 4)), (Texts{"0.3", "0.4", "0.5", "0.6", "0.7"}));
}

TEST(AxisTicks, TinyRangesNearZeroInPowersOfTen) {
  EXPECT_EQ(texts(axis_ticks(0, 1e-6, 5)), (Texts{"0", "2e-7", "4e-7", "6e-7", "8e-7", "1.0e-6"}));
  EXPECT_EQ(texts(axis_ticks(-3e-5, 3e-5, 3)), (Texts{"-2e-5", "0", "2e-5"}));
}

TEST(AxisTicks, TinyRangesAroundALargeValueInDecimals) {
  EXPECT_EQ(texts(axis_ticks(1, 1.00001, 5)),
            (Texts{"1.000000", "1.000002", "1.000004", "1.000006", "1.000008", "1.000010"}));
}

TEST(AxisTicks, HugeRanges) {
  EXPECT_EQ(texts(axis_ticks(0, 2e6, 4)), (Texts{"0", "5e5", "1.0e6", "1.5e6", "2.0e6"}));
  EXPECT_EQ(texts(axis_ticks(0, 3000, 3)), (Texts{"0", "1000", "2000", "3000"}));
  EXPECT_EQ(texts(axis_ticks(0, 1e12, 2)), (Texts{"0", "5e11", "1.0e12"}));
}

TEST(AxisTicks, GenomePositionsInWholeBasesWithSeparators) {
  EXPECT_EQ(texts(axis_ticks(7010000, 7020000, 5, true)),
            (Texts{"7,010,000", "7,012,000", "7,014,000", "7,016,000", "7,018,000", "7,020,000"}));
  // A 3 bp view: steps of 1 base, not 0.5.
  EXPECT_EQ(texts(axis_ticks(100, 103, 6, true)), (Texts{"100", "101", "102", "103"}));
}

TEST(AxisTicks, NoneForARangeWithoutWidth) {
  EXPECT_TRUE(axis_ticks(1, 1, 4).empty());
  EXPECT_TRUE(axis_ticks(2, 1, 4).empty());
  EXPECT_TRUE(axis_ticks(std::nan(""), 1, 4).empty());
}

// Ten pixels a character (UTF-8: continuation bytes are no character).
float ten_per_character(std::string_view text) {
  float width = 0;
  for (char c : text) width += (static_cast<unsigned char>(c) & 0xC0) == 0x80 ? 0 : 10;
  return width;
}

TEST(WrapText, BreaksACaptionAtSpaces) {
  const std::string caption = "chr1:100,400-139,200, validation windows (filled: truth; lines: predictions)";
  const Texts lines = wrap_text(caption, 300, ten_per_character);
  EXPECT_EQ(lines, (Texts{"chr1:100,400-139,200,", "validation windows (filled:", "truth; lines: predictions)"}));
  // Wide enough: one line, as it was.
  EXPECT_EQ(wrap_text(caption, 1000, ten_per_character), (Texts{caption}));
}

TEST(WrapText, CutsAWordWiderThanALineBetweenCharacters) {
  EXPECT_EQ(wrap_text("abcdefghij", 35, ten_per_character), (Texts{"abc", "def", "ghi", "j"}));
  EXPECT_EQ(wrap_text("x abcdefghij y", 35, ten_per_character), (Texts{"x", "abc", "def", "ghi", "j y"}));
  // Two-byte characters stay whole.
  EXPECT_EQ(wrap_text("\u00b5\u00b5\u00b5\u00b5", 25, ten_per_character), (Texts{"\u00b5\u00b5", "\u00b5\u00b5"}));
  // Narrower than one character: one character a line all the same.
  EXPECT_EQ(wrap_text("ab", 5, ten_per_character), (Texts{"a", "b"}));
}

TEST(WrapText, KeepsNewlinesAndDropsRepeatedSpaces) {
  EXPECT_EQ(wrap_text("loss\nper  step", 1000, ten_per_character), (Texts{"loss", "per step"}));
  EXPECT_TRUE(wrap_text("", 100, ten_per_character).empty());
  EXPECT_EQ(wrap_text("no width given", 0, ten_per_character), (Texts{"no width given"}));
}

}  // namespace
}  // namespace epibook::labs
