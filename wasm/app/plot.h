// Plot frames drawn with ImGui's draw lists (ImPlot is not available): a framed area
// that maps data coordinates to screen pixels, with ticked axes. Shared by the labs.
#pragma once

#include <imgui.h>

#include <string>

namespace epibook::labs {

// Colours of the labs, in two palettes that follow the book page's light and dark
// themes. A lab names a colour by its role (colours::kSignal); the role becomes the
// active theme's ImU32 where it is used, so the host switching the theme restyles every
// lab on its next frame. The theme is the module instance's (one lab per instance).
enum class Theme { kLight, kDark };

namespace colours {
enum class Role : int {
  kPlotBackground, kFrame, kGrid, kAxisText, kText, kMutedText, kError,
  kSignal, kSignalFill, kAccent, kPeak, kTruth, kOther, kTrain, kValidation, kTest, kMissing,
  kNeutral, kNeutralSoft,
  kCount
};
// A colour by role; converts to the active theme's ImU32 (not constexpr: the theme
// changes at run time).
struct Colour {
  Role role;
  operator ImU32() const;  // NOLINT(google-explicit-constructor): used as ImGui's ImU32
  ImVec4 vec4() const;
};
inline constexpr Colour kPlotBackground{Role::kPlotBackground};
inline constexpr Colour kFrame{Role::kFrame};            // plot frames, the cursor line
inline constexpr Colour kGrid{Role::kGrid};
inline constexpr Colour kAxisText{Role::kAxisText};      // tick labels, legends
inline constexpr Colour kText{Role::kText};              // ImGui's text colour
inline constexpr Colour kMutedText{Role::kMutedText};    // progress, hints
inline constexpr Colour kError{Role::kError};
inline constexpr Colour kSignal{Role::kSignal};
inline constexpr Colour kSignalFill{Role::kSignalFill};  // kSignal, see-through
inline constexpr Colour kAccent{Role::kAccent};
inline constexpr Colour kPeak{Role::kPeak};
inline constexpr Colour kTruth{Role::kTruth};
inline constexpr Colour kOther{Role::kOther};
inline constexpr Colour kTrain{Role::kTrain};
inline constexpr Colour kValidation{Role::kValidation};
inline constexpr Colour kTest{Role::kTest};
inline constexpr Colour kMissing{Role::kMissing};
inline constexpr Colour kNeutral{Role::kNeutral};          // bars and boxes that carry no data
inline constexpr Colour kNeutralSoft{Role::kNeutralSoft};  // the same, further back

// The theme the colours resolve to; the host sets it (LabApp::set_theme).
void set_theme(Theme theme);
Theme theme();
// One colour per track or class, cycling.
ImU32 series(int index);
// `a` moved a fraction t (0..1) of the way to `b`, alpha included: tints that suit
// either theme, e.g. mix(kPlotBackground, kPeak, 0.15f) for a reddish band.
ImU32 mix(ImU32 a, ImU32 b, float t);
// `colour` with its alpha replaced (0..255).
ImU32 with_alpha(ImU32 colour, int alpha);
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
// `x_label` and `y_label` may be empty, and wrap onto more lines where the plot is
// narrower than they are; x ticks print genome positions when `genomic_x` is true
// ("7,012,000"). A range with no width (no data yet, a flat series) is widened
// (axis_range in plot_layout.h), and the left margin fits the widest y tick label.
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
