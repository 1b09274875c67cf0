// Lab "gc-shortcut" (chapter 5): how the choice of negatives decides whether GC content
// alone separates peaks from background. The lab chooses windows with the core's
// choose_regions (the code of `epibook regions`) on a simulated genome in which open
// chromatin follows GC: peak windows and negatives drawn at random (one GC bin) or
// matched to the peaks' GC histogram (many bins). It shows both GC histograms and scores
// the model that reads nothing but GC (score = GC fraction; any monotone function of GC,
// a logistic fit included, ranks windows the same and has the same AUROC) against the
// chosen negatives and against every tile of the genome.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../app/plot.h"
#include "../app/table.h"
#include "../train/dataset_build.h"
#include "../train/training_panel.h"
#include "epibook/bed.h"
#include "epibook/fasta.h"
#include "epibook/metrics.h"
#include "epibook/regions.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

const char* const kGenome = "assets/regions/sim/genome.fa";
const char* const kPeaks = "assets/regions/sim/celltypeA.narrowPeak";
constexpr uint32_t kWidth = 200;
// The histograms: GC from 0.25 to 0.75 in bins of 0.025 (a 200 bp window's GC moves in
// steps of 0.005, so each bin holds five of them).
constexpr double kGcLow = 0.25;
constexpr double kGcHigh = 0.75;
constexpr int kGcBars = 20;

// What the GC-only model does against one set of windows.
struct GcScore {
  uint64_t positives = 0;
  uint64_t negatives = 0;
  double mean_gc_positive = NAN;
  double mean_gc_negative = NAN;
  double auroc = NAN;
  std::vector<float> positive_share, negative_share;  // per histogram bar, each summing to 1
};

GcScore score_gc(std::span<const ChosenWindow> windows) {
  GcScore s;
  std::vector<float> gc, labels;
  s.positive_share.assign(kGcBars, 0.0f);
  s.negative_share.assign(kGcBars, 0.0f);
  double sum_positive = 0, sum_negative = 0;
  for (const ChosenWindow& w : windows) {
    if (std::isnan(w.gc)) continue;
    gc.push_back(static_cast<float>(w.gc));
    labels.push_back(static_cast<float>(w.label));
    const int bar = std::clamp(static_cast<int>(std::floor((w.gc - kGcLow) / (kGcHigh - kGcLow) * kGcBars)), 0, kGcBars - 1);
    if (w.label == 1) {
      ++s.positives, sum_positive += w.gc, s.positive_share[bar] += 1;
    } else {
      ++s.negatives, sum_negative += w.gc, s.negative_share[bar] += 1;
    }
  }
  for (int b = 0; b < kGcBars; ++b) {
    if (s.positives) s.positive_share[b] /= static_cast<float>(s.positives);
    if (s.negatives) s.negative_share[b] /= static_cast<float>(s.negatives);
  }
  if (s.positives) s.mean_gc_positive = sum_positive / static_cast<double>(s.positives);
  if (s.negatives) s.mean_gc_negative = sum_negative / static_cast<double>(s.negatives);
  const Result<double> area = auroc(gc, labels);
  if (area.is_ok()) s.auroc = *area;
  return s;
}

nlohmann::json number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

class GcShortcutLab final : public Lab {
 public:
  explicit GcShortcutLab(LabServices& services) : services_(services) {}

  Status configure(const nlohmann::json& params) {
    for (const char* key : {"gc_bins", "negatives"}) {
      if (params.contains(key)) EPIBOOK_RETURN_IF_ERROR(set(key, params[key]));
    }
    services_.files.request_whole(kGenome);
    services_.files.request_whole(kPeaks);
    return Status::ok();
  }

  void step() override {
    if (failed_ || (chosen_ && tiles_)) return;
    auto loaded = load_genome_and_bed(services_.files, kGenome, kPeaks, files_);
    if (!loaded.is_ok()) return fail(loaded.status().message());
    if (!*loaded) return;
    // One piece of work per frame: the tiling once, then the chosen windows.
    if (!tiles_) return score_tiles();
    choose();
  }

