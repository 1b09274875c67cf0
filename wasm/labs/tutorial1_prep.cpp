// Lab "tutorial1-prep": Tutorial 1 in the page. The reader toggles arcsinh, picks the
// bin size (1-128 bp; 25 -> 32 bp is the tutorial's case), moves the threshold and sees
// labels and the train/validation/test split along the genome, computed by the same
// prepare_dataset as `epibook prep`, so the counts equal the command's.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "../app/plot.h"
#include "../train/training_panel.h"
#include "epibook/bigwig.h"
#include "epibook/prep.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

class Tutorial1PrepLab final : public Lab {
 public:
  explicit Tutorial1PrepLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    EPIBOOK_ASSIGN_OR_RETURN(options_, prep_preset("tutorial1"));
    for (const char* key : {"transform", "arcsinh", "input_bin", "window", "threshold", "seed", "bin", "region", "hash_block"}) {
      if (params.contains(key)) EPIBOOK_RETURN_IF_ERROR(set(key, params[key]));
    }
    track_name_ = param_text(params, "track", "");
    if (!track_name_.empty()) file_ = services_.files.ranged(track_name_);
    dirty_ = true;
    return Status::ok();
  }

  void step() override {
    if (!dirty_ || !file_) return;
    if (!file_->error().empty()) {
      fail(track_name_ + ": " + file_->error());
      return;
    }
    if (!file_->size()) return;
    if (!reader_) {
      auto reader = BigWigReader::open(ranged_source(file_));
      if (!reader.is_ok()) {
        if (!is_waiting_for_bytes(reader.status())) fail(reader.status().message());
        return;
      }
      reader_.emplace(std::move(reader).value());
    }
    if (!has_region_) {
      if (reader_->chroms().empty()) return fail(track_name_ + ": the bigWig has no chromosome");
      const BigWigChrom& chrom = reader_->chroms().front();
      region_ = {chrom.name, 0, std::min<uint64_t>(chrom.length, 1000000)};
      has_region_ = true;
    }
    const Region regions[] = {region_};
    auto dataset = prepare_dataset(*reader_, regions, options_);
    if (!dataset.is_ok()) {
      if (is_waiting_for_bytes(dataset.status())) {
        reader_.reset();  // starts afresh from the slices now cached
        return;
      }
      return fail(dataset.status().message());
    }
    dataset_ = std::move(dataset).value();
    message_.clear();
    dirty_ = false;
    update_plot_range();
  }

  bool busy() const override { return dirty_; }
  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "tutorial1-prep";
    state["track"] = track_name_;
    state["region"] = has_region_ ? format_region(region_) : "";
    state["transform"] = signal_transform_name(options_.transform);
    state["arcsinh"] = options_.transform == SignalTransform::kArcsinh;
    state["bin"] = options_.bin;
    state["input_bin"] = options_.input_bin;
    state["window"] = options_.window;
    state["stride"] = options_.stride;
    state["threshold"] = options_.threshold;
    state["label_rule"] = label_rule_text(options_.label_rule);
    state["split_method"] = split_method_name(options_.split);
    state["seed"] = options_.seed;
    state["hash_block"] = options_.hash_block;
    state["message"] = message_;
    auto summary_json = [](const SplitSummary& s) {
      const double fraction = s.peak_fraction();
      return nlohmann::json{{"windows", s.windows},     {"peaks", s.peaks},
                            {"background", s.background}, {"missing", s.missing},
                            {"peak_fraction", std::isnan(fraction) ? nlohmann::json(nullptr) : nlohmann::json(fraction)}};
    };
    state["per_split"] = nlohmann::json::object();
    if (dataset_) {
      for (Split split : {Split::kTrain, Split::kValidation, Split::kTest}) {
        state["per_split"][split_name(split)] = summary_json(dataset_->per_split[static_cast<size_t>(split)]);
      }
      state["total"] = summary_json(dataset_->total);
      state["neighbours_split_apart"] = neighbours_split_apart(*dataset_);
      state["bins_per_window"] = dataset_->bins_per_window;
    }
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    PrepOptions next = options_;
    Region next_region = region_;
    if (key == "transform") {
      EPIBOOK_ASSIGN_OR_RETURN(std::string text, json_text(value, key));
      EPIBOOK_ASSIGN_OR_RETURN(next.transform, parse_signal_transform(text));
    } else if (key == "arcsinh") {
      EPIBOOK_ASSIGN_OR_RETURN(bool on, json_flag(value, key));
      next.transform = on ? SignalTransform::kArcsinh : SignalTransform::kNone;
    } else if (key == "bin" || key == "input_bin" || key == "window" || key == "seed") {
      EPIBOOK_ASSIGN_OR_RETURN(double number, json_number(value, key));
      const double hi = key == "bin" ? 128 : key == "input_bin" ? 1000 : key == "window" ? 100000 : 1e15;
      EPIBOOK_RETURN_IF_ERROR(check_range(key, number, key == "seed" ? 0 : 1, hi));
      const auto whole = static_cast<uint64_t>(std::llround(number));
      if (key == "bin") next.bin = static_cast<uint32_t>(whole);
      if (key == "input_bin") next.input_bin = static_cast<uint32_t>(whole);
      if (key == "window") window_target_ = static_cast<uint32_t>(whole);
      if (key == "seed") next.seed = whole;
    } else if (key == "hash_block") {
      EPIBOOK_ASSIGN_OR_RETURN(double number, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, number, 0, 1e9));
      next.hash_block = static_cast<uint64_t>(std::llround(number));
    } else if (key == "threshold") {
      EPIBOOK_ASSIGN_OR_RETURN(next.threshold, json_number(value, key));
    } else if (key == "region") {
      EPIBOOK_ASSIGN_OR_RETURN(std::string text, json_text(value, key));
      EPIBOOK_ASSIGN_OR_RETURN(next_region, parse_region(text));
    } else {
      return invalid_argument("tutorial1-prep has no parameter \"" + key +
                              "\" (transform, arcsinh, bin, input_bin, window, threshold, seed, region, hash_block)");
    }
    // The window must hold whole bins: the nearest multiple of the bin to the target.
    next.window = next.bin * std::max<uint32_t>(1, static_cast<uint32_t>(std::lround(double(window_target_) / next.bin)));
    next.stride = next.window;
    EPIBOOK_RETURN_IF_ERROR(validate_prep_options(next));
    options_ = next;
    if (key == "region") {
      region_ = next_region;
      has_region_ = true;
    }
    dirty_ = true;
    return Status::ok();
  }

  void open_file(const std::string& name) override {
    track_name_ = name;
    file_ = services_.files.ranged(name);
    reader_.reset();
    dataset_.reset();
    has_region_ = false;
    message_.clear();
    dirty_ = true;
  }

 private:
  // Touching windows on different sides of a split: each pair shares signal and
  // sequence at its edge, the leak that block hashing removes (audit.h counts the same).
  static uint64_t neighbours_split_apart(const PrepDataset& data) {
    uint64_t apart = 0;
    for (size_t w = 1; w < data.windows.size(); ++w) {
      const bool touching = data.windows[w].chrom == data.windows[w - 1].chrom && data.windows[w].start <= data.windows[w - 1].end;
      if (touching && data.split[w] != data.split[w - 1]) ++apart;
    }
    return apart;
  }

  void fail(std::string message) {
    message_ = std::move(message);
    dirty_ = false;
  }

  void update_plot_range() {
    plot_top_ = std::max(1.0, options_.threshold * 1.3);
    for (float value : dataset_->targets) {
      if (!std::isnan(value)) plot_top_ = std::max(plot_top_, static_cast<double>(value) * 1.05);
    }
  }

  LabServices& services_;
  PrepOptions options_;
  uint32_t window_target_ = 1024;
  std::string track_name_;
  std::shared_ptr<RangedFile> file_;
  std::optional<BigWigReader> reader_;
  Region region_;
  bool has_region_ = false;
  std::optional<PrepDataset> dataset_;
  bool dirty_ = false;
  std::string message_;
  double plot_top_ = 1;
};

