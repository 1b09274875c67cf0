// Lab "peak-calling": ChIP-seq reads piled into fragment coverage, tested base by base
// against a local Poisson background (peaks.h), with peaks called as the reader moves
// the -log10 p threshold and the fragment length; the truth and MACS2's peaks sit
// beside ours with overlap counts.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "../app/plot.h"
#include "../train/training_panel.h"
#include "epibook/bed.h"
#include "epibook/peaks.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

// Bases scored per frame: a 1 Mb span takes a few frames.
constexpr size_t kScoreSlice = 250000;

// A BED file the lab reads whole: reads or peaks.
struct BedInput {
  std::string name;
  std::vector<BedRecord> records;
  bool loaded = false;

  std::vector<Region> regions() const {
    std::vector<Region> out;
    for (const BedRecord& record : records) out.push_back(record.region);
    return out;
  }
};

class PeakCallingLab final : public Lab {
 public:
  explicit PeakCallingLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    EPIBOOK_ASSIGN_OR_RETURN(double threshold, param_number(params, "threshold", options_.threshold));
    EPIBOOK_ASSIGN_OR_RETURN(double fragment, param_number(params, "fragment", options_.fragment_length));
    EPIBOOK_RETURN_IF_ERROR(check_range("threshold", threshold, 0, 1000));
    EPIBOOK_RETURN_IF_ERROR(check_range("fragment", fragment, 1, 5000));
    EPIBOOK_ASSIGN_OR_RETURN(double local, param_number(params, "local", 1));
    options_.local_lambda = local != 0;
    options_.threshold = threshold;
    options_.fragment_length = static_cast<uint32_t>(fragment);
    for (auto [input, key] : {std::pair{&treatment_, "treatment"}, std::pair{&control_, "control"},
                              std::pair{&truth_, "truth"}, std::pair{&macs2_, "macs2"}, std::pair{&sticky_, "sticky"}}) {
      input->name = param_text(params, key, "");
      if (!input->name.empty()) services_.files.request_whole(input->name);
    }
    if (treatment_.name.empty()) treatment_.name = param_text(params, "reads", "");
    if (!treatment_.name.empty()) services_.files.request_whole(treatment_.name);
    signal_dirty_ = true;
    return Status::ok();
  }

  void step() override {
    for (BedInput* input : {&treatment_, &control_, &truth_, &macs2_, &sticky_}) load(*input);
    if (waiting_for_files()) return;
    if (signal_dirty_) {
      rebuild_signal();
      return;
    }
    if (signal_ && signal_->scored < signal_->pileup.size()) {
      if (score_bases(*signal_, kScoreSlice)) peaks_dirty_ = true;
      return;
    }
    if (peaks_dirty_) {
      if (signal_) {
        peaks_ = call_peaks(*signal_, options_);
        compare();
      }
      peaks_dirty_ = false;
    }
  }

  bool busy() const override {
    return waiting_for_files() || signal_dirty_ || peaks_dirty_ || (signal_ && signal_->scored < signal_->pileup.size());
  }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "peak-calling";
    state["threshold"] = options_.threshold;
    state["fragment"] = options_.fragment_length;
    state["local_lambda"] = options_.local_lambda;
    state["treatment"] = treatment_.name;
    state["control"] = control_.name;
    state["message"] = message_;
    state["span"] = signal_ ? format_region(signal_->span) : "";
    state["treatment_reads"] = signal_ ? signal_->treatment_reads : 0;
    state["control_reads"] = signal_ ? signal_->control_reads : 0;
    state["genome_lambda"] = signal_ ? signal_->genome_lambda : 0.0;
    state["peaks"] = peaks_.size();
    state["peak_bases"] = peak_bases_;
    state["truth_peaks"] = truth_in_span_;
    state["macs2_peaks"] = macs2_in_span_;
    state["peaks_overlapping_truth"] = ours_on_truth_;
    state["truth_recovered"] = truth_found_;
    state["peaks_overlapping_macs2"] = ours_on_macs2_;
    state["macs2_recovered"] = macs2_found_;
    state["false_peaks"] = peaks_.size() - ours_on_truth_;
    state["peaks_on_sticky"] = ours_on_sticky_;
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    EPIBOOK_ASSIGN_OR_RETURN(double number, json_number(value, key));
    if (key == "threshold") {
      EPIBOOK_RETURN_IF_ERROR(check_range(key, number, 0, 1000));
      options_.threshold = number;
      peaks_dirty_ = true;
      return Status::ok();
    }
    if (key == "fragment") {
      EPIBOOK_RETURN_IF_ERROR(check_range(key, number, 1, 5000));
      options_.fragment_length = static_cast<uint32_t>(std::lround(number));
      signal_dirty_ = true;
      return Status::ok();
    }
    if (key == "local") {
      options_.local_lambda = number != 0;
      signal_dirty_ = true;
      return Status::ok();
    }
    return invalid_argument("peak-calling has no parameter \"" + key + "\" (threshold, fragment, local)");
  }

  // A BED the reader opens replaces the treatment reads.
  void open_file(const std::string& name) override {
    pending_reads_ = BedInput{name, {}, false};
    services_.files.request_whole(name);
    message_.clear();
  }

  bool wants_wheel() const override { return detail_hovered_; }

 private:
  bool waiting_for_files() const {
    if (pending_reads_) return true;
    for (const BedInput* input : {&treatment_, &control_, &truth_, &macs2_, &sticky_}) {
      if (!input->name.empty() && !input->loaded) return true;
    }
    return false;
  }

  void load(BedInput& input) {
    if (pending_reads_) load_reader_reads();
    if (input.name.empty() || input.loaded) return;
    if (const std::string* failed = services_.files.failure(input.name)) {
      message_ = input.name + ": " + *failed;
      input.loaded = true;
      return;
    }
    const std::string* bytes = services_.files.whole(input.name);
    if (!bytes) return;
    input.loaded = true;
    auto records = parse_bed(*bytes, input.name);
    if (!records.is_ok()) {
      message_ = records.status().message();
      return;
    }
    input.records = std::move(records).value();
    if (&input == &treatment_) signal_dirty_ = true;
  }

  // The reader's file becomes the treatment only if it parses: a broken file leaves
  // the lab as it was, with a message.
  void load_reader_reads() {
    BedInput& input = *pending_reads_;
    if (const std::string* failed = services_.files.failure(input.name)) {
      message_ = input.name + ": " + *failed;
      pending_reads_.reset();
      return;
    }
    const std::string* bytes = services_.files.whole(input.name);
    if (!bytes) return;
    auto records = parse_bed(*bytes, input.name);
    if (!records.is_ok()) {
      message_ = records.status().message();
    } else {
      treatment_ = BedInput{input.name, std::move(records).value(), true};
      control_ = BedInput{};
      signal_dirty_ = true;
    }
    pending_reads_.reset();
  }

  // The span: the first chromosome of the reads, from its first to its last read.
  void rebuild_signal() {
    signal_dirty_ = false;
    if (treatment_.records.empty()) {
      if (message_.empty()) message_ = "no treatment reads";
      return;
    }
    const std::string& chrom = treatment_.records.front().region.chrom;
    uint64_t first = UINT64_MAX, last = 0;
    for (const BedRecord& read : treatment_.records) {
      if (read.region.chrom != chrom) continue;
      first = std::min(first, read.region.start);
      last = std::max(last, read.region.end);
    }
    const Region span{chrom, first > options_.fragment_length ? first - options_.fragment_length : 0,
                      last + options_.fragment_length};
    auto signal = build_peak_signal(treatment_.records, control_.records, span, options_);
    if (!signal.is_ok()) {
      message_ = treatment_.name + ": " + signal.status().message();
      signal_.reset();
      return;
    }
    signal_ = std::move(signal).value();
    peaks_.clear();
    if (!view_set_ || view_.chrom != span.chrom) {
      view_ = {span.chrom, span.start, std::min(span.end, span.start + 20000)};
      const std::vector<Region> truth = truth_.regions();
      if (!truth.empty()) centre_view(truth.front());
      view_set_ = true;
    }
  }

  void compare() {
    const std::vector<Region> ours = [&] {
      std::vector<Region> regions;
      peak_bases_ = 0;
      for (const CalledPeak& peak : peaks_) {
        regions.push_back(peak.region);
        peak_bases_ += peak.region.length();
      }
      return regions;
    }();
    // Only the span is called, so only the sites inside it can be found.
    const std::vector<Region> truth = inside(truth_.regions(), signal_->span);
    const std::vector<Region> macs2 = inside(macs2_.regions(), signal_->span);
    truth_in_span_ = truth.size();
    macs2_in_span_ = macs2.size();
    ours_on_truth_ = count_overlapping(ours, truth);
    truth_found_ = count_overlapping(truth, ours);
    ours_on_macs2_ = count_overlapping(ours, macs2);
    macs2_found_ = count_overlapping(macs2, ours);
    ours_on_sticky_ = count_overlapping(ours, inside(sticky_.regions(), signal_->span));
  }

  static std::vector<Region> inside(const std::vector<Region>& regions, const Region& span) {
    std::vector<Region> kept;
    for (const Region& region : regions) {
      if (region.chrom == span.chrom && region.start < span.end && region.end > span.start) kept.push_back(region);
    }
    return kept;
  }

  void centre_view(const Region& around) {
    const uint64_t width = std::max<uint64_t>(view_.length(), 2000);
    const uint64_t middle = (around.start + around.end) / 2;
    view_.chrom = around.chrom;
    view_.start = middle > width / 2 ? middle - width / 2 : 0;
    view_.end = view_.start + width;
  }

  void draw_detail(float height);
  void draw_overview(float height);

  LabServices& services_;
  PeakCallOptions options_;
  BedInput treatment_, control_, truth_, macs2_, sticky_;
  std::optional<BedInput> pending_reads_;
  std::optional<PeakSignal> signal_;
  std::vector<CalledPeak> peaks_;
  bool signal_dirty_ = false;
  bool peaks_dirty_ = false;
  size_t ours_on_truth_ = 0, truth_found_ = 0, ours_on_macs2_ = 0, macs2_found_ = 0, ours_on_sticky_ = 0;
  size_t truth_in_span_ = 0, macs2_in_span_ = 0;
  uint64_t peak_bases_ = 0;
  std::string message_;
  Region view_;
  bool view_set_ = false;
  bool detail_hovered_ = false;
  size_t truth_cursor_ = 0;
};

