// Plot frames for the labs (plot.h): ticks at 1-2-5 steps, axes labelled, data drawn
// with ImDrawList into a clipped rectangle.
#include "plot.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "epibook/region.h"

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

// A round step (1, 2 or 5 times a power of ten) giving about `wanted` ticks over span.
double tick_step(double span, int wanted) {
  if (!(span > 0)) return 1;
  const double raw = span / std::max(1, wanted);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (factor * power >= raw) return factor * power;
  }
  return 10 * power;
}

std::string tick_text(double value, double step, bool genomic) {
  if (genomic) return with_thousands(static_cast<uint64_t>(std::max(0.0, std::round(value))));
  char text[32];
  const int decimals = step >= 1 ? 0 : std::min(6, static_cast<int>(std::ceil(-std::log10(step))));
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
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
  ImGui::InvisibleButton(id, ImVec2(std::max(size.x, 40.0f), std::max(size.y, 40.0f)));
  PlotArea area;
  area.x0 = x0;
  area.x1 = x1 > x0 ? x1 : x0 + 1;
  area.y0 = y0;
  area.y1 = y1 > y0 ? y1 : y0 + 1;
  const float left = ImGui::CalcTextSize("00000.0").x + 6;
  const float bottom = line * (x_label.empty() ? 1.4f : 2.5f);
  const float top = y_label.empty() ? line * 0.5f : line * 1.3f;
  area.min = ImVec2(origin.x + left, origin.y + top);
  area.max = ImVec2(origin.x + std::max(size.x, 40.0f) - line * 0.8f, origin.y + std::max(size.y, 40.0f) - bottom);

  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(area.min, area.max, colours::kPlotBackground);
  const double x_step = tick_step(area.x1 - area.x0, std::max(2, static_cast<int>(area.width() / (line * 8))));
  for (double x = std::ceil(area.x0 / x_step) * x_step; x <= area.x1 + x_step * 1e-9; x += x_step) {
    const float p = area.px(x);
    draw->AddLine(ImVec2(p, area.min.y), ImVec2(p, area.max.y), colours::kGrid);
    const std::string text = tick_text(x, x_step, genomic_x);
    const float w = ImGui::CalcTextSize(text.c_str()).x;
    const float at = std::clamp(p - w / 2, area.min.x - left / 2, area.max.x - w + line * 0.6f);
    draw->AddText(ImVec2(at, area.max.y + 2), colours::kAxisText, text.c_str());
  }
  const double y_step = tick_step(area.y1 - area.y0, std::max(2, static_cast<int>(area.height() / (line * 2.5f))));
  for (double y = std::ceil(area.y0 / y_step) * y_step; y_ticks && y <= area.y1 + y_step * 1e-9; y += y_step) {
    const float p = area.py(y);
    draw->AddLine(ImVec2(area.min.x, p), ImVec2(area.max.x, p), colours::kGrid);
    const std::string text = tick_text(y, y_step, false);
    const float w = ImGui::CalcTextSize(text.c_str()).x;
    draw->AddText(ImVec2(area.min.x - w - 4, p - line / 2), colours::kAxisText, text.c_str());
  }
  if (!x_label.empty()) {
    const float w = ImGui::CalcTextSize(x_label.c_str()).x;
    draw->AddText(ImVec2((area.min.x + area.max.x - w) / 2, area.max.y + line * 1.25f), colours::kAxisText,
                  x_label.c_str());
  }
  if (!y_label.empty()) {
    // ImGui has no rotated text: the label sits above the axis instead.
    draw->AddText(ImVec2(origin.x + 2, origin.y), colours::kAxisText, y_label.c_str());
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
