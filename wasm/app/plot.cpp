// Plot frames for the labs (plot.h): ticks at 1-2-5 steps, axes labelled, data drawn
// with ImDrawList into a clipped rectangle.
#include "plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string_view>
#include <vector>

#include "epibook/region.h"
#include "plot_layout.h"

namespace epibook::labs {

namespace colours {

namespace {

using Palette = std::array<ImU32, static_cast<size_t>(Role::kCount)>;

// Light: the book's light page (web/static/book.css); data colours dark enough for a
// white plot. Dark: the dark page's panel and text colours; data colours lifted so
// they read on a near-black plot.
constexpr Palette kLightPalette = {
    IM_COL32(255, 255, 255, 255),  // plot background
    IM_COL32(150, 156, 166, 255),  // frame
    IM_COL32(228, 231, 236, 255),  // grid
    IM_COL32(70, 76, 86, 255),     // axis text
    IM_COL32(31, 35, 40, 255),     // text (--fg)
    IM_COL32(91, 99, 109, 255),    // muted text (--muted)
    IM_COL32(179, 38, 30, 255),    // error (--error)
    IM_COL32(38, 99, 180, 255),    // signal
    IM_COL32(38, 99, 180, 90),     // signal fill
    IM_COL32(214, 96, 36, 255),    // accent
    IM_COL32(196, 48, 48, 255),    // peak
    IM_COL32(42, 150, 80, 255),    // truth
    IM_COL32(128, 84, 170, 255),   // other
    IM_COL32(70, 130, 200, 255),   // train
    IM_COL32(236, 160, 40, 255),   // validation
    IM_COL32(200, 70, 110, 255),   // test
    IM_COL32(200, 200, 200, 255),  // missing
    IM_COL32(190, 195, 204, 255),  // neutral
    IM_COL32(214, 218, 224, 255),  // neutral, soft
};
constexpr Palette kDarkPalette = {
    IM_COL32(20, 24, 29, 255),     // plot background (--bg)
    IM_COL32(88, 97, 108, 255),    // frame
    IM_COL32(40, 46, 54, 255),     // grid
    IM_COL32(168, 176, 186, 255),  // axis text
    IM_COL32(228, 230, 233, 255),  // text (--fg)
    IM_COL32(154, 163, 173, 255),  // muted text (--muted)
    IM_COL32(255, 138, 128, 255),  // error (--error)
    IM_COL32(98, 160, 236, 255),   // signal
    IM_COL32(98, 160, 236, 80),    // signal fill
    IM_COL32(240, 140, 80, 255),   // accent
    IM_COL32(236, 96, 92, 255),    // peak
    IM_COL32(84, 196, 124, 255),   // truth
    IM_COL32(178, 140, 228, 255),  // other
    IM_COL32(112, 166, 232, 255),  // train
    IM_COL32(240, 180, 72, 255),   // validation
    IM_COL32(232, 112, 152, 255),  // test
    IM_COL32(72, 78, 86, 255),     // missing
    IM_COL32(84, 92, 102, 255),    // neutral
    IM_COL32(52, 58, 66, 255),     // neutral, soft
};

Theme& active_theme() {
  static Theme theme = Theme::kLight;
  return theme;
}

}  // namespace

Colour::operator ImU32() const {
  const Palette& palette = active_theme() == Theme::kDark ? kDarkPalette : kLightPalette;
  return palette[static_cast<size_t>(role)];
}

ImVec4 Colour::vec4() const { return ImGui::ColorConvertU32ToFloat4(static_cast<ImU32>(*this)); }

void set_theme(Theme theme) { active_theme() = theme; }
Theme theme() { return active_theme(); }

ImU32 series(int index) {
  static constexpr Colour kSeries[] = {kSignal, kAccent, kTruth, kOther, kPeak, kAxisText};
  return kSeries[static_cast<size_t>(index) % (sizeof kSeries / sizeof kSeries[0])];
}

ImU32 mix(ImU32 a, ImU32 b, float t) {
  ImU32 out = 0;
  for (int shift = 0; shift < 32; shift += 8) {
    const float from = static_cast<float>((a >> shift) & 0xFF);
    const float to = static_cast<float>((b >> shift) & 0xFF);
    out |= static_cast<ImU32>(std::lround(from + (to - from) * t)) << shift;
  }
  return out;
}

ImU32 with_alpha(ImU32 colour, int alpha) {
  return (colour & ~IM_COL32_A_MASK) | (static_cast<ImU32>(std::clamp(alpha, 0, 255)) << IM_COL32_A_SHIFT);
}

}  // namespace colours

namespace {

float text_width(std::string_view text) { return ImGui::CalcTextSize(text.data(), text.data() + text.size()).x; }

// `ticks` thinned so that neighbours kept are at least `gap` pixels apart (`at`: where a
// tick's label goes, in pixels, growing along `ticks`; the first tick is always kept):
// for plots too small for even two ticks of the smallest step that suits them.
template <typename At>
std::vector<Tick> spaced(const std::vector<Tick>& ticks, At at, float gap) {
  std::vector<Tick> kept;
  float last = 0;
  for (const Tick& tick : ticks) {
    const float p = at(tick);
    if (kept.empty() || p - last >= gap) {
      kept.push_back(tick);
      last = p;
    }
  }
  return kept;
}

}  // namespace

float PlotArea::px(double x) const {
  return min.x + static_cast<float>((x - x0) / (x1 - x0)) * width();
}
float PlotArea::py(double y) const {
  return max.y - static_cast<float>((y - y0) / (y1 - y0)) * height();
}
double PlotArea::data_x(float pixel_x) const {
  return x0 + (pixel_x - min.x) / std::max(1.0f, width()) * (x1 - x0);
}
bool PlotArea::contains(ImVec2 pixel) const {
  return pixel.x >= min.x && pixel.x <= max.x && pixel.y >= min.y && pixel.y <= max.y;
}

PlotArea begin_plot(const char* id, ImVec2 size, double x0, double x1, double y0, double y1,
                    const std::string& x_label, const std::string& y_label, bool genomic_x, bool y_ticks) {
  const float line = ImGui::GetTextLineHeight();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 outer(std::max(size.x, 40.0f), std::max(size.y, 40.0f));
  ImGui::InvisibleButton(id, outer);
  PlotArea area;
  const AxisRange x_range = axis_range(x0, x1);
  const AxisRange y_range = axis_range(y0, y1);
  area.x0 = x_range.lo;
  area.x1 = x_range.hi;
  area.y0 = y_range.lo;
  area.y1 = y_range.hi;
  // Captions wrap to the plot's width, so a phone shows all of them: the y label above
  // the plot (ImGui has no rotated text), the x label below its ticks.
  const std::vector<std::string> x_lines = wrap_text(x_label, outer.x - 4, text_width);
  const std::vector<std::string> y_lines = wrap_text(y_label, outer.x - 4, text_width);
  const float top = line * (y_lines.empty() ? 0.5f : static_cast<float>(y_lines.size()) + 0.5f);
  const float bottom = line * (1.4f + 1.1f * static_cast<float>(x_lines.size()));
  area.min.y = origin.y + top;
  area.max.y = std::max(area.min.y + line, origin.y + outer.y - bottom);

  // The y ticks first: the left margin is as wide as their widest label, and never
  // narrower than a 7-character one, so stacked plots keep their x axes aligned.
  std::vector<Tick> y_marks;
  if (y_ticks) {
    // The smallest round step that keeps labels about two lines apart, closer on a short
    // plot so that it still gets three: 0, 0.5 and 1 on a short plot of 0..1.
    const float gap = std::clamp(area.height() / 3, line * 1.2f, line * 2.2f);
    y_marks = axis_ticks(area.y0, area.y1, area.height() / gap);
    // Thinned from the top, which tells the scale, by where their labels go: the lowest
    // never below the axis (see below).
    std::reverse(y_marks.begin(), y_marks.end());
    y_marks = spaced(y_marks, [&](const Tick& t) { return std::min(area.py(t.value), area.max.y - line * 0.5f) - area.min.y; },
                     line * 1.1f);
  }
  float widest = text_width("00000.0");
  for (const Tick& tick : y_marks) widest = std::max(widest, text_width(tick.text));
  const float left = widest + 6;
  area.min.x = origin.x + left;
  area.max.x = std::max(area.min.x + line, origin.x + outer.x - line * 0.8f);

  // The smallest round step that keeps x labels two lines apart: their width depends on
  // the step ("0.5" against "1"), so a guess is refined until the labels fit.
  std::vector<Tick> x_marks;
  float tick_label = line * 3;
  for (int pass = 0; pass < 3; ++pass) {
    x_marks = axis_ticks(area.x0, area.x1, area.width() / (tick_label + line * 2), genomic_x);
    if (x_marks.empty()) break;
    // The ends' labels are the longest: the largest numbers.
    const float widest_end = std::max(text_width(x_marks.front().text), text_width(x_marks.back().text));
    if (widest_end <= tick_label) break;
    tick_label = widest_end;
  }
  x_marks = spaced(x_marks, [&](const Tick& t) { return area.px(t.value) - area.min.x; }, tick_label + line * 0.5f);

  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(area.min, area.max, colours::kPlotBackground);
  for (const Tick& tick : x_marks) {
    const float p = area.px(tick.value);
    draw->AddLine(ImVec2(p, area.min.y), ImVec2(p, area.max.y), colours::kGrid);
    const float w = text_width(tick.text);
    const float at = std::clamp(p - w / 2, origin.x, std::max(origin.x, origin.x + outer.x - w));
    draw->AddText(ImVec2(at, area.max.y + 2), colours::kAxisText, tick.text.c_str());
  }
  for (const Tick& tick : y_marks) {
    const float p = area.py(tick.value);
    draw->AddLine(ImVec2(area.min.x, p), ImVec2(area.max.x, p), colours::kGrid);
    // A label centred on its line, but never below the x axis, where the x labels are.
    const float at = std::min(p - line / 2, area.max.y - line);
    draw->AddText(ImVec2(area.min.x - text_width(tick.text) - 4, at), colours::kAxisText, tick.text.c_str());
  }
  for (size_t i = 0; i < x_lines.size(); ++i) {
    const float w = text_width(x_lines[i]);
    const float at = std::clamp((area.min.x + area.max.x - w) / 2, origin.x, std::max(origin.x, origin.x + outer.x - w));
    draw->AddText(ImVec2(at, area.max.y + line * (1.25f + 1.1f * static_cast<float>(i))), colours::kAxisText,
                  x_lines[i].c_str());
  }
  for (size_t i = 0; i < y_lines.size(); ++i) {
    draw->AddText(ImVec2(origin.x + 2, origin.y + line * static_cast<float>(i)), colours::kAxisText, y_lines[i].c_str());
  }
  draw->PushClipRect(area.min, area.max, true);
  return area;
}

void end_plot(const PlotArea& area) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->PopClipRect();
  draw->AddRect(area.min, area.max, colours::kFrame);
}

