// Lab "output-bins": one model trained to predict a per-base count track at the output
// bin the reader picks (1 to 128 bp; chapter 3). The data are planted CTCF-like sites in
// the simulated genome, one replicate's counts per base as the target, averaged to the
// bin by the core's WindowDataset (data.bin), and the model is the same at every bin: a
// dilated CNN at base resolution whose outputs are averaged over each bin (the conv head
// of train.h). After training, the lab scores the model on the validation windows at its
// own bin and at a common coarse bin, each beside the ceiling the noise allows (the
// expected counts against the same replicate), and against the truth per base.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../app/plot.h"
#include "../train/count_profiles.h"
#include "../train/training_keys.h"
#include "../train/training_panel.h"
#include "epibook/bigwig.h"
#include "epibook/dataset.h"
#include "epibook/fasta.h"
#include "epibook/metrics.h"
#include "epibook/prep.h"
#include "epibook/resolution.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr double kFrameBudgetMs = 8.0;
constexpr std::array<uint32_t, 8> kBins = {1, 2, 4, 8, 16, 32, 64, 128};
const char* const kTruth = "assets/output-bins/sim/celltypeA.expected.bw";

struct BinScores {
  double pearson = NAN;  // model against the replicate's counts
  double ceiling = NAN;  // truth (expected counts) against the same counts
};

struct ModelScores {
  uint64_t steps = 0;
  BinScores own, coarse;
  double truth_per_base = NAN;  // the model's bins spread over their bases against the truth per base
};

class OutputBinsLab final : public Lab {
 public:
  explicit OutputBinsLab(LabServices& services) : services_(services), panel_(count_model_options()) {
    panel_.set_link_prefix("#output-bins");
    panel_.set_run_recorder(services_.record_run);
  }

