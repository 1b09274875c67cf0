// Lab "region-choice" (chapter 5): the same model trained on four choices of training
// windows, each scored on the same held-out genome. Training windows (chosen by
// `epibook regions`, assets/regions/<design>-windows.bed) lie on chr1, validation on chr2
// of a simulated genome whose open chromatin follows GC: peaks only, peaks with random
// negatives, peaks with GC-matched negatives, or every tile. Every file ends with the
// same test rows, every 200 bp tile of chr3, labelled by peak overlap. The target is the
// signal (log1p of the window's mean count), so a run trained on peaks alone still
// learns something; after training the lab predicts every test tile and reports how
// well the predictions rank peak tiles (AUROC, AUPRC), how they follow the signal
// (Pearson) and what they say in the background: the mean prediction on background tiles
// beside the mean signal there, and the share of background tiles predicted above half
// of the peak tiles. Scores of every design trained stay in a table, so the four sit side
// by side.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../app/plot.h"
#include "../train/dataset_build.h"
#include "../train/training_keys.h"
#include "../train/training_panel.h"
#include "epibook/bigwig.h"
#include "epibook/dataset.h"
#include "epibook/fasta.h"
#include "epibook/metrics.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr double kFrameBudgetMs = 8.0;
constexpr size_t kStretchTiles = 150;  // 30 kb of chr3
const char* const kGenome = "assets/regions/sim/genome.fa";
const char* const kTrack = "assets/regions/sim/celltypeA.bw";
constexpr std::array<const char*, 4> kDesigns = {"peaks", "random", "gc-matched", "tiling"};

std::string windows_file(const std::string& design) { return "assets/regions/" + design + "-windows.bed"; }

// The first model (chapter 1): one convolution layer of 16 filters of 15 bp, each
// filter's best match in the window, then a dense weight per filter; here MSE on log1p of
// the window's mean count.
TrainOptions lab_defaults() {
  TrainOptions options = first_model_train_options();
  options.loss = "mse";
  return options;
}

// A run's predictions over the held-out tiles, summarised.
struct TestScores {
  std::string design;
  int slot = 0;
  uint64_t steps = 0;
  double auroc = NAN, auprc = NAN, pearson = NAN;
  double background_prediction = NAN;   // mean prediction on background tiles
  double background_above_peaks = NAN;  // share of background tiles above the peak tiles' median prediction
};

