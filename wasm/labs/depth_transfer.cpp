// Lab "depth-transfer": a model trained on one sequencing depth of a simulated experiment
// and scored on the other (chapter 6). The two runs (1x and 0.25x: the same expected
// counts, independent noise) give two data sets over the same windows and sequence; the
// training panel trains on the depth the reader picks, and after training the lab
// predicts the validation windows once and scores the predictions against both depths:
// calibration (mean predicted over mean observed), MSE, Pearson, Spearman, and AUROC
// against the planted peaks. The normalisation (none, CPM, arcsinh, CPM then arcsinh:
// core prep.h, as `epibook train`'s [data] normalize and transform) is applied to both
// depths' targets, so the reader sees which scores a depth change breaks and which
// normalisation mends them.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../app/plot.h"
#include "../app/table.h"
#include "../train/dataset_build.h"
#include "../train/training_keys.h"
#include "../train/training_panel.h"
#include "epibook/bigwig.h"
#include "epibook/dataset.h"
#include "epibook/fasta.h"
#include "epibook/metrics.h"
#include "epibook/normalize.h"
#include "epibook/prep.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr double kSliceMs = 8.0;  // work per frame while the data are built
constexpr uint32_t kCountBin = 25;
const char* const kGenome = "assets/first-model/sim/genome.fa";
const char* const kWindows = "assets/depth/windows.bed";
const std::array<const char*, 2> kTracks = {"assets/depth/sim/celltypeA.depth1x.bw",
                                            "assets/depth/sim/celltypeA.depth0.25x.bw"};
const std::array<const char*, 2> kDepthNames = {"1x", "0.25x"};
constexpr std::array<const char*, 4> kNormalizations = {"none", "cpm", "arcsinh", "cpm-arcsinh"};

// A small CNN that reads a 400 bp window and predicts its mean signal: the first model
// (one conv layer of 16 filters of 15 bp, each filter's best match in the window, one
// dense output) with the core's max pooling by 2 kept before the global max. Poisson
// loss, whose output is a log rate: the raw counts reach the tens, and in log space the
// run's few steps go to the shape, not to growing the output's scale.
TrainOptions lab_defaults() {
  TrainOptions options = first_model_train_options();
  options.model.pool = 2;
  options.loss = "poisson";
  options.schedule.base = 1e-2;
  options.epochs = 6;
  return options;
}

struct DepthScores {
  double mean_predicted = NAN, mean_observed = NAN, calibration = NAN, mse = NAN, pearson = NAN, spearman = NAN;
};

struct TransferScores {
  uint64_t steps = 0;
  double auroc = NAN;  // predictions against the planted peak windows: the same at either depth
  DepthScores trained, other;
};

bool uses_cpm(size_t normalization) { return normalization == 1 || normalization == 3; }
bool uses_arcsinh(size_t normalization) { return normalization >= 2; }

nlohmann::json number_or_null(double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); }

class DepthTransferLab final : public Lab {
 public:
  explicit DepthTransferLab(LabServices& services) : services_(services), panel_(lab_defaults()) {
    panel_.set_link_prefix("#depth-transfer");
  }

  Status configure(const nlohmann::json& params) {
    if (params.contains("normalization")) EPIBOOK_RETURN_IF_ERROR(set_normalization(params["normalization"]));
    if (params.contains("train_depth")) EPIBOOK_RETURN_IF_ERROR(set_train_depth(params["train_depth"]));
    EPIBOOK_RETURN_IF_ERROR(panel_.set_params(params));
    services_.files.request_whole(kGenome);
    services_.files.request_whole(kWindows);
    for (const char* track : kTracks) services_.files.request_whole(track);
    restart_loading();
    return Status::ok();
  }

  void step() override {
    const double deadline = now_ms() + kSliceMs;
    if (build().in_progress()) advance_loading(deadline);
    if (!build().ready()) return;
    panel_.step(std::max(1.0, deadline - now_ms()));
    for (int slot = 0; slot < 2; ++slot) score_if_trained(slot);
  }

