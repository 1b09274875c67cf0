// Axis ranges, ticks and caption lines for the labs' plots (plot_layout.h): the parts of
// plot.cpp that are arithmetic, not drawing.
#include "plot_layout.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <utility>

#include "epibook/region.h"

namespace epibook::labs {

namespace {

// Tolerance, in steps, for a tick at the very edge of its range: lo/step may come out as
// 2.9999999999999996 for a tick that is exactly at lo.
constexpr double kEdge = 1e-9;

// The power of ten of a round step: 0.05 -> -2, 2 -> 0, 500 -> 2. The nudge keeps
// 0.1 (log10 -0.99999999...) at -1.
int decade(double value) { return static_cast<int>(std::floor(std::log10(std::abs(value)) + kEdge)); }

// "%.*f" of `value`: the decimals a step of 10^step_decade needs.
std::string fixed_text(double value, int step_decade) {
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", std::clamp(-step_decade, 0, 15), value);
  return text;
}

// `value` as m e E with one digit before the point and the digits a step of
// 10^step_decade needs after it: 2e-7, 1.5e6, -3.0e-5.
std::string scientific_text(double value, int step_decade) {
  if (value == 0) return "0";
  int exponent = decade(value);
  double mantissa = value / std::pow(10.0, exponent);
  int decimals = std::max(0, exponent - step_decade);
  // 9.9999999e-7 rounds to "10": print it as 1.0e-6.
  const double unit = std::pow(10.0, decimals);
  if (std::abs(std::round(mantissa * unit) / unit) >= 10) {
    ++exponent;
    mantissa = value / std::pow(10.0, exponent);
    decimals = std::max(0, exponent - step_decade);
  }
  char text[48];
  std::snprintf(text, sizeof text, "%.*fe%d", decimals, mantissa, exponent);
  return text;
}

// The offset just past the character that starts at `at` (UTF-8: continuation bytes
// are 10xxxxxx), so that cutting a word never splits a character.
size_t next_character(std::string_view text, size_t at) {
  ++at;
  while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  return at;
}

// One paragraph (no newline) wrapped into `lines`.
void wrap_paragraph(std::string_view paragraph, float width, const TextWidth& measure, std::vector<std::string>& lines) {
  std::string line;
  size_t at = 0;
  while (at < paragraph.size()) {
    if (paragraph[at] == ' ') {
      ++at;
      continue;
    }
    const size_t end = std::min(paragraph.find(' ', at), paragraph.size());
    std::string_view word = paragraph.substr(at, end - at);
    at = end;
    std::string candidate = line.empty() ? std::string(word) : line + " " + std::string(word);
    if (measure(candidate) <= width) {
      line = std::move(candidate);
      continue;
    }
    if (!line.empty()) lines.push_back(std::move(line));
    line.clear();
    // A word wider than a line: its longest prefix that fits (one character at least)
    // per line, the rest carried on.
    while (measure(word) > width) {
      size_t cut = next_character(word, 0);
      for (size_t longer = next_character(word, cut); cut < word.size() && measure(word.substr(0, longer)) <= width;
           longer = next_character(word, longer)) {
        cut = longer;
      }
      lines.emplace_back(word.substr(0, cut));
      word.remove_prefix(cut);
    }
    line = std::string(word);
  }
  if (!line.empty()) lines.push_back(std::move(line));
}

}  // namespace

AxisRange axis_range(double lo, double hi) {
  const bool lo_known = std::isfinite(lo);
  const bool hi_known = std::isfinite(hi);
  if (!lo_known && !hi_known) return {0, 1};
  if (!lo_known) lo = hi;
  if (!hi_known) hi = lo;
  if (hi < lo) std::swap(lo, hi);
  // Wider than rounding noise around its values: usable as it is.
  if (hi - lo > std::max(std::abs(lo), std::abs(hi)) * 1e-9) return {lo, hi};
  const double centre = lo + (hi - lo) / 2;
  if (centre == 0) return {0, 1};
  const double pad = std::abs(centre) * 0.1;
  return {centre - pad, centre + pad};
}

double tick_step(double span, double wanted) {
  if (!(span > 0) || !std::isfinite(span)) return 1;
  const double raw = span / (wanted > 1 ? wanted : 1.0);
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0}) {
    if (factor * power >= raw * (1 - kEdge)) return factor * power;
  }
  return 10 * power;
}

std::vector<Tick> axis_ticks(double lo, double hi, double wanted, bool genomic) {
  std::vector<Tick> ticks;
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo)) return ticks;
  double step = tick_step(hi - lo, wanted);
  if (genomic) step = std::max(step, 1.0);  // positions are whole bases
  const double first = std::ceil(lo / step - kEdge);
  const double last = std::floor(hi / step + kEdge);
  if (!(last - first < 1000)) return ticks;  // not a range a plot shows
  const int step_decade = decade(step);
  const double largest = std::max(std::abs(lo), std::abs(hi));
  // Fixed decimals for anything a reader reads at a glance; powers of ten where fixed
  // would need more than six digits (500000, or 0.00002 near zero).
  const bool scientific = !genomic && (step >= 1e5 || (step_decade < -4 && largest < 1e-2));
  for (double k = first; k <= last; ++k) {
    const double value = k == 0 ? 0.0 : k * step;  // k * step is -0 for k = -0
    std::string text;
    if (genomic) text = with_thousands(static_cast<uint64_t>(std::llround(std::max(0.0, value))));
    else if (scientific) text = scientific_text(value, step_decade);
    else text = fixed_text(value, step_decade);
    ticks.push_back({value, std::move(text)});
  }
  return ticks;
}

std::vector<std::string> wrap_text(std::string_view text, float width, const TextWidth& measure) {
  std::vector<std::string> lines;
  if (text.empty()) return lines;
  if (!(width > 0)) return {std::string(text)};
  for (size_t start = 0; start <= text.size();) {
    const size_t end = std::min(text.find('\n', start), text.size());
    wrap_paragraph(text.substr(start, end - start), width, measure, lines);
    start = end + 1;
  }
  return lines;
}

}  // namespace epibook::labs