  Status configure(const nlohmann::json& params) {
    if (params.contains("bin")) EPIBOOK_RETURN_IF_ERROR(set_bin(params["bin"], "bin", bin_));
    if (params.contains("score_bin")) EPIBOOK_RETURN_IF_ERROR(set_bin(params["score_bin"], "score_bin", score_bin_));
    EPIBOOK_RETURN_IF_ERROR(panel_.set_params(params));
    for (const char* file : {kCountGenome, kCountTrack, kTruth, kCountWindows}) services_.files.request_whole(file);
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

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "output-bins";
    state["bin"] = bin_;
    state["score_bin"] = score_bin_;
    state["stage"] = build_.stage_name();
    state["rows"] = build_.rows();
    state["validation_rows"] = validation_rows_.size();
    if (build_.ready()) {
      state["target_shape"] = data().targets.shape().text();
      state["window"] = build_.dataset().window_length();
    }
    state["message"] = message();
    panel_.add_state(state);
    if (state["message"].get<std::string>().empty() && !message().empty()) state["message"] = message();
    auto scores_json = [](const std::optional<ModelScores>& s) -> nlohmann::json {
      if (!s) return nullptr;
      auto number = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
      return {{"steps", s->steps},
              {"own_bin", {{"pearson", number(s->own.pearson)}, {"ceiling", number(s->own.ceiling)}}},
              {"score_bin", {{"pearson", number(s->coarse.pearson)}, {"ceiling", number(s->coarse.ceiling)}}},
              {"truth_per_base", number(s->truth_per_base)}};
    };
    state["scores"] = scores_json(scores_[0]);
    if (state.contains("b")) state["b"]["scores"] = scores_json(scores_[1]);
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "bin" || key == "score_bin") {
      uint32_t& target = key == "bin" ? bin_ : score_bin_;
      const uint32_t before = target;
      EPIBOOK_RETURN_IF_ERROR(set_bin(value, key, target));
      if (target != before) restart_loading();
      return Status::ok();
    }
    Status status = set_training_key(panel_, build_, "output-bins", "bin, score_bin", key, value);
    if (status.is_ok()) scores_[key.rfind("b.", 0) == 0 ? 1 : 0].reset();
    return status;
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains on its simulated data only (the page shows the CLI run for your own files)";
  }

 private:
  // A failure of the data's build, else the lab's last note.
  const std::string& message() const { return build_.failed() ? build_.failure() : message_; }
  const TrainingData& data() const { return build_.data(); }

  Status set_bin(const nlohmann::json& value, const std::string& key, uint32_t& target) {
    EPIBOOK_ASSIGN_OR_RETURN(const double number, json_number(value, key));
    const auto bin = static_cast<uint32_t>(std::lround(number));
    if (std::find(kBins.begin(), kBins.end(), bin) == kBins.end()) {
      return invalid_argument(key + ": " + value.dump() + " is not one of 1, 2, 4, 8, 16, 32, 64, 128");
    }
    const uint32_t other = key == "bin" ? score_bin_ : bin_;
    if (key == "bin" ? bin > other : bin < other) {
      return invalid_argument(key + ": the model's bin (" + std::to_string(key == "bin" ? bin : other) +
                              " bp) must not be coarser than the common score bin (" +
                              std::to_string(key == "bin" ? other : bin) + " bp)");
    }
    target = bin;
    return Status::ok();
  }

  bool unscored(int slot) const { return run_ahead_of(panel_, slot, scores_[slot]); }

  void restart_loading() {
    message_.clear();
    build_.restart();
    validation_rows_.clear();
    truth_.clear();
    scores_ = {};
    panel_.set_data(PanelData{});
  }

  void advance_loading(double deadline) {
    if (build_.stage() == DatasetBuild::Stage::kLoading) {
      const std::string* genome = build_.whole(services_.files, kCountGenome);
      const std::string* track = build_.failed() ? nullptr : build_.whole(services_.files, kCountTrack);
      const std::string* truth = build_.failed() ? nullptr : build_.whole(services_.files, kTruth);
      const std::string* windows = build_.failed() ? nullptr : build_.whole(services_.files, kCountWindows);
      if (!genome || !track || !truth || !windows) return;
      if (!genome_) {
        auto reader = genome_from_bytes(*genome, kCountGenome);
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        genome_.emplace(std::move(reader).value());
      }
      if (!track_) {
        auto reader = BigWigReader::open(memory_source(*track, kCountTrack));
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        track_.emplace(std::move(reader).value());
        auto expected = BigWigReader::open(memory_source(*truth, kTruth));
        if (!expected.is_ok()) return build_.fail(expected.status().message());
        truth_reader_.emplace(std::move(expected).value());
      }
      auto parsed = parse_genome_windows(*windows, kCountWindows);
      if (!parsed.is_ok()) return build_.fail(parsed.status().message());
      auto dataset = count_dataset(*genome_, *track_, std::move(parsed).value(), bin_);
      if (!dataset.is_ok()) return build_.fail(dataset.status().message());
      build_.start(std::move(dataset).value(), kCountWindows);
    }
    if (build_.advance(deadline)) finish_loading();
  }

  void finish_loading() {
    // The truth per base over the validation windows, for the ceilings and the per-base score.
    validation_rows_ = data().rows_of(static_cast<int8_t>(Split::kValidation));
    const uint32_t length = build_.dataset().window_length();
    truth_.resize(validation_rows_.size() * length);
    for (size_t i = 0; i < validation_rows_.size(); ++i) {
      const Region& window = build_.dataset().regions()[build_.dataset().window_of_row(validation_rows_[i])];
      const Status status = truth_reader_->values_batch(std::span<const Region>(&window, 1),
                                                        std::span<float>(truth_.data() + i * length, length));
      if (!status.is_ok()) return build_.fail(status.message());
    }
    panel_.set_data(count_panel_data(build_, "sim-profiles", "output-bins", bin_, {"mse"}));
    // The window drawn: the validation window with the highest expected count.
    profile_index_ = 0;
    float best = -1;
    for (size_t i = 0; i < validation_rows_.size(); ++i) {
      for (uint32_t p = 0; p < length; ++p) {
        if (truth_[i * length + p] > best) best = truth_[i * length + p], profile_index_ = i;
      }
    }
  }

  // The validation targets at the model's bin, row after row.
  std::vector<float> validation_targets() const {
    const int64_t per_row = data().targets.size() / std::max<int64_t>(1, data().targets.dim(0));
    std::vector<float> out;
    out.reserve(validation_rows_.size() * static_cast<size_t>(per_row));
    for (uint32_t row : validation_rows_) {
      const float* from = data().targets.data() + static_cast<int64_t>(row) * per_row;
      out.insert(out.end(), from, from + per_row);
    }
    return out;
  }

  void score_if_trained(int slot) {
    if (!unscored(slot) || panel_.busy()) return;
    TrainingRun& run = panel_.run(slot);
    ModelScores s;
    s.steps = run.steps();
    auto outputs = run.predict_rows(validation_rows_);
    if (!outputs.is_ok()) {
      message_ = outputs.status().message();
      scores_[slot] = s;  // scored as NaN, so the lab does not wait for it again
      return;
    }
    const uint32_t length = build_.dataset().window_length();
    const uint64_t per_row = length / bin_;
    const std::span<const float> predicted(outputs->data(), static_cast<size_t>(outputs->size()));
    const std::vector<float> observed = validation_targets();
    // Own bin: the model and the truth against the replicate at bin_.
    auto truth_own = average_rows(truth_, length, bin_);
    auto model_coarse = average_rows(predicted, per_row, score_bin_ / bin_);
    auto observed_coarse = average_rows(observed, per_row, score_bin_ / bin_);
    auto truth_coarse = average_rows(truth_, length, score_bin_);
    auto spread = spread_bins(predicted, bin_, static_cast<uint64_t>(predicted.size()) * bin_);
    if (!truth_own.is_ok() || !model_coarse.is_ok() || !observed_coarse.is_ok() || !truth_coarse.is_ok() || !spread.is_ok()) {
      message_ = "output-bins: the validation rows do not divide into the bins";
      scores_[slot] = s;
      return;
    }
    auto value = [](const Result<double>& r) { return r.is_ok() ? *r : NAN; };
    s.own = {value(pearson(predicted, observed)), value(pearson(*truth_own, observed))};
    s.coarse = {value(pearson(*model_coarse, *observed_coarse)), value(pearson(*truth_coarse, *observed_coarse))};
    s.truth_per_base = value(pearson(*spread, truth_));
    // The drawn window's prediction, per base.
    profile_prediction_[slot].assign(spread->begin() + static_cast<int64_t>(profile_index_ * length),
                                     spread->begin() + static_cast<int64_t>((profile_index_ + 1) * length));
    scores_[slot] = s;
  }

  LabServices& services_;
  TrainingPanel panel_;
  uint32_t bin_ = 1;
  uint32_t score_bin_ = 128;
  DatasetBuild build_{64};
  std::optional<FastaReader> genome_;
  std::optional<BigWigReader> track_, truth_reader_;
  std::vector<uint32_t> validation_rows_;
  std::vector<float> truth_;  // [validation rows, L]: expected counts per base
  size_t profile_index_ = 0;
  std::array<std::vector<float>, 2> profile_prediction_;
  std::array<std::optional<ModelScores>, 2> scores_;
  std::string message_;
};