  bool busy() const override {
    if (build().in_progress()) return true;
    return panel_.busy() || (build().ready() && (unscored(0) || unscored(1)));
  }
  // While it trains the page redraws it at most every 250 ms (lab_app.cpp).
  bool training() const override { return build().ready() && panel_.busy(); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "depth-transfer";
    state["normalization"] = kNormalizations[normalization_];
    state["train_depth"] = kDepthNames[train_];
    state["eval_depth"] = kDepthNames[1 - train_];
    state["stage"] = build().stage_name();
    state["rows"] = builds_[0].rows();
    state["validation_rows"] = validation_rows_.size();
    state["message"] = message();
    panel_.add_state(state);
    if (state["message"].get<std::string>().empty() && !message().empty()) state["message"] = message();
    if (build().ready()) {
      state["target_mean"] = {{"1x", target_mean_[0]}, {"0.25x", target_mean_[1]}};
    }
    auto depth_json = [](const DepthScores& d) -> nlohmann::json {
      return {{"mean_predicted", number_or_null(d.mean_predicted)}, {"mean_observed", number_or_null(d.mean_observed)},
              {"calibration", number_or_null(d.calibration)},       {"mse", number_or_null(d.mse)},
              {"pearson", number_or_null(d.pearson)},               {"spearman", number_or_null(d.spearman)}};
    };
    auto scores_json = [&](const std::optional<TransferScores>& s) -> nlohmann::json {
      if (!s) return nullptr;
      return {{"steps", s->steps}, {"auroc", number_or_null(s->auroc)}, {"trained", depth_json(s->trained)},
              {"other", depth_json(s->other)}};
    };
    state["scores"] = scores_json(scores_[0]);
    if (state.contains("b")) state["b"]["scores"] = scores_json(scores_[1]);
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "normalization" || key == "train_depth") {
      const size_t normalization = normalization_, train = train_;
      EPIBOOK_RETURN_IF_ERROR(key == "normalization" ? set_normalization(value) : set_train_depth(value));
      if (normalization != normalization_ || train != train_) restart_loading();
      return Status::ok();
    }
    Status status = set_training_key(panel_, build(), "depth-transfer", "normalization, train_depth", key, value);
    if (status.is_ok()) scores_[key.rfind("b.", 0) == 0 ? 1 : 0].reset();
    return status;
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains on its simulated depths only (the page shows the CLI run for your own files)";
  }

 private:
  // The build the lab waits on: 1x's, then 0.25x's (built after it). The files are read,
  // and both datasets made, under 1x's build, which a failure there fails.
  const DatasetBuild& build() const { return builds_[0].ready() ? builds_[1] : builds_[0]; }
  // A failure of the data's build, else the lab's last note.
  const std::string& message() const { return build().failed() ? build().failure() : message_; }

  Status set_normalization(const nlohmann::json& value) {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, "normalization"));
    for (size_t n = 0; n < kNormalizations.size(); ++n) {
      if (name == kNormalizations[n]) {
        normalization_ = n;
        return Status::ok();
      }
    }
    return invalid_argument("normalization: \"" + name + "\" is not one of none, cpm, arcsinh, cpm-arcsinh");
  }

  Status set_train_depth(const nlohmann::json& value) {
    std::string name = value.is_number() ? "" : value.is_string() ? value.get<std::string>() : value.dump();
    if (value.is_number()) name = value.get<double>() == 1 ? "1x" : value.get<double>() == 0.25 ? "0.25x" : value.dump();
    if (name == "1" || name == "1x") train_ = 0;
    else if (name == "0.25" || name == "0.25x") train_ = 1;
    else return invalid_argument("train_depth: \"" + name + "\" is not 1x or 0.25x");
    return Status::ok();
  }

  bool unscored(int slot) const { return run_ahead_of(panel_, slot, scores_[slot]); }

  void restart_loading() {
    message_.clear();
    for (DatasetBuild& build : builds_) build.restart();
    validation_rows_.clear();
    scores_ = {};
    panel_.set_data(PanelData{});
  }

  DataOptions data_options(size_t depth) const {
    DataOptions data;
    data.genome = kGenome;
    data.windows = kWindows;
    data.tracks = {kTracks[depth]};
    data.target = "signal";
    data.transform = uses_arcsinh(normalization_) ? "arcsinh" : "none";
    data.normalize = uses_cpm(normalization_) ? "cpm" : "none";
    data.count_bin = kCountBin;
    return data;
  }

  // The files, then one dataset per depth over the same windows (the same WindowDataset
  // `epibook train` builds from data_options), 1x's built before 0.25x's.
  void advance_loading(double deadline) {
    DatasetBuild& first = builds_[0];
    if (first.stage() == DatasetBuild::Stage::kLoading) {
      const std::string* genome = first.whole(services_.files, kGenome);
      const std::string* windows = first.failed() ? nullptr : first.whole(services_.files, kWindows);
      std::array<const std::string*, 2> tracks = {nullptr, nullptr};
      for (size_t d = 0; d < 2 && !first.failed(); ++d) tracks[d] = first.whole(services_.files, kTracks[d]);
      if (!genome || !windows || !tracks[0] || !tracks[1]) return;
      if (!genome_) {
        auto reader = genome_from_bytes(*genome, kGenome);
        if (!reader.is_ok()) return first.fail(reader.status().message());
        genome_.emplace(std::move(reader).value());
      }
      auto parsed = parse_genome_windows(*windows, kWindows);
      if (!parsed.is_ok()) return first.fail(parsed.status().message());
      window_labels_ = parsed->labels;
      std::array<std::optional<WindowDataset>, 2> datasets;
      for (size_t d = 0; d < 2; ++d) {
        if (!tracks_[d]) {
          auto reader = BigWigReader::open(memory_source(*tracks[d], kTracks[d]));
          if (!reader.is_ok()) return first.fail(reader.status().message());
          tracks_[d].emplace(std::move(reader).value());
        }
        SignalSource source = bigwig_signal_source(*tracks_[d]);
        if (uses_cpm(normalization_)) {
          auto library = bigwig_library_size(*tracks_[d], kCountBin);
          if (!library.is_ok()) return first.fail(library.status().message());
          source = scaled_signal_source(std::move(source), *cpm_factor(*library));
        }
        auto options = dataset_options(data_options(d));
        if (!options.is_ok()) return first.fail(options.status().message());
        auto dataset = WindowDataset::create(&*genome_, {std::move(source)}, *parsed, *options);
        if (!dataset.is_ok()) return first.fail(dataset.status().message());
        datasets[d].emplace(std::move(dataset).value());
      }
      for (size_t d = 0; d < 2; ++d) builds_[d].start(std::move(*datasets[d]), kWindows);
    }
    if (first.in_progress()) first.advance(deadline);
    if (!first.ready() || !builds_[1].in_progress() || !builds_[1].advance(deadline)) return;
    if (builds_[0].rows() != builds_[1].rows()) {
      return builds_[1].fail(std::string(kTracks[1]) + ": " + std::to_string(builds_[1].rows()) +
                             " windows have data against " + std::to_string(builds_[0].rows()) + " in " + kTracks[0] +
                             "; the depths must cover the same windows");
    }
    finish_loading();
  }

  void finish_loading() {
    const TrainingData& trained = builds_[train_].data();
    validation_rows_ = trained.rows_of(static_cast<int8_t>(Split::kValidation));
    for (size_t d = 0; d < 2; ++d) {
      double sum = 0;
      for (uint32_t row : validation_rows_) sum += builds_[d].data().targets.data()[row];
      target_mean_[d] = validation_rows_.empty() ? NAN : sum / static_cast<double>(validation_rows_.size());
    }
    PanelData panel;
    panel.data = &trained;
    panel.name = std::string("depth-") + kDepthNames[train_] + "-" + kNormalizations[normalization_];
    panel.fingerprint = data_fingerprint(trained);
    panel.losses = {"poisson", "mse"};
    panel.data_options = data_options(train_);
    panel.description_json = nlohmann::json{{"lab", "depth-transfer"},
                                            {"genome", kGenome},
                                            {"windows", kWindows},
                                            {"tracks", {kTracks[train_]}},
                                            {"target", "signal"},
                                            {"normalize", panel.data_options.normalize},
                                            {"transform", panel.data_options.transform}}
                                 .dump();
    set_validation_stretch(panel, builds_[train_].dataset(), trained, 40);
    panel_.set_data(std::move(panel));
  }

  DepthScores score_against(std::span<const float> predicted, size_t depth) const {
    std::vector<float> observed;
    observed.reserve(validation_rows_.size());
    for (uint32_t row : validation_rows_) observed.push_back(builds_[depth].data().targets.data()[row]);
    DepthScores s;
    double sum_predicted = 0, sum_observed = 0;
    for (size_t i = 0; i < observed.size(); ++i) sum_predicted += predicted[i], sum_observed += observed[i];
    s.mean_predicted = sum_predicted / static_cast<double>(observed.size());
    s.mean_observed = sum_observed / static_cast<double>(observed.size());
    s.calibration = s.mean_predicted / s.mean_observed;
    auto value = [](const Result<double>& r) { return r.is_ok() ? *r : NAN; };
    s.mse = value(mean_squared_error(predicted, observed));
    s.pearson = value(pearson(predicted, observed));
    s.spearman = value(spearman(predicted, observed));
    return s;
  }

  void score_if_trained(int slot) {
    if (!unscored(slot) || panel_.busy()) return;
    TrainingRun& run = panel_.run(slot);
    TransferScores s;
    s.steps = run.steps();
    auto outputs = run.predict_rows(validation_rows_);
    if (!outputs.is_ok() || outputs->size() != static_cast<int64_t>(validation_rows_.size())) {
      message_ = outputs.is_ok() ? "depth-transfer: one prediction per window was expected" : outputs.status().message();
      scores_[slot] = s;  // scored as NaN, so the lab does not wait for it again
      return;
    }
    std::vector<float> predicted(outputs->data(), outputs->data() + outputs->size());
    // A count loss's outputs are log rates: the prediction is their exponential.
    if (outputs_log_rates(panel_.settings(slot).loss)) {
      for (float& p : predicted) p = std::exp(p);
    }
    s.trained = score_against(predicted, train_);
    s.other = score_against(predicted, 1 - train_);
    std::vector<float> labels;
    const WindowDataset& dataset = builds_[train_].dataset();
    for (uint32_t row : validation_rows_) labels.push_back(window_labels_[dataset.window_of_row(row)] > 0 ? 1.0f : 0.0f);
    auto area = auroc(predicted, labels);
    s.auroc = area.is_ok() ? *area : NAN;
    scores_[slot] = s;
  }

  LabServices& services_;
  TrainingPanel panel_;
  size_t normalization_ = 0;
  size_t train_ = 0;  // 0: trains on 1x, 1: on 0.25x
  std::optional<FastaReader> genome_;
  std::array<std::optional<BigWigReader>, 2> tracks_;
  std::array<DatasetBuild, 2> builds_ = {DatasetBuild(64), DatasetBuild(64)};  // 1x, 0.25x: the same rows and inputs
  std::vector<int8_t> window_labels_;
  std::vector<uint32_t> validation_rows_;
  std::array<double, 2> target_mean_ = {NAN, NAN};
  std::array<std::optional<TransferScores>, 2> scores_;
  std::string message_;
};

