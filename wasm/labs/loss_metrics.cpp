// Lab "loss-metrics" (chapter 2): one model of simulated counts along 400 bp windows,
// trained with MSE, Poisson, multinomial + counts or BCE (per-bin peak labels, with
// pos_weight), and scored five ways (window_scores.h) beside each score's shuffled floor
// and the ceiling that the second replicate reaches. A setting thins the peaks among the
// validation windows, so the reader sees AUPRC fall with the positive share while AUROC
// stays. The data are built in memory by the core's WindowDataset from shipped files
// (genome, two replicate tracks, a peak-bin track, windows); the training panel trains.
//
// Sections: data sets | the lab | drawing
#include <imgui.h>

#include <algorithm>
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
#include "epibook/window_scores.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr const char* kGenome = "assets/first-model/sim/genome.fa";
constexpr const char* kWindows = "assets/losses/windows.bed";
constexpr const char* kReplicate1 = "assets/losses/sim/celltypeA.rep1.bw";
constexpr const char* kReplicate2 = "assets/losses/sim/celltypeA.rep2.bw";
constexpr const char* kPeakBins = "assets/losses/peak-bins.bw";
constexpr uint32_t kBin = 25;  // the simulator's bins: whole counts per target
constexpr double kFrameBudgetMs = 8.0;
constexpr uint64_t kStretchRows = 30;
constexpr uint64_t kScoreSeed = 2;
constexpr const char* kScoreNames[] = {"pearson", "spearman", "auroc", "auprc", "jsd"};
constexpr int kPeaksKeptChoices[] = {1, 2, 4, 8};

// Two conv blocks pooled by 5 take 400 bp to 16 positions, one per 25 bp bin, and a
// kernel-1 conv head gives each bin its value: the shape of BPNet's profile head, small
// enough for a few milliseconds a step in the page.
TrainOptions lab_defaults() {
  TrainOptions options = lab_train_options();
  options.model.conv_layers = 2;
  options.model.channels = 16;
  options.model.kernel_size = 11;
  options.model.pool = 5;
  options.model.head = "conv";
  options.loss = "poisson";
  options.schedule.base = 1e-2;
  options.epochs = 6;
  return options;
}

// The model's outputs on the count scale: a rate (log-rate losses), a probability (BCE)
// or the value itself (MSE).
std::vector<float> on_count_scale(const nn::Tensor& outputs, const std::string& loss) {
  std::vector<float> values(outputs.values().begin(), outputs.values().end());
  for (float& v : values) {
    if (outputs_log_rates(loss)) v = std::exp(v);
    if (loss == "bce") v = 1.0f / (1.0f + std::exp(-v));
  }
  return values;
}

// BCE's threshold, not its ranking, is what pos_weight moves: the mean probability it
// gives and the share of bins it calls at 1/2, against the share that are peak bins.
struct Calibration {
  double mean_probability = 0;
  double called_at_half = 0;
  double peak_bins = 0;
};

// The five scores averaged over the k thinned validation sets (one peak window in k
// kept in each), with the mean count of windows, of peaks, and the positive share.
struct ThinnedScores {
  WindowScores mean;
  double windows = 0;
  double peak_windows = 0;
  double positive_share = 0;
};

struct RunScores {
  uint32_t epoch = 0;  // epochs finished when scored
  std::string loss;
  ThinnedScores scores;
  std::optional<Calibration> calibration;
};

class LossMetricsLab final : public Lab {
 public:
  explicit LossMetricsLab(LabServices& services) : services_(services), panel_(lab_defaults()) {
    panel_.set_link_prefix("#loss-metrics");
    panel_.set_run_recorder(services_.record_run);
    restart_loading();
  }

  Status configure(const nlohmann::json& params) {
    EPIBOOK_RETURN_IF_ERROR(panel_.set_params(params));
    if (params.contains("peaks_kept")) EPIBOOK_RETURN_IF_ERROR(set("peaks_kept", params["peaks_kept"]));
    pending_link_ = param_text(params, "run", "");
    return Status::ok();
  }

