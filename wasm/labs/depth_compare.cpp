// Lab "depth-compare": one simulated experiment sequenced at two depths (1x and 0.25x,
// the same expected counts, independent noise), bin by bin over the whole genome, under
// four normalisations: none, CPM, arcsinh, CPM then arcsinh (core prep.h). For each, the
// ratio of the shallow run's mean to the deep run's, Pearson's r between the runs, and
// how many 25 bp bins reach a peak threshold at each depth (the threshold is a count on
// the deep run, carried onto each scale through the deep run's own normalisation).
// Chapter 6. No training: the whole computation takes one frame once both files are in.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "../app/plot.h"
#include "../app/table.h"
#include "../train/training_panel.h"  // same_line_if_fits
#include "epibook/bigwig.h"
#include "epibook/metrics.h"
#include "epibook/normalize.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr uint32_t kCountBin = 25;         // the simulator's bin: one count per 25 bp
constexpr uint64_t kStretchHalfBins = 120;  // 3 kb either side of the strongest deep bin
constexpr std::array<const char*, 4> kNormalizations = {"none", "cpm", "arcsinh", "cpm-arcsinh"};

struct DepthScores {
  double mean_deep = 0, mean_shallow = 0, mean_ratio = 0, pearson = 0, threshold = 0;
  uint64_t peak_bins_deep = 0, peak_bins_shallow = 0;
};

bool uses_cpm(size_t normalization) { return normalization == 1 || normalization == 3; }
bool uses_arcsinh(size_t normalization) { return normalization >= 2; }

