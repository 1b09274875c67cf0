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
#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>

#include "../app/plot.h"
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
const char* const kGenome = "assets/first-model/sim/genome.fa";
const char* const kTrack = "assets/output-bins/sim/celltypeA.rep1.bw";
const char* const kTruth = "assets/output-bins/sim/celltypeA.expected.bw";
const char* const kWindows = "assets/output-bins/windows.bed";

double now_ms() {
  using Clock = std::chrono::steady_clock;
  return std::chrono::duration<double, std::milli>(Clock::now().time_since_epoch()).count();
}

// The same model at every bin: three dilated conv layers (9 bp kernels, dilation 1, 4,
// 16: each output base sees 169 bp around it, enough for a peak's flanks), no pooling,
// a kernel-1 head per base, averaged to the output bin. MSE on counts: the best
// prediction of a bin is its expected mean count.
TrainOptions lab_defaults() {
  TrainOptions options;
  options.model.conv_layers = 3;
  options.model.channels = 16;
  options.model.kernel_size = 9;
  options.model.dilation_growth = 4;
  options.model.pool = 0;
  options.model.head = "conv";
  options.loss = "mse";
  options.optimizer = OptimizerKind::kAdam;
  options.schedule.base = 3e-3;
  options.batch_size = 32;
  options.epochs = 10;
  options.seed = 1;
  return options;
}

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
  explicit OutputBinsLab(LabServices& services) : services_(services), panel_(lab_defaults()) {
    panel_.set_link_prefix("#output-bins");
  }

  Status configure(const nlohmann::json& params) {
    if (params.contains("bin")) EPIBOOK_RETURN_IF_ERROR(set_bin(params["bin"], "bin", bin_));
    if (params.contains("score_bin")) EPIBOOK_RETURN_IF_ERROR(set_bin(params["score_bin"], "score_bin", score_bin_));
    for (const std::string& key : TrainingPanel::keys()) {
      if (params.contains(key) && key != "train_steps" && key != "start") EPIBOOK_RETURN_IF_ERROR(panel_.set(key, params[key]));
    }
    for (const char* file : {kGenome, kTrack, kTruth, kWindows}) services_.files.request_whole(file);
    restart_loading();
    return Status::ok();
  }

  void step() override {
    const double deadline = now_ms() + kFrameBudgetMs;
    if (stage_ != Stage::kReady && stage_ != Stage::kFailed) advance_loading(deadline);
    if (stage_ != Stage::kReady) return;
    panel_.step(std::max(1.0, deadline - now_ms()));
    for (int slot = 0; slot < 2; ++slot) score_if_trained(slot);
  }

  bool busy() const override {
    if (stage_ != Stage::kReady && stage_ != Stage::kFailed) return true;
    if (panel_.busy()) return true;
    return stage_ == Stage::kReady && (unscored(0) || unscored(1));
  }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "output-bins";
    state["bin"] = bin_;
    state["score_bin"] = score_bin_;
    state["stage"] = stage_name();
    state["rows"] = dataset_ ? dataset_->rows() : 0;
    state["validation_rows"] = validation_rows_.size();
    if (stage_ == Stage::kReady) {
      state["target_shape"] = data_.targets.shape().text();
      state["window"] = dataset_->window_length();
    }
    state["message"] = message_;
    panel_.add_state(state);
    if (state["message"].get<std::string>().empty() && !message_.empty()) state["message"] = message_;
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
    if (stage_ != Stage::kReady && (key == "train_steps" || key == "start" || key == "step")) {
      return invalid_argument(key + ": the data are not ready yet (" + stage_name() + ")");
    }
    Status status = panel_.set(key, value);
    if (status.code() == ErrorCode::kNotFound && status.message() == key) {
      std::string keys = "bin, score_bin";
      for (const std::string& k : TrainingPanel::keys()) keys += ", " + k;
      return invalid_argument("output-bins has no parameter \"" + key + "\" (" + keys + ", b.<setting>)");
    }
    if (status.is_ok()) scores_[key.rfind("b.", 0) == 0 ? 1 : 0].reset();
    return status;
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains on its simulated data only (the page shows the CLI run for your own files)";
  }

 private:
  enum class Stage { kLoading, kScanning, kFilling, kReady, kFailed };

  std::string stage_name() const {
    switch (stage_) {
      case Stage::kLoading: return "loading";
      case Stage::kScanning: return "scanning";
      case Stage::kFilling: return "building";
      case Stage::kReady: return "ready";
      case Stage::kFailed: return "failed";
    }
    return "";
  }

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

  bool unscored(int slot) const {
    const TrainingRun& run = panel_.run(slot);
    if (run.phase() == TrainingRun::Phase::kEmpty || run.steps() == 0) return false;
    return !scores_[slot] || scores_[slot]->steps != run.steps();
  }

  void fail(std::string message) {
    stage_ = Stage::kFailed;
    message_ = std::move(message);
  }

  const std::string* whole(const std::string& name) {
    if (const std::string* failure = services_.files.failure(name)) {
      fail(name + ": " + *failure);
      return nullptr;
    }
    return services_.files.whole(name);
  }

  void restart_loading() {
    stage_ = Stage::kLoading;
    message_.clear();
    dataset_.reset();
    data_ = TrainingData();
    filled_ = 0;
    validation_rows_.clear();
    truth_.clear();
    scores_ = {};
    panel_.set_data(PanelData{});
  }

  void advance_loading(double deadline) {
    if (stage_ == Stage::kLoading) {
      const std::string* genome = whole(kGenome);
      const std::string* track = stage_ == Stage::kFailed ? nullptr : whole(kTrack);
      const std::string* truth = stage_ == Stage::kFailed ? nullptr : whole(kTruth);
      const std::string* windows = stage_ == Stage::kFailed ? nullptr : whole(kWindows);
      if (!genome || !track || !truth || !windows) return;
      if (!genome_) {
        auto index = build_fai_from_memory(*genome, kGenome);
        if (!index.is_ok()) return fail(index.status().message());
        auto reader = FastaReader::open(memory_source(*genome, kGenome), std::move(index).value());
        if (!reader.is_ok()) return fail(reader.status().message());
        genome_.emplace(std::move(reader).value());
      }
      if (!track_) {
        auto reader = BigWigReader::open(memory_source(*track, kTrack));
        if (!reader.is_ok()) return fail(reader.status().message());
        track_.emplace(std::move(reader).value());
        auto expected = BigWigReader::open(memory_source(*truth, kTruth));
        if (!expected.is_ok()) return fail(expected.status().message());
        truth_reader_.emplace(std::move(expected).value());
      }
      std::vector<SignalSource> tracks = {bigwig_signal_source(*track_)};
      tracks.back().name = kTrack;
      auto parsed = parse_genome_windows(*windows, kWindows);
      if (!parsed.is_ok()) return fail(parsed.status().message());
      DatasetOptions options;
      options.target = TargetKind::kSignal;
      options.bin = bin_;
      options.transform = SignalTransform::kNone;
      auto dataset = WindowDataset::create(&*genome_, std::move(tracks), std::move(parsed).value(), options);
      if (!dataset.is_ok()) return fail(dataset.status().message());
      dataset_.emplace(std::move(dataset).value());
      stage_ = Stage::kScanning;
    }
    while (stage_ == Stage::kScanning && now_ms() < deadline) {
      auto done = dataset_->scan(64);
      if (!done.is_ok()) return fail(done.status().message());
      if (*done) {
        if (dataset_->rows() == 0) return fail(std::string(kWindows) + ": no window has complete targets");
        const Status prepared = dataset_->prepare(data_);
        if (!prepared.is_ok()) return fail(prepared.message());
        stage_ = Stage::kFilling;
      }
    }
    while (stage_ == Stage::kFilling && now_ms() < deadline) {
      const uint64_t count = std::min<uint64_t>(64, dataset_->rows() - filled_);
      const Status status = dataset_->fill_rows(filled_, count, data_);
      if (!status.is_ok()) return fail(status.message());
      filled_ += count;
      if (filled_ == dataset_->rows()) finish_loading();
    }
  }

  void finish_loading() {
    // The truth per base over the validation windows, for the ceilings and the per-base score.
    validation_rows_ = data_.rows_of(static_cast<int8_t>(Split::kValidation));
    const uint32_t length = dataset_->window_length();
    truth_.resize(validation_rows_.size() * length);
    for (size_t i = 0; i < validation_rows_.size(); ++i) {
      const Region& window = dataset_->regions()[dataset_->window_of_row(validation_rows_[i])];
      const Status status = truth_reader_->values_batch(std::span<const Region>(&window, 1),
                                                        std::span<float>(truth_.data() + i * length, length));
      if (!status.is_ok()) return fail(status.message());
    }
    PanelData panel;
    panel.data = &data_;
    panel.name = "sim-profiles";
    panel.fingerprint = data_fingerprint(data_);
    panel.losses = {"mse"};
    panel.data_options.genome = kGenome;
    panel.data_options.windows = kWindows;
    panel.data_options.tracks = {kTrack};
    panel.data_options.target = "signal";
    panel.data_options.bin = bin_;
    panel.description_json = nlohmann::json{{"lab", "output-bins"}, {"genome", kGenome}, {"windows", kWindows},
                                            {"tracks", {kTrack}}, {"target", "signal"}, {"bin", bin_}}
                                 .dump();
    // The stretch: the first validation rows that follow one another along one sequence.
    const auto& regions = dataset_->regions();
    for (uint32_t row : validation_rows_) {
      if (panel.stretch_rows.size() >= 40) break;
      const Region& window = regions[dataset_->window_of_row(row)];
      if (!panel.stretch_rows.empty() && regions[dataset_->window_of_row(panel.stretch_rows.back())].chrom != window.chrom) break;
      panel.stretch_rows.push_back(row);
      panel.stretch_starts.push_back(static_cast<double>(window.start));
    }
    if (!panel.stretch_rows.empty()) {
      const Region& first = regions[dataset_->window_of_row(panel.stretch_rows.front())];
      const Region& last = regions[dataset_->window_of_row(panel.stretch_rows.back())];
      panel.stretch_width = static_cast<double>(dataset_->window_length());
      panel.stretch_chrom = first.chrom;
      panel.stretch_label = format_region({first.chrom, first.start, last.end}) + ", validation windows";
    }
    panel_.set_data(std::move(panel));
    // The window drawn: the validation window with the highest expected count.
    profile_index_ = 0;
    float best = -1;
    for (size_t i = 0; i < validation_rows_.size(); ++i) {
      for (uint32_t p = 0; p < length; ++p) {
        if (truth_[i * length + p] > best) best = truth_[i * length + p], profile_index_ = i;
      }
    }
    stage_ = Stage::kReady;
  }

  // The validation targets at the model's bin, row after row.
  std::vector<float> validation_targets() const {
    const int64_t per_row = data_.targets.size() / std::max<int64_t>(1, data_.targets.dim(0));
    std::vector<float> out;
    out.reserve(validation_rows_.size() * static_cast<size_t>(per_row));
    for (uint32_t row : validation_rows_) {
      const float* from = data_.targets.data() + static_cast<int64_t>(row) * per_row;
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
    const uint32_t length = dataset_->window_length();
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
  Stage stage_ = Stage::kLoading;
  std::optional<FastaReader> genome_;
  std::optional<BigWigReader> track_, truth_reader_;
  std::optional<WindowDataset> dataset_;
  TrainingData data_;
  uint64_t filled_ = 0;
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
  if (!message_.empty()) message_line(message_, true);
  if (stage_ == Stage::kFailed) return;
  if (stage_ != Stage::kReady) {
    message_line("preparing the data (" + stage_name() + ")", false);
    return;
  }
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
    const uint32_t length = dataset_->window_length();
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
  auto lab = std::make_unique<OutputBinsLab>(services);
  EPIBOOK_RETURN_IF_ERROR(lab->configure(params));
  return std::unique_ptr<Lab>(std::move(lab));
}

}  // namespace epibook::labs