// The highest bin under each pixel column of [start, end): a 1 Mb region holds 31,250
// bins of 32 bp, far more than the plot's pixels, and the maximum keeps narrow peaks.
std::vector<float> column_maxima(const PrepDataset& data, double start, double end, size_t columns) {
  std::vector<float> maxima(columns, std::nanf(""));
  if (data.windows.empty()) return maxima;
  const double per_column = (end - start) / static_cast<double>(columns);
  const uint32_t bin = data.bins_per_window ? (data.windows.front().end - data.windows.front().start) / data.bins_per_window : 1;
  for (size_t w = 0; w < data.windows.size(); ++w) {
    for (uint32_t b = 0; b < data.bins_per_window; ++b) {
      const float value = data.targets[w * data.bins_per_window + b];
      if (std::isnan(value)) continue;
      const double at = static_cast<double>(data.windows[w].start + uint64_t{b} * bin) - start;
      const size_t column = std::min(columns - 1, static_cast<size_t>(std::max(0.0, at / per_column)));
      if (std::isnan(maxima[column]) || value > maxima[column]) maxima[column] = value;
    }
  }
  return maxima;
}

ImU32 split_colour(int8_t split) {
  if (split == static_cast<int8_t>(Split::kTrain)) return colours::kTrain;
  if (split == static_cast<int8_t>(Split::kValidation)) return colours::kValidation;
  return colours::kTest;
}