class DepthCompareLab final : public Lab {
 public:
  explicit DepthCompareLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    files_ = {param_text(params, "deep", "assets/depth/sim/celltypeA.depth1x.bw"),
              param_text(params, "shallow", "assets/depth/sim/celltypeA.depth0.25x.bw")};
    for (const char* key : {"normalization", "threshold"}) {
      if (params.contains(key)) EPIBOOK_RETURN_IF_ERROR(set(key, params[key]));
    }
    for (const std::string& file : files_) services_.files.request_whole(file);
    return Status::ok();
  }

  void step() override {
    if (failed_ || scored_) return;
    if (bins_[0].empty() && !read(0)) return;
    if (bins_[1].empty() && !read(1)) return;
    if (bins_[0].size() != bins_[1].size()) {
      return fail(files_[1] + ": its chromosomes differ from " + files_[0] + "'s (" +
                  std::to_string(bins_[1].size()) + " bins against " + std::to_string(bins_[0].size()) + ")");
    }
    score();
  }

  bool busy() const override { return !failed_ && !scored_; }
  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "depth-compare";
    state["deep"] = files_[0];
    state["shallow"] = files_[1];
    state["normalization"] = kNormalizations[normalization_];
    state["threshold"] = threshold_count_;
    state["message"] = message_;
    state["done"] = scored_;
    if (!scored_) return state;
    state["bins"] = bins_[0].size();
    state["library_size"] = {{"deep", library_[0]}, {"shallow", library_[1]}};
    state["library_ratio"] = library_[1] / library_[0];
    state["stretch"] = format_region(stretch_);
    nlohmann::json rows;
    for (size_t n = 0; n < kNormalizations.size(); ++n) {
      const DepthScores& s = scores_[n];
      rows[kNormalizations[n]] = {{"mean_deep", s.mean_deep},           {"mean_shallow", s.mean_shallow},
                                  {"mean_ratio", s.mean_ratio},         {"pearson", s.pearson},
                                  {"threshold", s.threshold},           {"peak_bins_deep", s.peak_bins_deep},
                                  {"peak_bins_shallow", s.peak_bins_shallow}};
    }
    state["scores"] = rows;
    state["at"] = rows[kNormalizations[normalization_]];
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "normalization") {
      EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, key));
      const auto found = std::find_if(kNormalizations.begin(), kNormalizations.end(),
                                      [&](const char* n) { return name == n; });
      if (found == kNormalizations.end()) {
        return invalid_argument("normalization: \"" + name + "\" is not one of none, cpm, arcsinh, cpm-arcsinh");
      }
      normalization_ = static_cast<size_t>(found - kNormalizations.begin());
      return Status::ok();
    }
    if (key == "threshold") {
      EPIBOOK_ASSIGN_OR_RETURN(const double number, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, number, 1, 1000));
      threshold_count_ = number;
      if (!bins_[1].empty()) scored_ = false;  // rescored on the next frame
      return Status::ok();
    }
    return invalid_argument("depth-compare has no parameter \"" + key + "\" (normalization, threshold)");
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab reads its two simulated depths only (the page shows the CLI for your own tracks)";
  }

 private:
  void fail(std::string message) {
    message_ = std::move(message);
    failed_ = true;
  }

  // One file's counts per 25 bp bin, chromosome after chromosome, and its library size.
  bool read(size_t index) {
    const std::string& name = files_[index];
    if (const std::string* failure = services_.files.failure(name)) {
      fail(name + ": " + *failure);
      return false;
    }
    const std::string* bytes = services_.files.whole(name);
    if (bytes == nullptr) return false;
    auto reader = BigWigReader::open(memory_source(*bytes, name));
    if (!reader.is_ok()) return fail(reader.status().message()), false;
    auto library = bigwig_library_size(*reader, kCountBin);
    if (!library.is_ok()) return fail(library.status().message()), false;
    library_[index] = *library;
    std::vector<float> all;
    for (const BigWigChrom& chrom : reader->chroms()) {
      auto values = reader->values({chrom.name, 0, chrom.length});
      if (!values.is_ok()) return fail(values.status().message()), false;
      auto bins = bin_mean(*values, kCountBin);
      if (!bins.is_ok()) return fail(bins.status().message()), false;
      if (index == 0) chrom_of_bin_.insert(chrom_of_bin_.end(), bins->size(), chrom.name);
      all.insert(all.end(), bins->begin(), bins->end());
    }
    for (float& v : all) v = std::isnan(v) ? 0.0f : v;  // a bin without data holds no reads
    bins_[index] = std::move(all);
    return true;
  }

  std::vector<float> normalized(size_t index, size_t normalization) const {
    std::vector<float> values = bins_[index];
    if (uses_cpm(normalization)) scale_in_place(values, 1e6 / library_[index]);
    if (uses_arcsinh(normalization)) arcsinh_in_place(values);
    return values;
  }

  void score() {
    const double cpm_deep = 1e6 / library_[0];
    for (size_t n = 0; n < kNormalizations.size(); ++n) {
      const std::vector<float> deep = normalized(0, n), shallow = normalized(1, n);
      DepthScores& s = scores_[n];
      double threshold = threshold_count_ * (uses_cpm(n) ? cpm_deep : 1.0);
      if (uses_arcsinh(n)) threshold = std::asinh(threshold);
      s.threshold = threshold;
      double sum_deep = 0, sum_shallow = 0;
      s.peak_bins_deep = s.peak_bins_shallow = 0;
      for (size_t i = 0; i < deep.size(); ++i) {
        sum_deep += deep[i];
        sum_shallow += shallow[i];
        s.peak_bins_deep += deep[i] >= threshold;
        s.peak_bins_shallow += shallow[i] >= threshold;
      }
      s.mean_deep = sum_deep / static_cast<double>(deep.size());
      s.mean_shallow = sum_shallow / static_cast<double>(deep.size());
      s.mean_ratio = s.mean_shallow / s.mean_deep;
      auto r = pearson(shallow, deep);
      s.pearson = r.is_ok() ? *r : NAN;
      shown_[n][0].assign(deep.begin() + static_cast<int64_t>(stretch_first()),
                          deep.begin() + static_cast<int64_t>(stretch_first() + stretch_bins()));
      shown_[n][1].assign(shallow.begin() + static_cast<int64_t>(stretch_first()),
                          shallow.begin() + static_cast<int64_t>(stretch_first() + stretch_bins()));
    }
    scored_ = true;
  }

  // The stretch drawn: around the deep run's strongest bin, within its chromosome.
  uint64_t stretch_first() {
    if (stretch_bins_ == 0) {
      const auto top = static_cast<uint64_t>(std::max_element(bins_[0].begin(), bins_[0].end()) - bins_[0].begin());
      uint64_t first = top > kStretchHalfBins ? top - kStretchHalfBins : 0;
      uint64_t last = std::min<uint64_t>(bins_[0].size(), top + kStretchHalfBins);
      while (chrom_of_bin_[first] != chrom_of_bin_[top]) ++first;
      while (chrom_of_bin_[last - 1] != chrom_of_bin_[top]) --last;
      uint64_t chrom_start = top;
      while (chrom_start > 0 && chrom_of_bin_[chrom_start - 1] == chrom_of_bin_[top]) --chrom_start;
      stretch_first_ = first;
      stretch_bins_ = last - first;
      stretch_ = {chrom_of_bin_[top], (first - chrom_start) * kCountBin, (last - chrom_start) * kCountBin};
    }
    return stretch_first_;
  }
  uint64_t stretch_bins() const { return stretch_bins_; }

  LabServices& services_;
  std::array<std::string, 2> files_;
  std::array<std::vector<float>, 2> bins_;  // deep, shallow: counts per 25 bp bin, genome-wide
  std::vector<std::string> chrom_of_bin_;
  std::array<double, 2> library_ = {0, 0};
  std::array<DepthScores, kNormalizations.size()> scores_{};
  std::array<std::array<std::vector<float>, 2>, kNormalizations.size()> shown_;  // the stretch, per normalisation
  size_t normalization_ = 0;
  double threshold_count_ = 20;
  uint64_t stretch_first_ = 0, stretch_bins_ = 0;
  Region stretch_;
  bool scored_ = false;
  bool failed_ = false;
  std::string message_;
};