  bool busy() const override { return !failed_ && (!chosen_ || !tiles_); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "gc-shortcut";
    state["gc_bins"] = gc_bins_;
    state["negatives"] = negatives_;
    state["width"] = kWidth;
    state["message"] = message_;
    auto score_json = [](const GcScore& s) {
      return nlohmann::json{{"positives", s.positives},
                            {"negatives", s.negatives},
                            {"mean_gc_positive", number(s.mean_gc_positive)},
                            {"mean_gc_negative", number(s.mean_gc_negative)},
                            {"gc_auroc", number(s.auroc)},
                            {"positive_share", s.positive_share},
                            {"negative_share", s.negative_share}};
    };
    state["chosen"] = chosen_ ? score_json(*chosen_) : nlohmann::json(nullptr);
    if (chosen_) {
      state["chosen"]["gc_ks"] = summary_.positive_negative_gc_ks;
      state["chosen"]["borrowed"] = summary_.gc_borrowed;
      state["chosen"]["shortfall"] = summary_.gc_shortfall;
    }
    state["tiling"] = tiles_ ? score_json(*tiles_) : nlohmann::json(nullptr);
    std::vector<double> edges;
    for (int b = 0; b <= kGcBars; ++b) edges.push_back(kGcLow + (kGcHigh - kGcLow) * b / kGcBars);
    state["histogram_edges"] = edges;
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "gc_bins") {
      EPIBOOK_ASSIGN_OR_RETURN(const double bins, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, bins, 1, 100));
      gc_bins_ = static_cast<uint32_t>(std::lround(bins));
    } else if (key == "negatives") {
      EPIBOOK_ASSIGN_OR_RETURN(const double ratio, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, ratio, 1, 10));
      negatives_ = static_cast<uint32_t>(std::lround(ratio));
    } else {
      return invalid_argument("gc-shortcut has no parameter \"" + key + "\" (gc_bins, negatives)");
    }
    chosen_.reset();
    return Status::ok();
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab reads its simulated genome only (the page shows `epibook regions` for your own files)";
  }

 private:
  void fail(std::string message) {
    failed_ = true;
    message_ = std::move(message);
  }

  RegionOptions options() const {
    RegionOptions o;
    o.width = kWidth;
    o.negatives_per_positive = negatives_;
    o.gc_bins = gc_bins_;
    o.seed = 1;
    return o;
  }

  void score_tiles() {
    RegionOptions o = options();
    o.mode = RegionMode::kTiling;
    auto set = choose_regions(files_->genome, files_->records, {}, o);
    if (!set.is_ok()) return fail(set.status().message());
    tiles_ = score_gc(set->windows);
  }

  void choose() {
    auto set = choose_regions(files_->genome, files_->records, {}, options());
    if (!set.is_ok()) return fail(set.status().message());
    summary_ = set->summary;
    chosen_ = score_gc(set->windows);
  }

  LabServices& services_;
  uint32_t gc_bins_ = 1;
  uint32_t negatives_ = 3;
  std::optional<GenomeAndBed> files_;  // chapter 5's simulated genome and its peaks
  std::optional<GcScore> chosen_, tiles_;
  RegionSummary summary_;
  bool failed_ = false;
  std::string message_;
};

void GcShortcutLab::draw() {
  const float em = ImGui::GetFontSize();
  int bins = static_cast<int>(gc_bins_);
  ImGui::SetNextItemWidth(em * 9);
  if (ImGui::SliderInt("GC bins", &bins, 1, 40)) {
    const Status status = set("gc_bins", bins);
    message_ = status.is_ok() ? "" : status.message();
  }
  int ratio = static_cast<int>(negatives_);
  same_line_if_fits(em * 16);
  ImGui::SetNextItemWidth(em * 7);
  if (ImGui::SliderInt("negatives per peak", &ratio, 1, 10)) {
    const Status status = set("negatives", ratio);
    message_ = status.is_ok() ? "" : status.message();
  }
  const char* provenance = gc_bins_ == 1 ? "1 bin: negatives drawn at random from the background"
                                         : "negatives matched to the peaks' GC histogram";
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s; simulated genome, open chromatin follows GC", provenance);
  ImGui::PopStyleColor();
  if (!message_.empty()) message_line(message_, failed_);
  if (failed_) return;
  if (!chosen_ || !tiles_) {
    message_line("choosing windows", false);
    return;
  }
  if (begin_wrapped_table("scores", {"GC-only model against", "windows", "mean GC peak / other", "AUROC"})) {
    auto row = [](const char* name, const GcScore& s) {
      char text[64];
      ImGui::TableNextRow();
      wrapped_cell(name);
      std::snprintf(text, sizeof text, "%llu + %llu", static_cast<unsigned long long>(s.positives),
                    static_cast<unsigned long long>(s.negatives));
      text_cell(text);
      std::snprintf(text, sizeof text, "%.3f / %.3f", s.mean_gc_positive, s.mean_gc_negative);
      text_cell(text);
      std::snprintf(text, sizeof text, "%.3f", s.auroc);
      text_cell(text);
    };
    row("the chosen negatives", *chosen_);
    row("every tile of the genome", *tiles_);
    ImGui::EndTable();
  }
  // The two histograms of the chosen windows, as shares of their class.
  float top = 0.05f;
  for (int b = 0; b < kGcBars; ++b) top = std::max({top, chosen_->positive_share[b], chosen_->negative_share[b]});
  PlotArea area = begin_plot("gc", ImVec2(ImGui::GetContentRegionAvail().x, em * 9), kGcLow, kGcHigh, 0, top * 1.1,
                             "GC fraction of the window", "share of windows");
  const double step = (kGcHigh - kGcLow) / kGcBars;
  plot_filled_steps(area, chosen_->negative_share.data(), kGcBars, kGcLow, step, colours::kNeutral,
                    colours::with_alpha(colours::kNeutral, 60));
  plot_filled_steps(area, chosen_->positive_share.data(), kGcBars, kGcLow, step, colours::kPeak, 0);
  end_plot(area);
  ImGui::TextColored(colours::kPeak.vec4(), "peak windows");
  ImGui::SameLine();
  ImGui::TextColored(colours::kNeutral.vec4(), "  negatives (KS D = %.3f)", summary_.positive_negative_gc_ks);
}

}  // namespace

Result<std::unique_ptr<Lab>> make_gc_shortcut_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<GcShortcutLab>(params, services);
}

}  // namespace epibook::labs