void DepthTransferLab::draw() {
  const float em = ImGui::GetFontSize();
  ImGui::TextUnformatted("normalisation");
  for (size_t n = 0; n < kNormalizations.size(); ++n) {
    same_line_if_fits(ImGui::CalcTextSize(kNormalizations[n]).x + em * 2);
    if (ImGui::RadioButton(kNormalizations[n], normalization_ == n)) {
      const Status status = set("normalization", kNormalizations[n]);
      message_ = status.is_ok() ? "" : status.message();
    }
  }
  ImGui::TextUnformatted("train on");
  for (size_t d = 0; d < 2; ++d) {
    ImGui::SameLine();
    if (ImGui::RadioButton(d == 0 ? "1x##train" : "0.25x##train", train_ == d)) {
      const Status status = set("train_depth", kDepthNames[d]);
      message_ = status.is_ok() ? "" : status.message();
    }
  }
  char provenance[120];
  std::snprintf(provenance, sizeof provenance, "simulated: one experiment at 1x and 0.25x; scored on %s and %s",
                kDepthNames[train_], kDepthNames[1 - train_]);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", provenance);
  ImGui::PopStyleColor();
  if (!draw_build_status(build(), message())) return;
  if (begin_wrapped_table("scores", {"run, scored on", "mean pred / obs", "MSE", "Pearson", "Spearman", "AUROC"})) {
    for (int slot = 0; slot < 2; ++slot) {
      if (!scores_[slot]) continue;
      const TransferScores& s = *scores_[slot];
      for (int which = 0; which < 2; ++which) {
        const DepthScores& d = which == 0 ? s.trained : s.other;
        ImGui::TableNextRow();
        wrapped_cell(std::string(slot ? "B" : "A") + ", " + kDepthNames[which == 0 ? train_ : 1 - train_]);
        for (double v : {d.calibration, d.mse, d.pearson, d.spearman, s.auroc}) text_cell(short_number(v));
      }
    }
    ImGui::EndTable();
  }
  panel_.draw();
}

}  // namespace

Result<std::unique_ptr<Lab>> make_depth_transfer_lab(const nlohmann::json& params, LabServices& services) {
  return configured_lab<DepthTransferLab>(params, services);
}

}  // namespace epibook::labs