void plot_filled_steps(const PlotArea& area, const float* values, int count, double x_start, double x_step,
                       ImU32 line, ImU32 fill) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float base = area.py(std::max(area.y0, 0.0));
  for (int i = 0; i < count; ++i) {
    if (std::isnan(values[i])) continue;
    const float left = area.px(x_start + i * x_step);
    const float right = std::max(area.px(x_start + (i + 1) * x_step), left + 1.0f);
    const float top = area.py(values[i]);
    draw->AddRectFilled(ImVec2(left, std::min(top, base)), ImVec2(right, std::max(top, base)), fill);
    draw->AddLine(ImVec2(left, top), ImVec2(right, top), line, 1.5f);
  }
}

void plot_interval_box(const PlotArea& area, double start, double end, float y_top, float y_bottom, ImU32 colour) {
  const float left = area.px(start);
  const float right = std::max(area.px(end), left + 2.0f);
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(left, y_top), ImVec2(right, y_bottom), colour);
}

void message_line(const std::string& text, bool is_error) {
  if (text.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, is_error ? colours::kError.vec4() : colours::kMutedText.vec4());
  ImGui::TextWrapped("%s%s", is_error ? "Error: " : "", text.c_str());
  ImGui::PopStyleColor();
}

std::string short_number(double value) {
  if (std::isnan(value)) return "n/a";
  char text[32];
  if (std::abs(value) >= 10000) {
    return (value < 0 ? "-" : "") + with_thousands(static_cast<uint64_t>(std::llround(std::abs(value))));
  }
  if (std::abs(value) >= 100) std::snprintf(text, sizeof text, "%.0f", value);
  else if (std::abs(value) >= 1) std::snprintf(text, sizeof text, "%.2f", value);
  else std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

}  // namespace epibook::labs
