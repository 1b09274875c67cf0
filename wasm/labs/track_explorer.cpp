// Lab "track-explorer": a genome-browser view of bigWig tracks and BED features. The
// tracks are read by byte slices (zoom levels for wide views, raw data when close), so
// a reader's multi-gigabyte bigWig opens as fast as the shipped slice.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "../app/plot.h"
#include "../train/training_panel.h"
#include "epibook/bed.h"
#include "epibook/bigwig.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

// One bigWig in the view, with the per-pixel means of the current region.
struct TrackView {
  std::string name;
  std::shared_ptr<RangedFile> file;
  std::optional<BigWigReader> reader;
  std::vector<double> means;     // one per column of the plot
  Region shown;                  // the region `means` belong to
  uint32_t shown_columns = 0;
};

class TrackExplorerLab final : public Lab {
 public:
  explicit TrackExplorerLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    std::string tracks = param_text(params, "track", "");
    for (size_t start = 0; start < tracks.size();) {
      size_t comma = tracks.find(',', start);
      if (comma == std::string::npos) comma = tracks.size();
      if (comma > start) add_track(tracks.substr(start, comma - start));
      start = comma + 1;
    }
    const std::string bed = param_text(params, "bed", "");
    if (!bed.empty()) open_bed(bed);
    const std::string region = param_text(params, "region", "");
    if (!region.empty()) {
      EPIBOOK_ASSIGN_OR_RETURN(view_, parse_region(region));
      region_text_ = format_region(view_);
      has_view_ = true;
    }
    return Status::ok();
  }

  void step() override {
    for (size_t i = 0; i < tracks_.size();) {
      if (!step_track(tracks_[i])) {
        tracks_.erase(tracks_.begin() + static_cast<std::ptrdiff_t>(i));
      } else {
        ++i;
      }
    }
    if (bed_pending_) load_bed();
  }

  bool busy() const override {
    if (bed_pending_) return true;
    return std::any_of(tracks_.begin(), tracks_.end(), [&](const TrackView& track) {
      return !track.reader || !has_view_ || track.shown != view_ || track.shown_columns != columns_;
    });
  }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "track-explorer";
    state["region"] = has_view_ ? format_region(view_) : "";
    state["message"] = message_;
    state["tracks"] = nlohmann::json::array();
    for (const TrackView& track : tracks_) {
      double sum = 0, max = 0;
      size_t with_data = 0;
      for (double m : track.means) {
        if (std::isnan(m)) continue;
        sum += m;
        max = std::max(max, m);
        ++with_data;
      }
      state["tracks"].push_back({{"file", track.name},
                                 {"open", track.reader.has_value()},
                                 {"columns", track.means.size()},
                                 {"view_mean", with_data ? sum / with_data : 0.0},
                                 {"view_max", max}});
    }
    state["bed"] = {{"file", bed_name_}, {"features", bed_.size()}, {"features_in_view", features_in_view()}};
    if (cursor_) {
      state["cursor"] = {{"position", *cursor_}, {"values", cursor_values_}};
    } else {
      state["cursor"] = nullptr;
    }
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "region") {
      EPIBOOK_ASSIGN_OR_RETURN(std::string text, json_text(value, key));
      return go_to(text);
    }
    if (key == "track") {
      EPIBOOK_ASSIGN_OR_RETURN(std::string name, json_text(value, key));
      add_track(name);
      return Status::ok();
    }
    if (key == "bed") {
      EPIBOOK_ASSIGN_OR_RETURN(std::string name, json_text(value, key));
      open_bed(name);
      return Status::ok();
    }
    return invalid_argument("track-explorer has no parameter \"" + key + "\" (region, track, bed)");
  }

  void open_file(const std::string& name) override {
    message_.clear();
    if (is_bigwig_name(name)) {
      add_track(name);
    } else {
      open_bed(name);
    }
  }

  bool wants_wheel() const override { return plot_hovered_; }

 private:
  void add_track(const std::string& name) {
    TrackView track;
    track.name = name;
    track.file = services_.files.ranged(name);
    tracks_.push_back(std::move(track));
  }

  void open_bed(const std::string& name) {
    bed_name_ = name;
    bed_.clear();
    bed_pending_ = true;
    services_.files.request_whole(name);
  }

  void load_bed() {
    if (const std::string* failed = services_.files.failure(bed_name_)) {
      message_ = *failed;
      bed_pending_ = false;
      return;
    }
    const std::string* bytes = services_.files.whole(bed_name_);
    if (!bytes) return;
    bed_pending_ = false;
    auto records = parse_bed(*bytes, bed_name_);
    if (!records.is_ok()) {
      message_ = records.status().message();
      bed_name_.clear();
      return;
    }
    bed_ = std::move(records).value();
  }

  // Opens the track and fetches the view's means; false when the track failed and
  // should go (its message stays in message_).
  bool step_track(TrackView& track) {
    if (!track.file->error().empty()) {
      message_ = track.name + ": " + track.file->error();
      return false;
    }
    if (!track.file->size()) return true;  // the first slice is on its way
    if (!track.reader) {
      auto reader = BigWigReader::open(ranged_source(track.file));
      if (!reader.is_ok()) {
        if (is_waiting_for_bytes(reader.status())) return true;
        message_ = reader.status().message();
        return false;
      }
      track.reader.emplace(std::move(reader).value());
      if (!has_view_ && !track.reader->chroms().empty()) {
        const BigWigChrom& chrom = track.reader->chroms().front();
        view_ = {chrom.name, 0, std::min<uint64_t>(chrom.length, 100000)};
        region_text_ = format_region(view_);
        has_view_ = true;
      }
    }
    if (!has_view_ || columns_ == 0 || (track.shown == view_ && track.shown_columns == columns_)) return true;
    const auto length = track.reader->chrom_length(view_.chrom);
    if (!length || view_.end > *length) {
      track.means.assign(columns_, std::nan(""));
      track.shown = view_;
      track.shown_columns = columns_;
      return true;
    }
    const uint32_t bins = static_cast<uint32_t>(std::min<uint64_t>(columns_, view_.length()));
    auto means = track.reader->stats(view_, SummaryStat::kMean, bins, false);
    if (!means.is_ok()) {
      // The reader keeps what it read of its index; after a miss it starts afresh from
      // the slices now cached, so every retry gets further.
      if (is_waiting_for_bytes(means.status())) {
        track.reader.reset();
        return true;
      }
      message_ = means.status().message();
      track.means.assign(columns_, std::nan(""));
    } else {
      track.means = std::move(means).value();
    }
    track.shown = view_;
    track.shown_columns = columns_;
    return true;
  }

  // Moves the view to `text`, refusing regions off the tracks' chromosomes.
  Status go_to(const std::string& text) {
    auto region = parse_region(text);
    if (!region.is_ok()) {
      message_ = region.status().message();
      return region.status();
    }
    if (region->length() < 10) {
      message_ = text + ": the view needs at least 10 bp";
      return invalid_argument(message_);
    }
    for (const TrackView& track : tracks_) {
      if (!track.reader) continue;
      const auto length = track.reader->chrom_length(region->chrom);
      if (!length) {
        message_ = text + ": " + track.name + " has no chromosome " + region->chrom;
        return not_found(message_);
      }
      if (region->end > *length) {
        message_ = text + ": ends past the end of " + region->chrom + " (" + with_thousands(*length) + " bp)";
        return invalid_argument(message_);
      }
    }
    view_ = *region;
    has_view_ = true;
    region_text_ = format_region(view_);
    message_.clear();
    return Status::ok();
  }

  uint64_t chrom_limit() const {
    for (const TrackView& track : tracks_) {
      if (track.reader) {
        if (auto length = track.reader->chrom_length(view_.chrom)) return *length;
      }
    }
    return UINT64_MAX / 4;
  }

  // Zooms by `factor` (< 1 zooms in) around genome position `centre`.
  void zoom(double factor, double centre) {
    const double length = std::clamp(view_.length() * factor, 50.0, static_cast<double>(chrom_limit()));
    const double left = centre - (centre - view_.start) * (length / view_.length());
    place(left, length);
  }

  void place(double left, double length) {
    const double limit = static_cast<double>(chrom_limit());
    left = std::clamp(left, 0.0, std::max(0.0, limit - length));
    view_.start = static_cast<uint64_t>(std::llround(left));
    view_.end = view_.start + static_cast<uint64_t>(std::llround(length));
    region_text_ = format_region(view_);
  }

  size_t features_in_view() const {
    size_t count = 0;
    for (const BedRecord& record : bed_) {
      if (record.region.chrom == view_.chrom && record.region.end > view_.start && record.region.start < view_.end) ++count;
    }
    return count;
  }

  LabServices& services_;
  std::vector<TrackView> tracks_;
  std::string bed_name_;
  std::vector<BedRecord> bed_;
  bool bed_pending_ = false;
  Region view_;
  bool has_view_ = false;
  std::string region_text_;
  std::string message_;
  uint32_t columns_ = 0;
  bool plot_hovered_ = false;
  std::optional<uint64_t> cursor_;
  std::vector<double> cursor_values_;
};