  void step() override {
    const double deadline = now_ms() + kFrameBudgetMs;
    if (build_.in_progress()) advance_loading(deadline);
    if (!build_.ready()) return;
    if (!pending_link_.empty()) {
      const Status status = panel_.replay_link(std::exchange(pending_link_, ""));
      if (!status.is_ok()) message_ = status.message();
    }
    panel_.step(std::max(1.0, deadline - now_ms()));
    for (int i = 0; i < 2; ++i) rescore_if_new(i);
  }

  bool busy() const override {
    return build_.in_progress() || !pending_link_.empty() || panel_.busy();
  }
  bool training() const override { return build_.ready() && panel_.busy(); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "loss-metrics";
    state["stage"] = build_.stage_name();
    state["rows"] = build_.rows();
    state["peaks_kept"] = peaks_kept_;
    state["message"] = message();
    if (build_.ready()) {
      state["input_shape"] = counts_.inputs.shape().text();
      state["target_shape"] = counts_.targets.shape().text();
      state["rows_per_split"] = rows_per_split(counts_);
      state["label_fingerprint"] = hex(label_fingerprint_);
    }
    panel_.add_state(state);
    if (!message().empty()) state["message"] = message();
    nlohmann::json scores;
    scores["peaks_kept"] = peaks_kept_;
    scores["windows"] = ceiling_ ? ceiling_->windows : 0;
    scores["peak_windows"] = ceiling_ ? ceiling_->peak_windows : 0;
    scores["positive_share"] = ceiling_ ? ceiling_->positive_share : 0;
    if (ceiling_) scores["ceiling"] = scores_json(*ceiling_);
    for (int i = 0; i < 2; ++i) {
      if (!run_scores_[i]) continue;
      nlohmann::json run = scores_json(run_scores_[i]->scores);
      run["epoch"] = run_scores_[i]->epoch;
      run["loss"] = run_scores_[i]->loss;
      if (const auto& c = run_scores_[i]->calibration) {
        run["calibration"] = {{"mean_probability", c->mean_probability},
                              {"called_at_half", c->called_at_half},
                              {"peak_bins", c->peak_bins}};
      }
      scores[i == 0 ? "a" : "b"] = run;
    }
    state["scores"] = scores;
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "peaks_kept") {
      EPIBOOK_ASSIGN_OR_RETURN(const double k, json_number(value, key));
      if (std::find(std::begin(kPeaksKeptChoices), std::end(kPeaksKeptChoices), k) == std::end(kPeaksKeptChoices)) {
        return invalid_argument("peaks_kept: " + value.dump() + " is not 1, 2, 4 or 8 (keep one peak window in k)");
      }
      peaks_kept_ = static_cast<int>(k);
      if (build_.ready()) rescore_all();
      return Status::ok();
    }
    if (key == "run") {
      EPIBOOK_ASSIGN_OR_RETURN(pending_link_, json_text(value, key));
      const size_t equals = pending_link_.find('=');
      if (equals != std::string::npos) pending_link_ = pending_link_.substr(equals + 1);
      return Status::ok();
    }
    const Status status = set_training_key(panel_, build_, "loss-metrics", "peaks_kept, run", key, value);
    if (status.is_ok()) {  // a run cleared by new settings loses its scores
      for (int i = 0; i < 2; ++i) {
        if (panel_.run(i).epochs().empty()) run_scores_[i].reset();
      }
    }
    return status;
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains on its simulated set only (the first-model lab opens your own files)";
  }

 private:
  // A failure of the data's build, else the lab's last note.
  const std::string& message() const { return build_.failed() ? build_.failure() : message_; }

  static std::string hex(uint64_t value) {
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
    return text;
  }

  static nlohmann::json scores_json(const ThinnedScores& s) {
    nlohmann::json out;
    for (const WindowScore& score : s.mean.scores) {
      out[score.name] = {{"value", score.value}, {"floor_mean", score.floor.mean}, {"floor_sd", score.floor.sd}};
    }
    return out;
  }

  void restart_loading() {
    for (const char* name : {kGenome, kWindows, kReplicate1, kReplicate2, kPeakBins}) services_.files.request_whole(name);
  }

  void advance_loading(double deadline) {
    if (build_.stage() == DatasetBuild::Stage::kLoading) {
      const char* names[] = {kGenome, kWindows, kReplicate1, kReplicate2, kPeakBins};
      std::vector<const std::string*> bytes;
      for (const char* name : names) {
        bytes.push_back(build_.whole(services_.files, name));
        if (build_.failed()) return;
      }
      for (const std::string* b : bytes) {
        if (b == nullptr) return;
      }
      auto genome = genome_from_bytes(*bytes[0], kGenome);
      if (!genome.is_ok()) return build_.fail(genome.status().message());
      genome_.emplace(std::move(genome).value());
      std::vector<SignalSource> tracks;
      for (int t = 0; t < 3; ++t) {
        auto reader = BigWigReader::open(memory_source(*bytes[2 + t], names[2 + t]));
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        tracks_[t].emplace(std::move(reader).value());
        tracks.push_back(bigwig_signal_source(*tracks_[t]));
        tracks.back().name = names[2 + t];
      }
      auto windows = parse_genome_windows(*bytes[1], kWindows);
      if (!windows.is_ok()) return build_.fail(windows.status().message());
      window_labels_ = windows->labels;
      DatasetOptions options;
      options.target = TargetKind::kSignal;
      options.bin = kBin;
      auto dataset = WindowDataset::create(&*genome_, std::move(tracks), std::move(windows).value(), options);
      if (!dataset.is_ok()) return build_.fail(dataset.status().message());
      build_.start(std::move(dataset).value(), kWindows);
    }
    if (build_.advance(deadline)) finish_loading();
  }

  // Targets [N, 3, 16] (replicate 1, replicate 2, peak bins) become the counts the
  // count losses train on, the labels BCE trains on, and the replicate kept aside.
  void finish_loading() {
    TrainingData& all = build_.data();
    const int64_t rows = all.targets.dim(0);
    const int64_t bins = all.targets.dim(2);
    auto channel = [&](int64_t c, TrainingData& into) {
      into.targets.resize(nn::Shape{rows, 1, bins});
      for (int64_t r = 0; r < rows; ++r) {
        std::copy_n(all.targets.data() + (r * 3 + c) * bins, bins, into.targets.data() + r * bins);
      }
      into.split = all.split;
    };
    channel(0, counts_);
    channel(2, labels_);
    TrainingData replicate;
    channel(1, replicate);
    replicate_ = std::move(replicate.targets);
    labels_.inputs = all.inputs;
    counts_.inputs = std::move(all.inputs);
    all = TrainingData();  // the three channels now live in counts_, labels_ and replicate_

    PanelData panel;
    panel.data = &counts_;
    panel.label_data = &labels_;
    panel.name = "sim-replicates";
    panel.fingerprint = data_fingerprint(counts_);
    label_fingerprint_ = data_fingerprint(labels_);
    panel.losses = {"poisson", "mse", "multinomial", "bce"};
    panel.count_weight = 37.5f;
    panel.data_options.genome = kGenome;
    panel.data_options.windows = kWindows;
    panel.data_options.tracks = {kReplicate1};
    panel.data_options.target = "signal";
    panel.data_options.bin = kBin;
    panel.label_data_options = panel.data_options;
    panel.label_data_options.tracks = {kPeakBins};
    panel.description_json = nlohmann::json({{"lab", "loss-metrics"},
                                             {"genome", kGenome},
                                             {"windows", kWindows},
                                             {"tracks", {kReplicate1, kReplicate2, kPeakBins}},
                                             {"bin", kBin}})
                                 .dump();
    for (uint64_t row = 0; row < build_.rows() && panel.stretch_rows.size() < kStretchRows; ++row) {
      if (counts_.split[row] != static_cast<int8_t>(Split::kValidation)) continue;
      if (window_labels_[build_.dataset().window_of_row(row)] != 1) continue;  // peak windows: shapes to see
      panel.stretch_rows.push_back(static_cast<uint32_t>(row));
      panel.stretch_starts.push_back(static_cast<double>(panel.stretch_starts.size()) * 400.0);
    }
    panel.stretch_width = 400.0;
    panel.stretch_label = std::to_string(panel.stretch_rows.size()) + " validation peak windows side by side (bp)";
    panel_.set_data(std::move(panel));
    rescore_all();
  }

  // The validation rows, in row order: what every score is taken over.
  std::vector<uint32_t> validation_rows() const {
    std::vector<uint32_t> rows;
    for (uint64_t row = 0; row < build_.rows(); ++row) {
      if (counts_.split[row] == static_cast<int8_t>(Split::kValidation)) rows.push_back(static_cast<uint32_t>(row));
    }
    return rows;
  }

  bool is_peak_row(uint32_t row) const { return window_labels_[build_.dataset().window_of_row(row)] == 1; }

  // Positions in validation_rows() of thinned set `offset` of `peaks_kept_`: every
  // background window, and the peak windows whose rank among the peaks is offset mod k.
  std::vector<size_t> thinned(const std::vector<uint32_t>& rows, int offset) const {
    std::vector<size_t> kept;
    uint64_t peaks = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      if (is_peak_row(rows[i]) && static_cast<int>(peaks++ % static_cast<uint64_t>(peaks_kept_)) != offset) continue;
      kept.push_back(i);
    }
    return kept;
  }

  // `predicted` holds [validation rows, bins] on the count scale. With one peak window
  // kept in k, each of the k thinned sets is scored and the scores averaged: every peak
  // is then counted once, so AUROC (a mean over peaks of the background each outranks)
  // stays where it was, while AUPRC and its floor follow the share of positives.
  Result<ThinnedScores> score(std::span<const float> predicted, const std::vector<uint32_t>& rows) const {
    const int64_t bins = counts_.targets.dim(2);
    ThinnedScores out;
    for (int offset = 0; offset < peaks_kept_; ++offset) {
      std::vector<float> kept_predicted, observed, labels;
      for (size_t i : thinned(rows, offset)) {
        const uint32_t row = rows[i];
        kept_predicted.insert(kept_predicted.end(), predicted.begin() + static_cast<std::ptrdiff_t>(i * bins),
                              predicted.begin() + static_cast<std::ptrdiff_t>((i + 1) * bins));
        observed.insert(observed.end(), counts_.targets.data() + row * bins, counts_.targets.data() + (row + 1) * bins);
        labels.push_back(is_peak_row(row) ? 1.0f : 0.0f);
      }
      EPIBOOK_ASSIGN_OR_RETURN(WindowScores s, score_windows(kept_predicted, observed, static_cast<uint64_t>(bins), labels, kScoreSeed));
      out.windows += static_cast<double>(s.windows) / peaks_kept_;
      out.peak_windows += static_cast<double>(s.peak_windows) / peaks_kept_;
      out.positive_share += static_cast<double>(s.peak_windows) / static_cast<double>(s.windows) / peaks_kept_;
      if (offset == 0) {
        out.mean = s;
        for (WindowScore& score : out.mean.scores) score.value = score.floor.mean = score.floor.sd = 0;
      }
      for (size_t k = 0; k < s.scores.size(); ++k) {
        WindowScore& m = out.mean.scores[k];
        m.value += s.scores[k].value / peaks_kept_;
        m.floor.mean += s.scores[k].floor.mean / peaks_kept_;
        m.floor.sd += s.scores[k].floor.sd * s.scores[k].floor.sd / peaks_kept_;  // a mean variance, rooted below
      }
    }
    for (WindowScore& m : out.mean.scores) m.floor.sd = std::sqrt(m.floor.sd);
    return out;
  }

  void rescore_all() {
    const std::vector<uint32_t> rows = validation_rows();
    const int64_t bins = counts_.targets.dim(2);
    std::vector<float> second;
    for (uint32_t row : rows) second.insert(second.end(), replicate_.data() + row * bins, replicate_.data() + (row + 1) * bins);
    auto ceiling = score(second, rows);
    if (ceiling.is_ok()) {
      ceiling_ = std::move(ceiling).value();
    } else {
      message_ = ceiling.status().message();
    }
    for (int i = 0; i < 2; ++i) {
      run_scores_[i].reset();
      rescore_if_new(i);
    }
  }

  void rescore_if_new(int index) {
    TrainingRun& run = panel_.run(index);
    if (index == 1 && !panel_.comparing()) return;
    const uint32_t epochs = static_cast<uint32_t>(run.epochs().size());
    if (epochs == 0) {
      run_scores_[index].reset();
      return;
    }
    if (run_scores_[index] && run_scores_[index]->epoch == epochs) return;
    const std::vector<uint32_t> rows = validation_rows();
    auto outputs = run.predict_rows(rows);
    if (!outputs.is_ok()) {
      message_ = outputs.status().message();
      return;
    }
    const std::string& loss = run.options().loss;
    const std::vector<float> predicted = on_count_scale(*outputs, loss);
    auto scores = score(predicted, rows);
    if (!scores.is_ok()) {
      message_ = scores.status().message();
      return;
    }
    RunScores result{epochs, loss, std::move(scores).value(), std::nullopt};
    if (loss == "bce") {  // over every validation bin, whatever the thinning
      const int64_t bins = labels_.targets.dim(2);
      Calibration c;
      for (size_t k = 0; k < predicted.size(); ++k) {
        c.mean_probability += predicted[k];
        c.called_at_half += predicted[k] >= 0.5f ? 1 : 0;
        c.peak_bins += labels_.targets[static_cast<int64_t>(rows[k / static_cast<size_t>(bins)]) * bins +
                                       static_cast<int64_t>(k % static_cast<size_t>(bins))];
      }
      const double n = static_cast<double>(predicted.size());
      c.mean_probability /= n;
      c.called_at_half /= n;
      c.peak_bins /= n;
      result.calibration = c;
    }
    run_scores_[index] = std::move(result);
  }

  void draw_scores();

  LabServices& services_;
  TrainingPanel panel_;
  DatasetBuild build_;  // its data: [N, 3, 16] targets, split by finish_loading
  std::optional<FastaReader> genome_;
  std::optional<BigWigReader> tracks_[3];
  std::vector<int8_t> window_labels_;
  TrainingData counts_, labels_;
  nn::Tensor replicate_;  // [N, 1, 16]: replicate 2, the ceiling's predictor
  uint64_t label_fingerprint_ = 0;  // of the BCE arrays, as `epibook dataset --tracks peak-bins.bw` gives
  int peaks_kept_ = 1;
  std::optional<ThinnedScores> ceiling_;
  std::optional<RunScores> run_scores_[2];
  std::string pending_link_;
  std::string message_;
};