void Tutorial1PrepLab::draw() {
  const float em = ImGui::GetFontSize();
  bool arcsinh = options_.transform == SignalTransform::kArcsinh;
  const auto labelled = [](float item, const char* label) {  // a control and its label, for same_line_if_fits
    return item + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
  };
  if (ImGui::Checkbox("arcsinh", &arcsinh)) (void)set("arcsinh", arcsinh);
  int bin = static_cast<int>(options_.bin);
  same_line_if_fits(labelled(em * 9, "bin (bp)"));
  ImGui::SetNextItemWidth(em * 9);
  if (ImGui::SliderInt("bin (bp)", &bin, 1, 128)) (void)set("bin", bin);
  int input_bin_choice = options_.input_bin == 25 ? 1 : 0;
  same_line_if_fits(labelled(em * 7, "input"));
  ImGui::SetNextItemWidth(em * 7);
  if (ImGui::Combo("input", &input_bin_choice, "1 bp\0" "25 bp\0")) (void)set("input_bin", input_bin_choice ? 25 : 1);
  same_line_if_fits(button_width("25 -> 32 bp"));
  if (ImGui::Button("25 -> 32 bp")) {
    (void)set("input_bin", 25);
    (void)set("bin", 32);
  }
  float threshold = static_cast<float>(options_.threshold);
  ImGui::SetNextItemWidth(em * 14);
  if (ImGui::SliderFloat("threshold", &threshold, 0.0f, static_cast<float>(std::max(4.0, plot_top_)), "%.3f")) {
    (void)set("threshold", threshold);
  }
  int seed = static_cast<int>(options_.seed);
  same_line_if_fits(labelled(em * 7, "seed"));
  ImGui::SetNextItemWidth(em * 7);
  if (ImGui::InputInt("seed", &seed)) (void)set("seed", std::max(0, seed));
  // Split by hashing single windows (leaks) or blocks of 20 kb / 100 kb (the default 20 kb).
  const uint64_t blocks[] = {0, 20000, 100000};
  int block_choice = options_.hash_block == 0 ? 0 : options_.hash_block == 100000 ? 2 : 1;
  same_line_if_fits(labelled(em * 9, "split by"));
  ImGui::SetNextItemWidth(em * 9);
  if (ImGui::Combo("split by", &block_choice, "window\0" "20 kb block\0" "100 kb block\0")) {
    (void)set("hash_block", static_cast<double>(blocks[block_choice]));
  }
  same_line_if_fits(button_width("Open bigWig..."));
  if (ImGui::Button("Open bigWig...")) services_.pick_file(".bw,.bigWig,.bigwig");
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("%s  %s, window %u bp = %u bins", track_name_.c_str(), has_region_ ? format_region(region_).c_str() : "",
                     options_.window, options_.window / std::max(1u, options_.bin));
  ImGui::PopStyleColor();
  message_line(message_, true);
  if (dirty_ && !dataset_) message_line("reading the track...", false);
  if (!dataset_) return;

  // Signal per bin along the region, the threshold, then labels and split per window.
  const PrepDataset& data = *dataset_;
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float table_height = line * 6.7f;
  const double start = static_cast<double>(region_.start);
  const double end = data.windows.empty() ? start + 1 : static_cast<double>(data.windows.back().end);
  PlotArea area = begin_plot("signal", ImVec2(avail.x, std::max(line * 5, avail.y - table_height - line * 2.4f)), start,
                             end, 0, plot_top_, "", arcsinh ? "arcsinh(signal), mean per bin" : "signal, mean per bin",
                             true);
  const std::vector<float> columns = column_maxima(data, start, end, static_cast<size_t>(std::max(1.0f, area.width())));
  plot_filled_steps(area, columns.data(), static_cast<int>(columns.size()), start, (end - start) / columns.size(),
                    colours::kSignal, colours::kSignalFill);
  const float threshold_y = area.py(options_.threshold);
  ImGui::GetWindowDrawList()->AddLine(ImVec2(area.min.x, threshold_y), ImVec2(area.max.x, threshold_y), colours::kPeak, 1.5f);
  end_plot(area);

  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 strips = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(avail.x, line * 2.2f));
  const float label_y = strips.y + 1;
  const float split_y = strips.y + line * 1.1f;
  draw->AddText(ImVec2(strips.x, label_y), colours::kAxisText, "label");
  draw->AddText(ImVec2(strips.x, split_y), colours::kAxisText, "split");
  for (size_t w = 0; w < data.windows.size(); ++w) {
    const int8_t label = data.labels[w];
    const ImU32 label_colour = label == kPeakLabel ? colours::kPeak : label == kBackgroundLabel ? colours::mix(colours::kNeutral, colours::kAxisText, 0.5f)
                                                                              : static_cast<ImU32>(colours::kMissing);
    plot_interval_box(area, static_cast<double>(data.windows[w].start), static_cast<double>(data.windows[w].end), label_y + 2,
                      label_y + line - 3, label_colour);
    plot_interval_box(area, static_cast<double>(data.windows[w].start), static_cast<double>(data.windows[w].end), split_y + 2,
                      split_y + line - 3, split_colour(data.split[w]));
  }

  if (ImGui::BeginTable("splits", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame)) {
    for (const char* heading : {"split", "windows", "peak", "background", "no data", "peak fraction"}) {
      ImGui::TableSetupColumn(heading);
    }
    ImGui::TableHeadersRow();
    auto row = [&](const char* name, ImU32 colour, const SplitSummary& s) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushStyleColor(ImGuiCol_Text, colour);
      ImGui::TextUnformatted(name);
      ImGui::PopStyleColor();
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.windows));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.peaks));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.background));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.missing));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(short_number(s.peak_fraction()).c_str());
    };
    row("train", colours::kTrain, data.per_split[0]);
    row("validation", colours::kValidation, data.per_split[1]);
    row("test", colours::kTest, data.per_split[2]);
    row("all", colours::kAxisText, data.total);
    ImGui::EndTable();
  }
  ImGui::TextWrapped("Neighbouring windows in different splits: %llu (each pair shares the signal at its edge)",
                     static_cast<unsigned long long>(neighbours_split_apart(data)));
}

}  // namespace

Result<std::unique_ptr<Lab>> make_tutorial1_prep_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<Tutorial1PrepLab>(params, services);
}

}  // namespace epibook::labs