void TrackExplorerLab::draw() {
  const float line = ImGui::GetTextLineHeightWithSpacing();
  char buffer[128];
  std::snprintf(buffer, sizeof buffer, "%s", region_text_.c_str());
  ImGui::SetNextItemWidth(ImGui::GetFontSize() * 18);
  if (ImGui::InputText("##region", buffer, sizeof buffer, ImGuiInputTextFlags_EnterReturnsTrue)) {
    (void)go_to(buffer);
  } else if (!ImGui::IsItemActive()) {
    region_text_ = has_view_ ? format_region(view_) : region_text_;
  }
  if (ImGui::IsItemEdited()) region_text_ = buffer;
  const double centre = (view_.start + view_.end) / 2.0;
  // Buttons stay beside the region while they fit, and wrap on a phone.
  same_line_if_fits(button_width("Go"));
  if (ImGui::Button("Go")) (void)go_to(region_text_);
  same_line_if_fits(button_width(" + "));
  if (ImGui::Button(" + ")) zoom(0.5, centre);
  same_line_if_fits(button_width(" - "));
  if (ImGui::Button(" - ")) zoom(2.0, centre);
  same_line_if_fits(button_width(" < "));
  if (ImGui::Button(" < ")) place(view_.start - view_.length() * 0.25, view_.length());
  same_line_if_fits(button_width(" > "));
  if (ImGui::Button(" > ")) place(view_.start + view_.length() * 0.25, view_.length());
  same_line_if_fits(button_width("Open file..."));
  if (ImGui::Button("Open file...")) services_.pick_file(".bw,.bigWig,.bigwig,.bed,.narrowPeak,.bed.gz");
  message_line(message_, true);

  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float bed_height = bed_.empty() && bed_name_.empty() ? 0 : line * 3.2f;
  const float status_height = line * 1.2f;
  const int rows = std::max<int>(1, static_cast<int>(tracks_.size()));
  const float row_height = std::max(line * 4, (avail.y - bed_height - status_height) / rows);
  plot_hovered_ = false;
  cursor_.reset();
  cursor_values_.clear();
  const ImVec2 mouse = ImGui::GetIO().MousePos;
  PlotArea last;
  bool drawn = false;
  for (size_t t = 0; t < tracks_.size() || (!drawn && t == 0); ++t) {
    const TrackView* track = t < tracks_.size() ? &tracks_[t] : nullptr;
    double top = 1;
    if (track) {
      for (double m : track->means) {
        if (!std::isnan(m)) top = std::max(top, m * 1.1);
      }
    }
    const std::string label = track ? track->name : "(no track)";
    PlotArea area = begin_plot(("track" + std::to_string(t)).c_str(), ImVec2(avail.x, row_height),
                               static_cast<double>(view_.start), static_cast<double>(view_.end), 0, top, "", label, true);
    columns_ = static_cast<uint32_t>(std::max(1.0f, area.width()));
    if (track && !track->means.empty() && track->shown.chrom == view_.chrom) {
      std::vector<float> values(track->means.begin(), track->means.end());
      const double step = static_cast<double>(track->shown.length()) / values.size();
      plot_filled_steps(area, values.data(), static_cast<int>(values.size()), static_cast<double>(track->shown.start),
                        step, colours::series(static_cast<int>(t)), (colours::series(static_cast<int>(t)) & 0x00FFFFFF) | 0x50000000);
    } else if (track && !track->reader) {
      ImGui::GetWindowDrawList()->AddText(ImVec2(area.min.x + 8, area.min.y + 8), colours::kAxisText, "reading...");
    }
    if (area.contains(mouse) && ImGui::IsWindowHovered()) {
      plot_hovered_ = true;
      cursor_ = static_cast<uint64_t>(std::max(0.0, area.data_x(mouse.x)));
      ImGui::GetWindowDrawList()->AddLine(ImVec2(mouse.x, area.min.y), ImVec2(mouse.x, area.max.y), colours::kFrame);
    }
    end_plot(area);
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 0)) {
      const double shift = -ImGui::GetIO().MouseDelta.x / std::max(1.0f, area.width()) * view_.length();
      place(view_.start + shift, view_.length());
    }
    last = area;
    drawn = true;
  }
  if (plot_hovered_ && ImGui::GetIO().MouseWheel != 0) {
    zoom(ImGui::GetIO().MouseWheel > 0 ? 0.8 : 1.25, last.data_x(mouse.x));
  }
  if (cursor_) {
    for (const TrackView& track : tracks_) {
      double value = std::nan("");
      if (!track.means.empty() && track.shown.length() > 0 && *cursor_ >= track.shown.start && *cursor_ < track.shown.end) {
        const size_t column = static_cast<size_t>((*cursor_ - track.shown.start) * track.means.size() / track.shown.length());
        value = track.means[std::min(column, track.means.size() - 1)];
      }
      cursor_values_.push_back(value);
    }
  }

  if (bed_height > 0) {
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(avail.x, bed_height));
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddText(ImVec2(origin.x, origin.y), colours::kAxisText, (bed_name_ + "  (" + std::to_string(features_in_view()) + " in view)").c_str());
    std::map<std::string, int> lane_of;
    for (const BedRecord& record : bed_) lane_of.emplace(record.name, 0);
    int lane = 0;
    for (auto& [name, index] : lane_of) index = lane++;
    const float band_top = origin.y + line;
    const float lane_height = (bed_height - line * 1.1f) / std::max(1, lane);
    draw->PushClipRect(ImVec2(last.min.x, band_top), ImVec2(last.max.x, band_top + bed_height), true);
    for (const BedRecord& record : bed_) {
      if (record.region.chrom != view_.chrom || record.region.end <= view_.start || record.region.start >= view_.end) continue;
      const int index = lane_of[record.name];
      const float y = band_top + index * lane_height;
      plot_interval_box(last, static_cast<double>(record.region.start), static_cast<double>(record.region.end), y + 1,
                        y + lane_height - 1, colours::series(index + 1));
    }
    draw->PopClipRect();
    float x = origin.x + ImGui::CalcTextSize((bed_name_ + "  (0000 in view)    ").c_str()).x;
    for (const auto& [name, index] : lane_of) {
      draw->AddRectFilled(ImVec2(x, origin.y + 3), ImVec2(x + 10, origin.y + line - 5), colours::series(index + 1));
      draw->AddText(ImVec2(x + 14, origin.y), colours::kAxisText, name.empty() ? "(unnamed)" : name.c_str());
      x += ImGui::CalcTextSize(name.c_str()).x + 30;
    }
  }
  if (cursor_) {
    std::string text = with_thousands(*cursor_) + ":";
    for (size_t i = 0; i < cursor_values_.size(); ++i) text += "  " + tracks_[i].name + " " + short_number(cursor_values_[i]);
    ImGui::TextWrapped("%s", text.c_str());
  } else {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
    ImGui::TextWrapped("%s  (%s bp)   drag to pan, wheel to zoom", format_region(view_).c_str(),
                       with_thousands(view_.length()).c_str());
    ImGui::PopStyleColor();
  }
}

}  // namespace

Result<std::unique_ptr<Lab>> make_track_explorer_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<TrackExplorerLab>(params, services);
}

}  // namespace epibook::labs