void DepthCompareLab::draw() {
  const float em = ImGui::GetFontSize();
  for (size_t n = 0; n < kNormalizations.size(); ++n) {
    if (n > 0) same_line_if_fits(ImGui::CalcTextSize(kNormalizations[n]).x + em * 2);
    if (ImGui::RadioButton(kNormalizations[n], normalization_ == n)) normalization_ = n;
  }
  float threshold = static_cast<float>(threshold_count_);
  ImGui::SetNextItemWidth(em * 10);
  if (ImGui::SliderFloat("##threshold", &threshold, 5, 60, "%.0f")) (void)set("threshold", std::round(threshold));
  // The label wraps under the slider on a phone.
  const char* label = "peak threshold, reads per bin at 1x";
  same_line_if_fits(ImGui::CalcTextSize(label).x);
  ImGui::TextUnformatted(label);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("simulated: one experiment at 1x and 0.25x, counts per 25 bp bin, 2 Mb");
  ImGui::PopStyleColor();
  message_line(message_, true);
  if (!scored_) {
    if (!failed_) message_line("reading the two depths...", false);
    return;
  }
  const DepthScores& at = scores_[normalization_];
  if (begin_wrapped_table("scores", {"normalisation", "mean 0.25x / 1x", "r(1x, 0.25x)", "peak bins 1x", "peak bins 0.25x"})) {
    for (size_t n = 0; n < kNormalizations.size(); ++n) {
      const DepthScores& s = scores_[n];
      ImGui::TableNextRow();
      if (n == normalization_) ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, colours::with_alpha(colours::kSignal, 40));
      wrapped_cell(kNormalizations[n]);
      text_cell(short_number(s.mean_ratio));
      text_cell(short_number(s.pearson));
      text_cell(std::to_string(s.peak_bins_deep));
      text_cell(std::to_string(s.peak_bins_shallow));
    }
    ImGui::EndTable();
  }
  // The stretch under the chosen normalisation: both depths and the threshold.
  const auto& shown = shown_[normalization_];
  double top = at.threshold * 1.1;
  for (const auto& series : shown) {
    for (float v : series) top = std::max(top, static_cast<double>(v) * 1.05);
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float height = std::max(em * 8, avail.y - ImGui::GetTextLineHeightWithSpacing() * 2);
  const double x0 = static_cast<double>(stretch_.start);
  PlotArea area = begin_plot("stretch", ImVec2(avail.x, height), x0, static_cast<double>(stretch_.end), 0, top,
                             "", std::string(kNormalizations[normalization_]) + " per 25 bp bin", true);
  plot_filled_steps(area, shown[0].data(), static_cast<int>(shown[0].size()), x0, kCountBin, colours::kSignal,
                    colours::kSignalFill);
  plot_filled_steps(area, shown[1].data(), static_cast<int>(shown[1].size()), x0, kCountBin, colours::kOther, 0);
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  draw_list->AddLine(ImVec2(area.min.x, area.py(at.threshold)), ImVec2(area.max.x, area.py(at.threshold)),
                     colours::kTruth, 1.5f);
  end_plot(area);
  char legend[160];
  std::snprintf(legend, sizeof legend, "1x (filled), 0.25x (line), threshold %s; %s", short_number(at.threshold).c_str(),
                format_region(stretch_).c_str());
  ImGui::TextWrapped("%s", legend);
}

}  // namespace

Result<std::unique_ptr<Lab>> make_depth_compare_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<DepthCompareLab>(params, services);
}

}  // namespace epibook::labs
