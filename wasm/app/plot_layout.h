// The arithmetic of the labs' plot axes and captions (plot.cpp draws them): the range an
// axis shows, its ticks and their labels, and captions broken into lines. Kept apart
// from ImGui so that native unit tests (tests/unit/plot_layout_test.cpp) can check it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace epibook::labs {

// The range an axis shows for data [lo, hi]. A usable range comes back as it is; one
// with no width (no data yet, every value equal) is widened: around the value by a tenth
// of it either side, or to 0..1 when the value is 0 or nothing is known (NaN, infinity).
// A reversed range is turned round.
struct AxisRange {
  double lo = 0;
  double hi = 1;
};
AxisRange axis_range(double lo, double hi);

// The smallest round step (1, 2 or 5 times a power of ten) at least span / wanted: at
// most `wanted` intervals over `span` (a plot asks for its length over the room a label
// needs, so its labels never crowd). A `wanted` under 1 counts as 1.
double tick_step(double span, double wanted);

// One tick: its data value and its label.
struct Tick {
  double value;
  std::string text;
};
// The ticks inside [lo, hi]: whole multiples of tick_step(hi - lo, wanted), each printed
// with the decimals the step needs ("0.5", "0.25" never: steps are 1, 2 or 5), zero as
// "0" (never "-0"), genome positions with thousands separators ("7,012,000", steps of
// whole bases), and very large or very small values in scientific form ("2e-7", "1.5e6").
std::vector<Tick> axis_ticks(double lo, double hi, double wanted, bool genomic = false);

// `text` broken at spaces into lines no wider than `width`, as `measure` gives a
// string's width; a word wider than a whole line is cut between characters. A width of
// zero or less leaves the text on one line; an empty text has no lines.
using TextWidth = std::function<float(std::string_view)>;
std::vector<std::string> wrap_text(std::string_view text, float width, const TextWidth& measure);

}  // namespace epibook::labs