// Peak boxes of one caller in a lane of the detail or overview plot.
void draw_lane(const PlotArea& area, const std::vector<Region>& regions, const std::string& chrom, float top,
               float bottom, ImU32 colour) {
  for (const Region& region : regions) {
    if (region.chrom != chrom || region.end <= area.x0 || region.start >= area.x1) continue;
    plot_interval_box(area, static_cast<double>(region.start), static_cast<double>(region.end), top, bottom, colour);
  }
}

void PeakCallingLab::draw() {
  const float em = ImGui::GetFontSize();
  float threshold = static_cast<float>(options_.threshold);
  ImGui::SetNextItemWidth(em * 14);
  if (ImGui::SliderFloat("-log10 p threshold", &threshold, 0.5f, 40.0f, "%.1f")) (void)set("threshold", threshold);
  const auto labelled = [](float item, const char* label) {  // a control and its label, for same_line_if_fits
    return item + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
  };
  int fragment = static_cast<int>(options_.fragment_length);
  same_line_if_fits(labelled(em * 12, "fragment (bp)"));
  ImGui::SetNextItemWidth(em * 12);
  if (ImGui::SliderInt("fragment (bp)", &fragment, 50, 600)) (void)set("fragment", fragment);
  bool local = options_.local_lambda;
  same_line_if_fits(labelled(ImGui::GetFrameHeight(), "local lambda"));
  if (ImGui::Checkbox("local lambda", &local)) (void)set("local", local ? 1 : 0);
  same_line_if_fits(button_width("Open reads..."));
  if (ImGui::Button("Open reads...")) services_.pick_file(".bed,.bed.gz");
  message_line(message_, true);
  if (busy()) {
    const double done = signal_ && !signal_->pileup.empty() ? 100.0 * signal_->scored / signal_->pileup.size() : 0;
    message_line("calling peaks... " + short_number(done) + "%", false);
  } else if (signal_) {
    const std::string control =
        signal_->control_reads ? " against " + with_thousands(signal_->control_reads) + " control reads" : " (no control)";
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("%s: %s reads%s, genome-wide lambda %.3f", treatment_.name.c_str(),
                       with_thousands(signal_->treatment_reads).c_str(), control.c_str(), signal_->genome_lambda);
    ImGui::PopStyleColor();
    // Wrapped: with the sticky-region count the line is wider than a narrow lab.
    ImGui::TextWrapped("Ours: %zu peaks (%s bp), %zu on no true site%s.  True sites found: %zu of %zu.  MACS2 peaks found: %zu of %zu.",
                peaks_.size(), with_thousands(peak_bases_).c_str(), peaks_.size() - ours_on_truth_,
                sticky_.records.empty() ? "" : (", " + std::to_string(ours_on_sticky_) + " on sticky regions").c_str(),
                truth_found_, truth_in_span_, macs2_found_, macs2_in_span_);
  }
  if (!signal_) return;
  const float avail = ImGui::GetContentRegionAvail().y;
  const float line = ImGui::GetTextLineHeightWithSpacing();
  draw_overview(line * 4.2f);
  draw_detail(std::max(line * 6, avail - line * 4.2f - line * 3.4f));
  ImGui::PushStyleColor(ImGuiCol_Text, colours::kMutedText.vec4());
  ImGui::TextWrapped(
      "How MACS2 differs: it estimates the fragment length from the shift between + and - strand reads, uses the "
      "control's 1 kb and 10 kb lambdas as here but scales the larger library down, and reports q-values corrected for "
      "testing every base.");
  ImGui::PopStyleColor();
}

