// Lab "class-imbalance": windows labelled peak / background by a peak file, and the
// remedies for their imbalance (over-sampling, under-sampling, class-balanced draws,
// class weights) with the effective class balance each gives, from sampler.h, the
// same seeded sampler the native loader uses.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "../app/plot.h"
#include "../train/training_panel.h"
#include "epibook/bed.h"
#include "epibook/peaks.h"
#include "epibook/sampler.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr SamplingScheme kSchemes[] = {SamplingScheme::kRandom, SamplingScheme::kOverSample,
                                       SamplingScheme::kUnderSample, SamplingScheme::kClassBalanced};
constexpr ClassWeighting kWeightings[] = {ClassWeighting::kNone, ClassWeighting::kInverseFrequency,
                                          ClassWeighting::kPosWeight};

// One row of the comparison table: a scheme and a weighting, and what they give.
struct Remedy {
  SamplingScheme scheme;
  ClassWeighting weighting;
  double epoch_size = 0;
  double positive_sample_share = 0;
  double positive_weighted_share = 0;
};

class ClassImbalanceLab final : public Lab {
 public:
  explicit ClassImbalanceLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    for (const char* key : {"method", "weighting", "ratio", "seed", "window"}) {
      if (params.contains(key)) EPIBOOK_RETURN_IF_ERROR(set(key, params[key]));
    }
    genome_name_ = param_text(params, "genome", "");
    if (!genome_name_.empty()) services_.files.request_whole(genome_name_);
    const std::string labels = param_text(params, "labels", param_text(params, "peaks", ""));
    if (!labels.empty()) open_file(labels);
    return Status::ok();
  }

  void step() override {
    if (!genome_name_.empty() && !genome_loaded_) {
      if (services_.files.failure(genome_name_)) {
        message_ = genome_name_ + ": " + *services_.files.failure(genome_name_);
        genome_loaded_ = true;
      } else if (const std::string* bytes = services_.files.whole(genome_name_)) {
        read_genome(*bytes);
        genome_loaded_ = true;
        windows_dirty_ = true;
      }
      return;
    }
    if (!pending_.empty()) {
      if (const std::string* failed = services_.files.failure(pending_)) {
        message_ = pending_ + ": " + *failed;
        pending_.clear();
      } else if (const std::string* bytes = services_.files.whole(pending_)) {
        auto records = parse_bed(*bytes, pending_);
        if (!records.is_ok()) {
          message_ = records.status().message();
        } else if (records->empty()) {
          message_ = pending_ + ": no peak in the file";
        } else {
          peaks_ = std::move(records).value();
          labels_name_ = pending_;
          message_.clear();
          windows_dirty_ = true;
        }
        pending_.clear();
      }
      return;
    }
    if (windows_dirty_) {
      label_windows();
      windows_dirty_ = false;
      sampling_dirty_ = true;
    }
    if (sampling_dirty_) {
      sample();
      sampling_dirty_ = false;
    }
  }

  bool busy() const override {
    return (!genome_name_.empty() && !genome_loaded_) || !pending_.empty() || windows_dirty_ || sampling_dirty_;
  }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "class-imbalance";
    state["labels"] = labels_name_;
    state["window"] = window_;
    state["method"] = sampling_scheme_name(options_.scheme);
    state["weighting"] = class_weighting_name(options_.class_weighting);
    state["ratio"] = options_.target_ratio;
    state["seed"] = options_.seed;
    state["message"] = message_;
    state["windows"] = labels_.size();
    state["peaks"] = positives_;
    state["background"] = labels_.size() - positives_;
    state["positive_share_data"] = labels_.empty() ? 0.0 : double(positives_) / labels_.size();
    state["epoch_size"] = balance_.samples_per_epoch;
    state["positive_sample_share"] = balance_.positive_sample_share();
    state["positive_weighted_share"] = balance_.positive_share();
    state["observed_positive_share"] = observed_.positive_share();
    state["class_weights"] = weights_;
    nlohmann::json remedies = nlohmann::json::array();
    for (const Remedy& remedy : remedies_) {
      remedies.push_back({{"method", sampling_scheme_name(remedy.scheme)},
                          {"weighting", class_weighting_name(remedy.weighting)},
                          {"epoch_size", remedy.epoch_size},
                          {"positive_sample_share", remedy.positive_sample_share},
                          {"positive_weighted_share", remedy.positive_weighted_share}});
    }
    state["remedies"] = remedies;
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    SamplerOptions next = options_;
    if (key == "method") {
      EPIBOOK_ASSIGN_OR_RETURN(std::string text, json_text(value, key));
      EPIBOOK_ASSIGN_OR_RETURN(next.scheme, parse_sampling_scheme(text));
    } else if (key == "weighting") {
      EPIBOOK_ASSIGN_OR_RETURN(std::string text, json_text(value, key));
      EPIBOOK_ASSIGN_OR_RETURN(next.class_weighting, parse_class_weighting(text));
    } else if (key == "ratio") {
      EPIBOOK_ASSIGN_OR_RETURN(next.target_ratio, json_number(value, key));
    } else if (key == "seed") {
      EPIBOOK_ASSIGN_OR_RETURN(double seed, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, seed, 0, 1e15));
      next.seed = static_cast<uint64_t>(seed);
    } else if (key == "window") {
      EPIBOOK_ASSIGN_OR_RETURN(double window, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, window, 10, 1e6));
      window_ = static_cast<uint32_t>(window);
      windows_dirty_ = true;
      return Status::ok();
    } else {
      return invalid_argument("class-imbalance has no parameter \"" + key +
                              "\" (method, weighting, ratio, seed, window)");
    }
    EPIBOOK_RETURN_IF_ERROR(validate_sampler_options(next));
    options_ = next;
    sampling_dirty_ = true;
    return Status::ok();
  }

  void open_file(const std::string& name) override {
    pending_ = name;
    services_.files.request_whole(name);
  }

 private:
  // Chromosome lengths from a .fai or chrom sizes file (name, length first).
  void read_genome(const std::string& text) {
    size_t at = 0;
    while (at < text.size()) {
      size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      const std::string line = text.substr(at, end - at);
      const size_t tab = line.find('\t');
      if (tab != std::string::npos) {
        chrom_lengths_[line.substr(0, tab)] = std::strtoull(line.c_str() + tab + 1, nullptr, 10);
      }
      at = end + 1;
    }
  }

  // Windows tiling each chromosome (to its length, or to its last peak without a
  // genome file); a window is a peak window when it overlaps any peak.
  void label_windows() {
    std::map<std::string, uint64_t> lengths = chrom_lengths_;
    if (lengths.empty()) {
      for (const BedRecord& peak : peaks_) lengths[peak.region.chrom] = std::max(lengths[peak.region.chrom], peak.region.end);
    }
    std::vector<Region> windows;
    for (const auto& [chrom, length] : lengths) {
      for (uint64_t start = 0; start + window_ <= length; start += window_) windows.push_back({chrom, start, start + window_});
    }
    std::map<std::string, std::vector<Region>> peaks_by_chrom;
    for (const BedRecord& peak : peaks_) peaks_by_chrom[peak.region.chrom].push_back(peak.region);
    labels_.assign(windows.size(), 0);
    positives_ = 0;
    for (size_t i = 0; i < windows.size(); ++i) {
      const auto& chrom_peaks = peaks_by_chrom[windows[i].chrom];
      const Region one[] = {windows[i]};
      labels_[i] = count_overlapping(one, chrom_peaks) > 0 ? 1 : 0;
      positives_ += static_cast<uint64_t>(labels_[i]);
    }
  }

  void sample() {
    balance_ = ClassBalance{};
    observed_ = ClassBalance{};
    remedies_.clear();
    weights_.clear();
    epoch_.clear();
    if (labels_.empty()) return;
    SamplerInput input;
    input.labels = labels_;
    auto balance = effective_class_balance(input, options_);
    if (!balance.is_ok()) {
      message_ = balance.status().message();
      return;
    }
    balance_ = std::move(balance).value();
    auto epoch = sample_epoch(input, options_, 0);
    if (!epoch.is_ok()) {
      message_ = epoch.status().message();
      return;
    }
    epoch_ = std::move(epoch).value();
    auto observed = observed_class_balance(labels_, epoch_, options_.class_weighting);
    if (observed.is_ok()) observed_ = std::move(observed).value();
    auto weights = class_weights(labels_, options_.class_weighting);
    if (weights.is_ok()) weights_ = std::move(weights).value();
    for (SamplingScheme scheme : kSchemes) {
      for (ClassWeighting weighting : kWeightings) {
        if (scheme != SamplingScheme::kRandom && weighting != ClassWeighting::kNone) continue;
        SamplerOptions options = options_;
        options.scheme = scheme;
        options.class_weighting = weighting;
        auto effect = effective_class_balance(input, options);
        if (!effect.is_ok()) continue;
        remedies_.push_back({scheme, weighting, effect->samples_per_epoch, effect->positive_sample_share(),
                             effect->positive_share()});
      }
    }
  }

  void draw_bar(const char* label, double positive_share, ImU32 colour);

  LabServices& services_;
  SamplerOptions options_;
  uint32_t window_ = 1000;
  std::string genome_name_;
  bool genome_loaded_ = false;
  std::map<std::string, uint64_t> chrom_lengths_;
  std::string pending_;
  std::string labels_name_;
  std::vector<BedRecord> peaks_;
  std::vector<int32_t> labels_;
  uint64_t positives_ = 0;
  bool windows_dirty_ = false;
  bool sampling_dirty_ = false;
  ClassBalance balance_;
  ClassBalance observed_;
  std::vector<double> weights_;
  std::vector<uint64_t> epoch_;
  std::vector<Remedy> remedies_;
  std::string message_;
};