// ---------------------------------------------------------------------------------
// Drawing: the score table (floor, A, B, ceiling), then the training panel.
std::string fixed3(double v) {
  if (!std::isfinite(v)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", v);
  return text;
}

void LossMetricsLab::draw_scores() {
  const float em = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(em * 7);
  const std::string kept = peaks_kept_ == 1 ? "every peak" : "1 peak in " + std::to_string(peaks_kept_);
  if (ImGui::BeginCombo("peak windows kept in validation", kept.c_str())) {
    for (int k : kPeaksKeptChoices) {
      const std::string label = k == 1 ? "every peak" : "1 peak in " + std::to_string(k);
      if (ImGui::Selectable(label.c_str(), k == peaks_kept_)) (void)set("peaks_kept", k);
    }
    ImGui::EndCombo();
  }
  if (ceiling_) {
    char line[160];
    if (peaks_kept_ == 1) {
      std::snprintf(line, sizeof line, "%.0f validation windows, %.0f peaks (%.1f%% positive)", ceiling_->windows,
                    ceiling_->peak_windows, 100.0 * ceiling_->positive_share);
    } else {
      std::snprintf(line, sizeof line, "mean of %d thinned sets: %.1f windows, %.1f peaks (%.1f%% positive)", peaks_kept_,
                    ceiling_->windows, ceiling_->peak_windows, 100.0 * ceiling_->positive_share);
    }
    same_line_if_fits(ImGui::CalcTextSize(line).x);
    ImGui::TextDisabled("%s", line);
  }
  const bool b = panel_.comparing();
  // On a phone the table keeps its numbers and shortens its words.
  const bool narrow = narrow_layout();
  if (!ImGui::BeginTable("##scores", b ? 5 : 4, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) return;
  ImGui::TableSetupColumn(narrow ? "score" : "score (validation)");
  ImGui::TableSetupColumn(narrow ? "floor" : "floor: shuffled, mean +- 2 sd");
  ImGui::TableSetupColumn(run_scores_[0] ? ("A: " + run_scores_[0]->loss).c_str() : "A");
  if (b) ImGui::TableSetupColumn(run_scores_[1] ? ("B: " + run_scores_[1]->loss).c_str() : "B");
  ImGui::TableSetupColumn(narrow ? "ceiling" : "ceiling: replicate 2");
  ImGui::TableHeadersRow();
  for (const char* name : kScoreNames) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    const std::string n = name;
    const std::string label = n == "pearson"    ? (narrow ? "Pearson" : "Pearson, log(1 + total)")
                              : n == "spearman" ? (narrow ? "Spearman" : "Spearman, total")
                              : n == "auroc"    ? (narrow ? "AUROC" : "AUROC, peak windows")
                              : n == "auprc"    ? (narrow ? "AUPRC" : "AUPRC, peak windows")
                                                : (narrow ? "JSD" : "JSD of shapes (lower: better)");
    ImGui::TextUnformatted(label.c_str());
    ImGui::TableNextColumn();
    const WindowScore* floor = ceiling_ ? ceiling_->mean.find(name) : nullptr;
    const WindowScore* a = run_scores_[0] ? run_scores_[0]->scores.mean.find(name) : nullptr;
    const WindowScore* floor_a = a ? a : floor;
    if (floor_a && narrow) {
      ImGui::TextUnformatted(fixed3(floor_a->floor.mean).c_str());
    } else if (floor_a) {
      ImGui::Text("%s +- %s", fixed3(floor_a->floor.mean).c_str(), fixed3(2 * floor_a->floor.sd).c_str());
    }
    ImGui::TableNextColumn();
    ImGui::TextColored(ImColor(colours::series(0)), "%s", a ? fixed3(a->value).c_str() : "-");
    if (b) {
      ImGui::TableNextColumn();
      const WindowScore* sb = run_scores_[1] ? run_scores_[1]->scores.mean.find(name) : nullptr;
      ImGui::TextColored(ImColor(colours::series(1)), "%s", sb ? fixed3(sb->value).c_str() : "-");
    }
    ImGui::TableNextColumn();
    ImGui::TextColored(ImColor(colours::kTruth), "%s", floor ? fixed3(floor->value).c_str() : "-");
  }
  ImGui::EndTable();
  for (int i = 0; i < (b ? 2 : 1); ++i) {
    if (!run_scores_[i] || !run_scores_[i]->calibration) continue;
    const Calibration& c = *run_scores_[i]->calibration;
    ImGui::PushStyleColor(ImGuiCol_Text, colours::series(i));
    ImGui::TextWrapped("%s (bce): mean probability %.3f; %.1f%% of bins called at p >= 0.5, %.1f%% are peak bins",
                       i == 0 ? "A" : "B", c.mean_probability, 100 * c.called_at_half, 100 * c.peak_bins);
    ImGui::PopStyleColor();
  }
}

void LossMetricsLab::draw() {
  ImGui::TextWrapped("Simulated: planted CTCF-like peaks, two replicates of the track (same expected counts, "
                     "independent noise); 400 bp windows, 16 bins of 25 bp.");
  if (!draw_build_status(build_, message())) return;
  draw_scores();
  ImGui::Spacing();
  panel_.draw();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_loss_metrics_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<LossMetricsLab>(params, services);
}

}  // namespace epibook::labs