void PeakCallingLab::draw_overview(float height) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const Region& span = signal_->span;
  PlotArea area = begin_plot("overview", ImVec2(avail.x, height), static_cast<double>(span.start),
                             static_cast<double>(span.end), 0, 1, "", "", true, false);
  const float lane = area.height() / 3;
  ImDrawList* labels = ImGui::GetWindowDrawList();
  const float text_height = ImGui::GetTextLineHeight();
  const char* lane_names[] = {"truth", "ours", "MACS2"};
  const ImU32 lane_colours[] = {colours::kTruth, colours::kPeak, colours::kOther};
  for (int i = 0; i < 3; ++i) {
    const float width = ImGui::CalcTextSize(lane_names[i]).x;
    // Outside the plot's clip rectangle: drawn on the window's own clip.
    labels->PushClipRectFullScreen();
    labels->AddText(ImVec2(area.min.x - width - 6, area.min.y + lane * (i + 0.5f) - text_height / 2), lane_colours[i],
                    lane_names[i]);
    labels->PopClipRect();
  }
  draw_lane(area, truth_.regions(), span.chrom, area.min.y + 1, area.min.y + lane - 1, colours::kTruth);
  std::vector<Region> ours;
  for (const CalledPeak& peak : peaks_) ours.push_back(peak.region);
  draw_lane(area, ours, span.chrom, area.min.y + lane + 1, area.min.y + 2 * lane - 1, colours::kPeak);
  draw_lane(area, macs2_.regions(), span.chrom, area.min.y + 2 * lane + 1, area.max.y - 1, colours::kOther);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRect(ImVec2(area.px(view_.start), area.min.y), ImVec2(std::max(area.px(view_.end), area.px(view_.start) + 3), area.max.y),
                colours::kAxisText, 0, 0, 2);
  end_plot(area);
  if (ImGui::IsItemActive() && ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
    const double x = area.data_x(ImGui::GetIO().MousePos.x);
    centre_view({span.chrom, static_cast<uint64_t>(std::max(0.0, x)), static_cast<uint64_t>(std::max(0.0, x)) + 1});
  }
}