void OutputBinsLab::draw() {
  const float em = ImGui::GetFontSize();
  int choice = static_cast<int>(std::find(kBins.begin(), kBins.end(), bin_) - kBins.begin());
  ImGui::SetNextItemWidth(em * 10);
  if (ImGui::SliderInt("##bin", &choice, 0, static_cast<int>(kBins.size()) - 1, "")) {
    const Status status = set("bin", kBins[static_cast<size_t>(choice)]);
    message_ = status.is_ok() ? "" : status.message();
  }
  char heading[80];
  std::snprintf(heading, sizeof heading, "output bin %u bp, also scored at %u bp", bin_, score_bin_);
  same_line_if_fits(ImGui::CalcTextSize(heading).x);
  ImGui::TextUnformatted(heading);
  const char* provenance = "simulated: planted CTCF-like sites, one replicate's counts per base";
  same_line_if_fits(ImGui::CalcTextSize(provenance).x);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", provenance);
  ImGui::PopStyleColor();
  if (!draw_build_status(build_, message())) return;
  if (ImGui::BeginTable("scores", 6, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
    for (const char* column : {"run", "steps", "r at own bin", "ceiling", "r at score bin", "ceiling"}) {
      ImGui::TableSetupColumn(column);
    }
    ImGui::TableHeadersRow();
    for (int slot = 0; slot < 2; ++slot) {
      if (!scores_[slot]) continue;
      const ModelScores& s = *scores_[slot];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(slot ? "B" : "A");
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.steps));
      for (double v : {s.own.pearson, s.own.ceiling, s.coarse.pearson, s.coarse.ceiling}) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(short_number(v).c_str());
      }
    }
    ImGui::EndTable();
  }
  // One validation window per base: the truth, and run A's prediction at its bin.
  if (!profile_prediction_[0].empty()) {
    const uint32_t length = build_.dataset().window_length();
    const float* truth = truth_.data() + profile_index_ * length;
    double top = 0.1;
    for (uint32_t p = 0; p < length; ++p) top = std::max({top, double(truth[p]), double(profile_prediction_[0][p])});
    PlotArea area = begin_plot("profile", ImVec2(ImGui::GetContentRegionAvail().x, em * 7), 0, length, 0, top * 1.1,
                               "bp along one validation window", "counts per base");
    plot_filled_steps(area, truth, static_cast<int>(length), 0, 1, colours::kTruth, colours::with_alpha(colours::kTruth, 40));
    plot_filled_steps(area, profile_prediction_[0].data(), static_cast<int>(length), 0, 1, colours::kSignal, 0);
    end_plot(area);
  }
  panel_.draw();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_output_bins_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<OutputBinsLab>(params, services);
}

}  // namespace epibook::labs
