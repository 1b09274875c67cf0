// Lab "bin-averaging": what averaging a per-base track over larger bins does to the
// scores read from it (chapter 3). Two simulated replicates and the expected counts they
// sample (the truth), per base over one region; for every bin from 1 to 128 bp, Pearson's
// r between the replicates, between the truth and a replicate, and how much of the
// truth's own shape its bin means keep (core resolution.h, as `epibook bw correlate`).
// The work is cut into one file or one bin size per frame.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

#include "../app/plot.h"
#include "../train/training_panel.h"  // same_line_if_fits
#include "epibook/bigwig.h"
#include "epibook/prep.h"
#include "epibook/resolution.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr std::array<uint32_t, 8> kBins = {1, 2, 4, 8, 16, 32, 64, 128};
constexpr uint64_t kStretchHalf = 1'500;  // bp either side of the strongest summit

struct Scores {
  double replicates = 0, truth = 0, shape = 0;
};

class BinAveragingLab final : public Lab {
 public:
  explicit BinAveragingLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    files_ = {param_text(params, "replicate1", "assets/output-bins/sim/celltypeA.rep1.bw"),
              param_text(params, "replicate2", "assets/output-bins/sim/celltypeA.rep2.bw"),
              param_text(params, "truth", "assets/output-bins/sim/celltypeA.expected.bw")};
    if (params.contains("bin")) EPIBOOK_RETURN_IF_ERROR(set("bin", params["bin"]));
    if (params.contains("region")) EPIBOOK_RETURN_IF_ERROR(set("region", params["region"]));
    for (const std::string& file : files_) services_.files.request_whole(file);
    return Status::ok();
  }

  void step() override {
    if (failed_ || done_ == kBins.size()) return;
    if (values_[2].empty()) {
      read_next_file();
      return;
    }
    // One bin size per frame: r of the replicates, of truth and replicate 1, and the
    // shape the truth keeps at that bin.
    const std::array<uint32_t, 1> bin = {kBins[done_]};
    auto replicates = pearson_by_bin(values_[0], values_[1], bin);
    auto truth = pearson_by_bin(values_[2], values_[0], bin);
    auto shape = shape_kept_by_bin(values_[2], bin);
    for (const Status& status : {replicates.status(), truth.status(), shape.status()}) {
      if (!status.is_ok()) return fail(status.message());
    }
    scores_[done_] = {replicates->front().pearson, truth->front().pearson, shape->front().pearson};
    ++done_;
  }

  bool busy() const override { return !failed_ && done_ < kBins.size(); }
  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "bin-averaging";
    state["replicate1"] = files_[0];
    state["replicate2"] = files_[1];
    state["truth"] = files_[2];
    state["region"] = has_region_ ? format_region(region_) : "";
    state["bin"] = bin_;
    state["message"] = message_;
    state["bins"] = kBins;
    nlohmann::json replicates = nlohmann::json::array(), truth = nlohmann::json::array(), shape = nlohmann::json::array();
    for (size_t i = 0; i < done_; ++i) {
      replicates.push_back(scores_[i].replicates);
      truth.push_back(scores_[i].truth);
      shape.push_back(scores_[i].shape);
    }
    state["replicate_pearson"] = replicates;  // per bin of `bins`
    state["truth_pearson"] = truth;
    state["shape_kept"] = shape;
    state["done"] = done_ == kBins.size();
    if (const auto at = scores_at_bin()) {
      state["at_bin"] = {{"replicate_pearson", at->replicates}, {"truth_pearson", at->truth}, {"shape_kept", at->shape}};
    }
    if (!values_[2].empty()) state["bases"] = values_[2].size();
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "bin") {
      EPIBOOK_ASSIGN_OR_RETURN(const double number, json_number(value, key));
      const auto bin = static_cast<uint32_t>(std::lround(number));
      if (std::find(kBins.begin(), kBins.end(), bin) == kBins.end()) {
        return invalid_argument("bin: " + value.dump() + " is not one of 1, 2, 4, 8, 16, 32, 64, 128");
      }
      bin_ = bin;
      return Status::ok();
    }
    if (key == "region") {
      EPIBOOK_ASSIGN_OR_RETURN(const std::string text, json_text(value, key));
      EPIBOOK_ASSIGN_OR_RETURN(const Region region, parse_region(text));
      if (region.length() < 3 * 128) return invalid_argument("region: " + text + " is shorter than three 128 bp bins");
      region_ = region;
      has_region_ = true;
      restart();
      return Status::ok();
    }
    return invalid_argument("bin-averaging has no parameter \"" + key + "\" (bin, region)");
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab reads its three simulated tracks only (use `epibook bw correlate` on your own)";
  }

 private:
  void fail(std::string message) {
    message_ = std::move(message);
    failed_ = true;
  }

  void restart() {
    for (auto& v : values_) v.clear();
    done_ = 0;
    failed_ = false;
    message_.clear();
  }

  void read_next_file() {
    const size_t index = values_[0].empty() ? 0 : values_[1].empty() ? 1 : 2;
    const std::string& name = files_[index];
    if (const std::string* failure = services_.files.failure(name)) return fail(name + ": " + *failure);
    const std::string* bytes = services_.files.whole(name);
    if (bytes == nullptr) return;
    auto reader = BigWigReader::open(memory_source(*bytes, name));
    if (!reader.is_ok()) return fail(reader.status().message());
    if (!has_region_) {
      if (reader->chroms().empty()) return fail(name + ": the bigWig has no chromosome");
      region_ = {reader->chroms().front().name, 0, reader->chroms().front().length};
      has_region_ = true;
    }
    auto values = reader->values(region_);
    if (!values.is_ok()) return fail(values.status().message());
    values_[index] = std::move(values).value();
    if (index == 2) find_stretch();
  }

  // The stretch drawn: around the highest expected count of the region.
  void find_stretch() {
    const auto top = std::max_element(values_[2].begin(), values_[2].end());
    const uint64_t summit = static_cast<uint64_t>(top - values_[2].begin());
    stretch_from_ = summit > kStretchHalf ? summit - kStretchHalf : 0;
    stretch_to_ = std::min<uint64_t>(values_[2].size(), summit + kStretchHalf);
    stretch_top_ = 1.0;
    for (uint64_t p = stretch_from_; p < stretch_to_; ++p) {
      stretch_top_ = std::max(stretch_top_, static_cast<double>(values_[0][p]) * 1.05);
    }
  }

  std::optional<Scores> scores_at_bin() const {
    for (size_t i = 0; i < done_; ++i) {
      if (kBins[i] == bin_) return scores_[i];
    }
    return std::nullopt;
  }

  LabServices& services_;
  std::array<std::string, 3> files_;
  std::array<std::vector<float>, 3> values_;  // replicate 1, replicate 2, truth: per base
  std::array<Scores, kBins.size()> scores_{};
  size_t done_ = 0;
  uint32_t bin_ = 1;
  Region region_;
  bool has_region_ = false;
  bool failed_ = false;
  std::string message_;
  uint64_t stretch_from_ = 0, stretch_to_ = 0;
  double stretch_top_ = 1;
};