nlohmann::json number(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

nlohmann::json scores_json(const TestScores& s) {
  return {{"regions", s.design},
          {"run", s.slot ? "B" : "A"},
          {"steps", s.steps},
          {"auroc", number(s.auroc)},
          {"auprc", number(s.auprc)},
          {"pearson", number(s.pearson)},
          {"background_prediction", number(s.background_prediction)},
          {"background_above_peak_median", number(s.background_above_peaks)}};
}

class RegionChoiceLab final : public Lab {
 public:
  explicit RegionChoiceLab(LabServices& services) : services_(services), panel_(lab_defaults()) {
    panel_.set_link_prefix("#region-choice");
  }

  Status configure(const nlohmann::json& params) {
    if (params.contains("regions")) EPIBOOK_RETURN_IF_ERROR(set_design(params["regions"]));
    EPIBOOK_RETURN_IF_ERROR(panel_.set_params(params));
    services_.files.request_whole(kGenome);
    services_.files.request_whole(kTrack);
    services_.files.request_whole(windows_file(design_));
    restart_loading();
    return Status::ok();
  }

  void step() override {
    const double deadline = now_ms() + kFrameBudgetMs;
    if (build_.in_progress()) advance_loading(deadline);
    if (!build_.ready()) return;
    panel_.step(std::max(1.0, deadline - now_ms()));
    for (int slot = 0; slot < 2; ++slot) score_if_trained(slot);
  }

  bool busy() const override {
    if (build_.in_progress()) return true;
    if (panel_.busy()) return true;
    return build_.ready() && (unscored(0) || unscored(1));
  }

  bool training() const override { return build_.ready() && panel_.busy(); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "region-choice";
    state["regions"] = design_;
    state["windows"] = windows_file(design_);
    state["stage"] = build_.stage_name();
    state["rows"] = build_.rows();
    if (build_.ready()) {
      nlohmann::json per_split;
      for (int8_t split : {0, 1, 2}) {
        const auto rows = build_.data().rows_of(split);
        uint64_t peaks = 0;
        for (uint32_t row : rows) peaks += row_labels_[row] == 1 ? 1 : 0;
        per_split[split_name(static_cast<Split>(split))] = {{"windows", rows.size()}, {"peak_windows", peaks}};
      }
      state["rows_per_split"] = per_split;
      double background = 0;
      uint64_t count = 0;
      for (size_t i = 0; i < test_rows_.size(); ++i) {
        if (test_labels_[i] == 0) background += test_targets_[i], ++count;
      }
      state["test"] = {{"tiles", test_rows_.size()},
                       {"peak_tiles", test_rows_.size() - count},
                       {"background_signal", count ? background / static_cast<double>(count) : 0.0}};
    }
    state["message"] = message();
    panel_.add_state(state);
    if (state["message"].get<std::string>().empty() && !message().empty()) state["message"] = message();
    state["scores"] = scores_[0] ? scores_json(*scores_[0]) : nlohmann::json(nullptr);
    if (state.contains("b")) state["b"]["scores"] = scores_[1] ? scores_json(*scores_[1]) : nlohmann::json(nullptr);
    nlohmann::json history = nlohmann::json::array();
    for (const TestScores& s : history_) history.push_back(scores_json(s));
    state["history"] = history;
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "regions") {
      const std::string before = design_;
      EPIBOOK_RETURN_IF_ERROR(set_design(value));
      if (design_ != before) restart_loading();
      return Status::ok();
    }
    Status status = set_training_key(panel_, build_, "region-choice", "regions", key, value);
    if (status.is_ok()) scores_[key.rfind("b.", 0) == 0 ? 1 : 0].reset();
    return status;
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains on its simulated data only (the page shows the CLI run for your own files)";
  }

 private:
  // A failure of the data's build, else the lab's last note.
  const std::string& message() const { return build_.failed() ? build_.failure() : message_; }

  Status set_design(const nlohmann::json& value) {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string design, json_text(value, "regions"));
    if (std::find(kDesigns.begin(), kDesigns.end(), design) == kDesigns.end()) {
      return invalid_argument("regions: \"" + design + "\" is not one of peaks, random, gc-matched, tiling");
    }
    design_ = design;
    services_.files.request_whole(windows_file(design_));
    return Status::ok();
  }

  bool unscored(int slot) const { return run_ahead_of(panel_, slot, scores_[slot]); }

  void restart_loading() {
    message_.clear();
    build_.restart();
    row_labels_.clear();
    test_rows_.clear();
    test_labels_.clear();
    test_targets_.clear();
    scores_ = {};
    panel_.set_data(PanelData{});
  }

  void advance_loading(double deadline) {
    if (build_.stage() == DatasetBuild::Stage::kLoading) {
      const std::string windows_name = windows_file(design_);
      const std::string* genome = build_.whole(services_.files, kGenome);
      const std::string* track = build_.failed() ? nullptr : build_.whole(services_.files, kTrack);
      const std::string* windows = build_.failed() ? nullptr : build_.whole(services_.files, windows_name);
      if (!genome || !track || !windows) return;
      if (!genome_) {
        auto reader = genome_from_bytes(*genome, kGenome);
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        genome_.emplace(std::move(reader).value());
        auto bigwig = BigWigReader::open(memory_source(*track, kTrack));
        if (!bigwig.is_ok()) return build_.fail(bigwig.status().message());
        track_.emplace(std::move(bigwig).value());
      }
      std::vector<SignalSource> tracks = {bigwig_signal_source(*track_)};
      tracks.back().name = kTrack;
      auto parsed = parse_genome_windows(*windows, windows_name);
      if (!parsed.is_ok()) return build_.fail(parsed.status().message());
      if (parsed->labels.size() != parsed->regions.size()) {
        return build_.fail(windows_name + ": the windows carry no peak labels");
      }
      window_labels_ = parsed->labels;
      DatasetOptions options;
      options.target = TargetKind::kSignal;
      options.transform = SignalTransform::kLog1p;
      auto dataset = WindowDataset::create(&*genome_, std::move(tracks), std::move(parsed).value(), options);
      if (!dataset.is_ok()) return build_.fail(dataset.status().message());
      build_.start(std::move(dataset).value(), windows_name);
    }
    if (build_.advance(deadline)) finish_loading();
  }

  void finish_loading() {
    const WindowDataset& dataset = build_.dataset();
    const TrainingData& data = build_.data();
    row_labels_.resize(dataset.rows());
    for (uint64_t row = 0; row < dataset.rows(); ++row) row_labels_[row] = window_labels_[dataset.window_of_row(row)];
    test_rows_ = data.rows_of(static_cast<int8_t>(Split::kTest));
    const int64_t per_row = data.targets.size() / std::max<int64_t>(1, data.targets.dim(0));  // 1: one track, one bin
    for (uint32_t row : test_rows_) {
      test_labels_.push_back(static_cast<float>(row_labels_[row]));
      test_targets_.push_back(data.targets.data()[static_cast<int64_t>(row) * per_row]);
    }
    const std::string windows_name = windows_file(design_);
    PanelData panel;
    panel.data = &data;
    panel.name = design_;
    panel.fingerprint = data_fingerprint(data);
    panel.losses = {"mse", "poisson"};
    panel.data_options.genome = kGenome;
    panel.data_options.windows = windows_name;
    panel.data_options.tracks = {kTrack};
    panel.data_options.target = "signal";
    panel.data_options.transform = "log1p";
    panel.description_json = nlohmann::json{{"lab", "region-choice"}, {"regions", design_}, {"genome", kGenome},
                                            {"windows", windows_name}, {"tracks", {kTrack}},
                                            {"target", "signal"}, {"transform", "log1p"}}
                                 .dump();
    // The stretch: the run of consecutive test tiles holding the fewest peak tiles but at
    // least three, so it shows mostly background with a few peaks to compare with.
    const auto& regions = dataset.regions();
    size_t best = 0;
    int best_peaks = -1;
    for (size_t first = 0; first + kStretchTiles <= test_rows_.size(); first += kStretchTiles / 3) {
      int peaks = 0;
      for (size_t i = first; i < first + kStretchTiles; ++i) peaks += test_labels_[i] > 0.5f ? 1 : 0;
      if (peaks >= 3 && (best_peaks < 0 || peaks < best_peaks)) best = first, best_peaks = peaks;
    }
    for (size_t i = best; i < std::min(test_rows_.size(), best + kStretchTiles); ++i) {
      panel.stretch_rows.push_back(test_rows_[i]);
      panel.stretch_starts.push_back(static_cast<double>(regions[dataset.window_of_row(test_rows_[i])].start));
    }
    if (!panel.stretch_rows.empty()) {
      const Region& first = regions[dataset.window_of_row(panel.stretch_rows.front())];
      const Region& last = regions[dataset.window_of_row(panel.stretch_rows.back())];
      panel.stretch_width = static_cast<double>(dataset.window_length());
      panel.stretch_chrom = first.chrom;
      panel.stretch_label = format_region({first.chrom, first.start, last.end}) + ", held-out tiles";
    }
    panel_.set_data(std::move(panel));
  }

  void score_if_trained(int slot) {
    if (!unscored(slot) || panel_.busy()) return;
    TrainingRun& run = panel_.run(slot);
    TestScores s;
    s.design = design_;
    s.slot = slot;
    s.steps = run.steps();
    auto outputs = run.predict_rows(test_rows_);
    if (!outputs.is_ok()) {
      message_ = outputs.status().message();
      scores_[slot] = s;
      return;
    }
    const std::span<const float> predicted(outputs->data(), static_cast<size_t>(outputs->size()));
    auto value = [](const Result<double>& r) { return r.is_ok() ? *r : NAN; };
    s.auroc = value(auroc(predicted, test_labels_));
    s.auprc = value(auprc(predicted, test_labels_));
    s.pearson = value(pearson(predicted, test_targets_));
    std::vector<float> peak_predictions;
    double background_sum = 0;
    uint64_t background = 0;
    for (size_t i = 0; i < predicted.size(); ++i) {
      if (test_labels_[i] > 0.5f) {
        peak_predictions.push_back(predicted[i]);
      } else {
        background_sum += predicted[i], ++background;
      }
    }
    if (background) s.background_prediction = background_sum / static_cast<double>(background);
    if (!peak_predictions.empty() && background) {
      std::nth_element(peak_predictions.begin(), peak_predictions.begin() + static_cast<int64_t>(peak_predictions.size() / 2),
                       peak_predictions.end());
      const float median = peak_predictions[peak_predictions.size() / 2];
      uint64_t above = 0;
      for (size_t i = 0; i < predicted.size(); ++i) above += (test_labels_[i] < 0.5f && predicted[i] > median) ? 1 : 0;
      s.background_above_peaks = static_cast<double>(above) / static_cast<double>(background);
    }
    scores_[slot] = s;
    // The table keeps the latest scores of each design and run.
    auto same = std::find_if(history_.begin(), history_.end(),
                             [&](const TestScores& h) { return h.design == s.design && h.slot == s.slot; });
    if (same != history_.end()) {
      *same = s;
    } else {
      history_.push_back(s);
    }
  }

  LabServices& services_;
  TrainingPanel panel_;
  std::string design_ = "gc-matched";
  std::optional<FastaReader> genome_;
  std::optional<BigWigReader> track_;
  DatasetBuild build_{128};  // its dataset reads genome_ and track_
  std::vector<int8_t> window_labels_;  // per window of the file
  std::vector<int8_t> row_labels_;     // per row of the data set
  std::vector<uint32_t> test_rows_;
  std::vector<float> test_labels_, test_targets_;  // per test row
  std::array<std::optional<TestScores>, 2> scores_;
  std::vector<TestScores> history_;
  std::string message_;
};

