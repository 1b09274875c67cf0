// Plot frames drawn with ImGui's draw lists (ImPlot is not available): a framed area
// that maps data coordinates to screen pixels, with ticked axes. Shared by the labs.
#pragma once

#include <imgui.h>

#include <string>

namespace epibook::labs {

// Colours of the labs, chosen to read on the light theme of the book.
namespace colours {
inline constexpr ImU32 kPlotBackground = IM_COL32(255, 255, 255, 255);
inline constexpr ImU32 kFrame = IM_COL32(150, 156, 166, 255);
inline constexpr ImU32 kGrid = IM_COL32(228, 231, 236, 255);
inline constexpr ImU32 kAxisText = IM_COL32(70, 76, 86, 255);
inline constexpr ImU32 kSignal = IM_COL32(38, 99, 180, 255);
inline constexpr ImU32 kSignalFill = IM_COL32(38, 99, 180, 90);
inline constexpr ImU32 kAccent = IM_COL32(214, 96, 36, 255);
inline constexpr ImU32 kPeak = IM_COL32(196, 48, 48, 255);
inline constexpr ImU32 kTruth = IM_COL32(42, 150, 80, 255);
inline constexpr ImU32 kOther = IM_COL32(128, 84, 170, 255);
inline constexpr ImU32 kTrain = IM_COL32(70, 130, 200, 255);
inline constexpr ImU32 kValidation = IM_COL32(236, 160, 40, 255);
inline constexpr ImU32 kTest = IM_COL32(200, 70, 110, 255);
inline constexpr ImU32 kMissing = IM_COL32(200, 200, 200, 255);
// One colour per track or class, cycling.
ImU32 series(int index);
}  // namespace colours

// A rectangle on screen showing data [x0, x1] x [y0, y1].
struct PlotArea {
  ImVec2 min;  // top-left pixel
  ImVec2 max;  // bottom-right pixel
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;

  float px(double x) const;  // data x -> pixel x
  float py(double y) const;  // data y -> pixel y
  double data_x(float pixel_x) const;
  bool contains(ImVec2 pixel) const;
  float width() const { return max.x - min.x; }
  float height() const { return max.y - min.y; }
};

// Reserves `size` pixels at the cursor (an invisible button, so it can be hovered and
// dragged), paints the background, grid and axis labels, and returns the inner area.
// `x_label` and `y_label` may be empty; x ticks print genome positions when
// `genomic_x` is true ("7,012,000").
// `y_ticks` false leaves the y axis bare (lanes of boxes, not values).
PlotArea begin_plot(const char* id, ImVec2 size, double x0, double x1, double y0, double y1,
                    const std::string& x_label, const std::string& y_label, bool genomic_x = false,
                    bool y_ticks = true);
// Draws the frame last, over the data, and clips nothing outside it.
void end_plot(const PlotArea& area);

// A step line of `values` (NaN gaps break it) filled down to y0.
void plot_filled_steps(const PlotArea& area, const float* values, int count, double x_start, double x_step,
                       ImU32 line, ImU32 fill);
// Intervals [start, end) as boxes in a band from y_top to y_bottom (pixels).
void plot_interval_box(const PlotArea& area, double start, double end, float y_top, float y_bottom, ImU32 colour);

// A message in a coloured box: red for an error, grey for progress.
void message_line(const std::string& text, bool is_error);

// 1234567 -> "1,234,567"; 0.1234 -> "0.123": short numbers for labels.
std::string short_number(double value);

}  // namespace epibook::labs