// Coloured names in a row that wraps on a narrow lab.
void legend(std::initializer_list<std::pair<const char*, ImU32>> items) {
  bool first = true;
  for (const auto& [name, colour] : items) {
    if (!first) same_line_if_fits(ImGui::CalcTextSize(name).x + ImGui::GetFontSize());
    first = false;
    ImGui::TextColored(ImColor(colour), "%s", name);
  }
}

// The b-bp means of values[from, to), bins aligned to the region's start.
std::vector<float> stretch_means(const std::vector<float>& values, uint64_t from, uint64_t to, uint32_t bin) {
  const uint64_t first = from / bin * bin;
  const uint64_t last = std::min<uint64_t>(values.size(), (to + bin - 1) / bin * bin);
  auto means = bin_mean(std::span<const float>(values.data() + first, last - first), bin);
  return means.is_ok() ? *means : std::vector<float>();
}

void BinAveragingLab::draw() {
  const float em = ImGui::GetFontSize();
  int choice = static_cast<int>(std::find(kBins.begin(), kBins.end(), bin_) - kBins.begin());
  ImGui::SetNextItemWidth(em * 12);
  if (ImGui::SliderInt("output bin", &choice, 0, static_cast<int>(kBins.size()) - 1, "")) {
    (void)set("bin", kBins[static_cast<size_t>(choice)]);
  }
  ImGui::SameLine();
  ImGui::Text("%u bp", bin_);
  // The provenance wraps under the slider on a phone.
  const std::string provenance = "simulated: two replicates and their expected counts, " +
                                 (has_region_ ? format_region(region_) : std::string());
  same_line_if_fits(ImGui::CalcTextSize(provenance.c_str()).x);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", provenance.c_str());
  ImGui::PopStyleColor();
  message_line(message_, true);
  if (values_[2].empty()) {
    if (!failed_) message_line("reading the tracks...", false);
    return;
  }
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float line = ImGui::GetTextLineHeightWithSpacing();
  const float plot_height = std::max(line * 5, (avail.y - line * 5) / 2);

  // The stretch: replicate 1 and the truth at the chosen bin, over the truth per base.
  const double x0 = static_cast<double>(region_.start + stretch_from_ / bin_ * bin_);
  PlotArea area = begin_plot("stretch", ImVec2(avail.x, plot_height), static_cast<double>(region_.start + stretch_from_),
                             static_cast<double>(region_.start + stretch_to_), 0, stretch_top_, "",
                             "counts per base, mean per bin", true);
  const std::vector<float> rep = stretch_means(values_[0], stretch_from_, stretch_to_, bin_);
  const std::vector<float> truth = stretch_means(values_[2], stretch_from_, stretch_to_, bin_);
  plot_filled_steps(area, rep.data(), static_cast<int>(rep.size()), x0, bin_, colours::kSignal, colours::kSignalFill);
  plot_filled_steps(area, truth.data(), static_cast<int>(truth.size()), x0, bin_, colours::kTruth, 0);
  end_plot(area);
  legend({{"replicate 1", colours::kSignal}, {"truth (expected counts)", colours::kTruth}});
  if (const auto at = scores_at_bin()) {
    ImGui::TextWrapped("at %u bp: r(rep 1, rep 2) = %s, r(truth, rep 1) = %s, shape kept %s", bin_,
                       short_number(at->replicates).c_str(), short_number(at->truth).c_str(),
                       short_number(at->shape).c_str());
  }

  // r against log2 of the bin, one line per score, the chosen bin marked.
  PlotArea curves = begin_plot("curves", ImVec2(avail.x, plot_height), -0.3, 7.3, 0, 1.02,
                               "output bin: 1, 2, 4, 8, 16, 32, 64, 128 bp", "Pearson r");
  ImDrawList* draw_list = ImGui::GetWindowDrawList();
  const ImU32 line_colours[3] = {colours::kSignal, colours::kTruth, colours::kOther};
  for (int series = 0; series < 3; ++series) {
    for (size_t i = 0; i < done_; ++i) {
      const Scores& s = scores_[i];
      const double r = series == 0 ? s.replicates : series == 1 ? s.truth : s.shape;
      const ImVec2 at(curves.px(static_cast<double>(i)), curves.py(r));
      draw_list->AddCircleFilled(at, 3.5f, line_colours[series]);
      if (i > 0) {
        const Scores& p = scores_[i - 1];
        const double before = series == 0 ? p.replicates : series == 1 ? p.truth : p.shape;
        draw_list->AddLine(ImVec2(curves.px(static_cast<double>(i - 1)), curves.py(before)), at, line_colours[series], 2);
      }
    }
  }
  const float marker = curves.px(static_cast<double>(choice));
  draw_list->AddLine(ImVec2(marker, curves.min.y), ImVec2(marker, curves.max.y), colours::kFrame, 1);
  end_plot(curves);
  legend({{"replicate vs replicate", colours::kSignal}, {"truth vs replicate", colours::kTruth},
          {"shape of the truth kept", colours::kOther}});
}

}  // namespace

Result<std::unique_ptr<Lab>> make_bin_averaging_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<BinAveragingLab>(params, services);
}

}  // namespace epibook::labs