void RegionChoiceLab::draw() {
  const float em = ImGui::GetFontSize();
  ImGui::TextUnformatted("training windows");
  for (const char* design : kDesigns) {
    same_line_if_fits(button_width(design));
    if (ImGui::RadioButton(design, design_ == design)) {
      const Status status = set("regions", design);
      message_ = status.is_ok() ? "" : status.message();
    }
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("simulated: CTCF-like sites, open chromatin follows GC; train chr1, validate chr2, "
                     "test every 200 bp tile of chr3");
  ImGui::PopStyleColor();
  if (!draw_build_status(build_, message())) return;
  if (!history_.empty() && ImGui::BeginTable("history", narrow_layout() ? 5 : 7,
                                             ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
    const bool narrow = narrow_layout();
    ImGui::TableSetupColumn("trained on");
    if (!narrow) ImGui::TableSetupColumn("steps");
    ImGui::TableSetupColumn("AUROC");
    ImGui::TableSetupColumn("AUPRC");
    if (!narrow) ImGui::TableSetupColumn("Pearson");
    ImGui::TableSetupColumn("bg mean");
    ImGui::TableSetupColumn("bg > peak median");
    ImGui::TableHeadersRow();
    for (const TestScores& s : history_) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::Text("%s (%s)", s.design.c_str(), s.slot ? "B" : "A");
      if (!narrow) {
        ImGui::TableNextColumn();
        ImGui::Text("%llu", static_cast<unsigned long long>(s.steps));
      }
      std::vector<double> shown = {s.auroc, s.auprc};
      if (!narrow) shown.push_back(s.pearson);
      shown.push_back(s.background_prediction);
      shown.push_back(s.background_above_peaks);
      for (double v : shown) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(short_number(v).c_str());
      }
    }
    ImGui::EndTable();
  }
  double background = 0;
  uint64_t count = 0;
  for (size_t i = 0; i < test_rows_.size(); ++i) {
    if (test_labels_[i] < 0.5f) background += test_targets_[i], ++count;
  }
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("scored on %zu held-out tiles (%llu background, mean signal there %.3f); bg: background tiles",
                     test_rows_.size(), static_cast<unsigned long long>(count), count ? background / static_cast<double>(count) : 0.0);
  ImGui::PopStyleColor();
  (void)em;
  panel_.draw();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_region_choice_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<RegionChoiceLab>(params, services);
}

}  // namespace epibook::labs