void PeakCallingLab::draw_detail(float height) {
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const PeakSignal& signal = *signal_;
  const uint64_t from = std::max(view_.start, signal.span.start);
  const uint64_t to = std::min(view_.end, signal.span.end);
  if (from >= to) return;
  const size_t first = from - signal.span.start;
  const size_t count = to - from;
  // One column per pixel: the maximum pile-up and lambda inside it.
  const size_t columns = std::max<size_t>(1, std::min<size_t>(count, static_cast<size_t>(avail.x)));
  std::vector<float> pileup(columns, 0), lambda(columns, 0);
  double top = 5;
  for (size_t c = 0; c < columns; ++c) {
    const size_t a = first + c * count / columns;
    const size_t b = std::max(a + 1, first + (c + 1) * count / columns);
    for (size_t i = a; i < b; ++i) {
      pileup[c] = std::max(pileup[c], static_cast<float>(signal.pileup[i]));
      lambda[c] = std::max(lambda[c], signal.lambda[i]);
    }
    top = std::max(top, pileup[c] * 1.15);
  }
  const float line = ImGui::GetTextLineHeight();
  PlotArea area = begin_plot("detail", ImVec2(avail.x, height), static_cast<double>(from), static_cast<double>(to), 0, top,
                             "", options_.local_lambda ? "fragments per base (blue), local lambda (orange); boxes: truth, ours, MACS2"
                                                 : "fragments per base (blue), genome-wide lambda (orange); boxes: truth, ours, MACS2",
                             true);
  const double step = static_cast<double>(count) / columns;
  plot_filled_steps(area, pileup.data(), static_cast<int>(columns), static_cast<double>(from), step, colours::kSignal,
                    colours::kSignalFill);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (size_t c = 1; c < columns; ++c) {
    draw->AddLine(ImVec2(area.px(from + (c - 1) * step), area.py(lambda[c - 1])), ImVec2(area.px(from + c * step), area.py(lambda[c])),
                  colours::kAccent, 2.0f);
  }
  std::vector<Region> ours;
  for (const CalledPeak& peak : peaks_) ours.push_back(peak.region);
  const float lane = line * 0.7f;
  draw_lane(area, truth_.regions(), view_.chrom, area.min.y + 2, area.min.y + 2 + lane, colours::kTruth);
  draw_lane(area, ours, view_.chrom, area.min.y + 4 + lane, area.min.y + 4 + 2 * lane, colours::kPeak);
  draw_lane(area, macs2_.regions(), view_.chrom, area.min.y + 6 + 2 * lane, area.min.y + 6 + 3 * lane, colours::kOther);
  detail_hovered_ = area.contains(ImGui::GetIO().MousePos);
  end_plot(area);
  if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0)) {
    const double shift = -ImGui::GetIO().MouseDelta.x / std::max(1.0f, area.width()) * view_.length();
    const double start = std::max(0.0, static_cast<double>(view_.start) + shift);
    const uint64_t width = view_.length();
    view_.start = static_cast<uint64_t>(start);
    view_.end = view_.start + width;
  }
  if (detail_hovered_ && ImGui::GetIO().MouseWheel != 0) {
    const double factor = ImGui::GetIO().MouseWheel > 0 ? 0.8 : 1.25;
    const double centre = area.data_x(ImGui::GetIO().MousePos.x);
    const double width = std::clamp(view_.length() * factor, 500.0, static_cast<double>(signal.span.length()));
    const double start = std::max(0.0, centre - (centre - view_.start) * width / view_.length());
    view_.start = static_cast<uint64_t>(start);
    view_.end = view_.start + static_cast<uint64_t>(width);
  }
  if (!truth_.records.empty()) {
    if (ImGui::SmallButton("next true site")) {
      truth_cursor_ = (truth_cursor_ + 1) % truth_.records.size();
      centre_view(truth_.records[truth_cursor_].region);
    }
    ImGui::SameLine();
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("%s  (drag to pan, wheel to zoom, click the overview to jump)", format_region(view_).c_str());
  ImGui::PopStyleColor();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_peak_calling_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<PeakCallingLab>(params, services);
}

}  // namespace epibook::labs