// A horizontal bar split into the peak share (red) and the background share (grey).
void ClassImbalanceLab::draw_bar(const char* label, double positive_share, ImU32 colour) {
  const float em = ImGui::GetFontSize();
  ImGui::TextUnformatted(label);
  ImGui::SameLine(em * (narrow_layout() ? 9.5f : 13.0f));
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(em * 3, ImGui::GetContentRegionAvail().x - em * 7);
  const float height = ImGui::GetTextLineHeight();
  ImGui::Dummy(ImVec2(width, height));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float split = origin.x + static_cast<float>(std::clamp(positive_share, 0.0, 1.0)) * width;
  draw->AddRectFilled(origin, ImVec2(split, origin.y + height), colour);
  draw->AddRectFilled(ImVec2(split, origin.y), ImVec2(origin.x + width, origin.y + height), colours::kNeutral);
  draw->AddLine(ImVec2(origin.x + width / 2, origin.y - 2), ImVec2(origin.x + width / 2, origin.y + height + 2),
                colours::kAxisText);
  ImGui::SameLine();
  ImGui::Text("%.1f%% peak", 100 * positive_share);
}

void ClassImbalanceLab::draw() {
  const float em = ImGui::GetFontSize();
  int scheme = 0;
  const char* scheme_names[] = {"random", "balanced", "weighted", "oversample", "undersample"};
  for (int i = 0; i < 5; ++i) {
    if (sampling_scheme_name(options_.scheme) == std::string(scheme_names[i])) scheme = i;
  }
  // A control with its label: its width, to decide whether it still fits on the line.
  const auto labelled = [](float item, const char* label) {
    return item + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(label, nullptr, true).x;
  };
  ImGui::SetNextItemWidth(em * 9);
  if (ImGui::Combo("sampling", &scheme, scheme_names, 5)) (void)set("method", scheme_names[scheme]);
  int weighting = static_cast<int>(options_.class_weighting);
  const char* weighting_names[] = {"none", "inverse-frequency", "pos-weight"};
  same_line_if_fits(labelled(em * 11, "class weights"));
  ImGui::SetNextItemWidth(em * 11);
  if (ImGui::Combo("class weights", &weighting, weighting_names, 3)) (void)set("weighting", weighting_names[weighting]);
  float ratio = static_cast<float>(options_.target_ratio);
  same_line_if_fits(labelled(em * 8, "ratio"));
  ImGui::SetNextItemWidth(em * 8);
  if (ImGui::SliderFloat("ratio", &ratio, 0.05f, 1.0f, "%.2f")) (void)set("ratio", ratio);
  same_line_if_fits(button_width("Open peaks..."));
  if (ImGui::Button("Open peaks...")) services_.pick_file(".bed,.narrowPeak,.bed.gz");
  message_line(message_, true);
  if (labels_.empty()) {
    if (busy()) message_line("reading...", false);
    return;
  }
  ImGui::TextWrapped("%s: %zu windows of %u bp, %llu overlap a peak (%.1f%%)", labels_name_.c_str(), labels_.size(), window_,
                     static_cast<unsigned long long>(positives_), 100.0 * positives_ / labels_.size());
  ImGui::Spacing();
  draw_bar("in the data", double(positives_) / labels_.size(), colours::kPeak);
  draw_bar("drawn per epoch", balance_.positive_sample_share(), colours::kAccent);
  draw_bar("share of the loss", balance_.positive_share(), colours::kOther);
  draw_bar("drawn, epoch 0", observed_.positive_sample_share(), colours::mix(colours::kPlotBackground, colours::kAccent, 0.6f));
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyle().Colors[ImGuiCol_TextDisabled]);
  ImGui::TextWrapped("epoch of %s draws; class weights: background %.2f, peak %.2f",
                     with_thousands(static_cast<uint64_t>(balance_.samples_per_epoch)).c_str(),
                     weights_.size() > 0 ? weights_[0] : 1.0, weights_.size() > 1 ? weights_[1] : 1.0);
  ImGui::PopStyleColor();

  // The first draws of the epoch, one cell each: how often a peak comes up.
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = ImGui::GetContentRegionAvail().x;
  const float cell = std::max(3.0f, em * 0.55f);
  const size_t per_row = static_cast<size_t>(width / cell);
  const size_t shown = std::min<size_t>(epoch_.size(), per_row * 3);
  ImGui::Dummy(ImVec2(width, cell * 3 + 4));
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (size_t i = 0; i < shown; ++i) {
    const float x = origin.x + static_cast<float>(i % per_row) * cell;
    const float y = origin.y + static_cast<float>(i / per_row) * cell;
    const bool peak = labels_[epoch_[i]] == 1;
    draw->AddRectFilled(ImVec2(x, y), ImVec2(x + cell - 1, y + cell - 1), peak ? colours::kPeak : colours::kNeutralSoft);
  }

  if (ImGui::BeginTable("remedies", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchSame)) {
    for (const char* heading : {"remedy", "epoch size", "peak share of draws", "peak share of loss"}) ImGui::TableSetupColumn(heading);
    ImGui::TableHeadersRow();
    for (const Remedy& remedy : remedies_) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      const bool current = remedy.scheme == options_.scheme && remedy.weighting == options_.class_weighting;
      ImGui::Text("%s%s%s", sampling_scheme_name(remedy.scheme),
                  remedy.weighting == ClassWeighting::kNone ? "" : " + ", remedy.weighting == ClassWeighting::kNone ? "" : class_weighting_name(remedy.weighting));
      if (current) {
        ImGui::SameLine();
        ImGui::TextDisabled("(shown)");
      }
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(with_thousands(static_cast<uint64_t>(std::llround(remedy.epoch_size))).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%.1f%%", 100 * remedy.positive_sample_share);
      ImGui::TableNextColumn();
      ImGui::Text("%.1f%%", 100 * remedy.positive_weighted_share);
    }
    ImGui::EndTable();
  }
}

}  // namespace

Result<std::unique_ptr<Lab>> make_class_imbalance_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<ClassImbalanceLab>(params, services);
}

}  // namespace epibook::labs
