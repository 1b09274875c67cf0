// Labs "lr-schedules", "batch-size", "early-stopping" and "augmentation" (chapter 4,
// Training tricks): the training panel on the planted-motif windows of the simulated
// genome (first-model/sim), runs A and B side by side with one setting apart (a cosine
// schedule, batches of 256, a patience of 3, reverse complement). Above the
// panel each run's learning rate at every step, with a line where early stopping ended
// it. Training windows: all of them, or a deliberately small set (one training window in
// eight, every validation window kept). The labs are one class: they differ in their
// windows and in the settings of A and B.
#include <imgui.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "../app/plot.h"
#include "../train/dataset_build.h"
#include "../train/training_keys.h"
#include "../train/training_panel.h"
#include "epibook/nn/schedule.h"
#include "epibook/split.h"
#include "lab_factories.h"

namespace epibook::labs {
namespace {

constexpr double kFrameBudgetMs = 8.0;
constexpr size_t kStretchRows = 40;
const char* const kGenome = "assets/first-model/sim/genome.fa";

struct WindowSet {
  const char* name;
  const char* windows;
  const char* description;
};

struct TricksSpec {
  const char* lab;
  std::vector<WindowSet> window_sets;  // the first is the default
  void (*both)(TrainOptions&);         // the lab's settings for runs A and B
  void (*run_b)(TrainOptions&);        // what run B changes on top of them
};

// Every training window of the planted-motif set; and one in eight of them, the
// validation and test windows kept whole (make-assets, "training tricks").
const WindowSet kAllWindows{"all", "assets/first-model/sim-windows.bed",
                            "every training window of the first model's set"};
const WindowSet kSmallWindows{"small", "assets/training-tricks/small-windows.bed",
                              "one training window in eight; every validation window"};

void unchanged(TrainOptions&) {}
void cosine_b(TrainOptions& o) { o.schedule.kind = nn::LearningRateSchedule::Kind::kCosine; }
void large_batch_b(TrainOptions& o) { o.batch_size = 256; }
// Overfitting on the small set: the high rate of the schedules page (0.03) for 30 epochs,
// where the training loss falls towards 0 and the validation loss turns up after a few epochs.
void overfitting(TrainOptions& o) {
  o.schedule.base = 0.03;
  o.epochs = 30;
}
void patience_b(TrainOptions& o) { o.early_stopping.patience = 3; }
// The small set for 30 epochs at 0.01: long enough for a run that finds the motif to
// settle, so the difference between A and B is what the augmentation did, not speed.
void small_set_training(TrainOptions& o) {
  o.schedule.base = 0.01;
  o.epochs = 30;
}
void reverse_complement_b(TrainOptions& o) { o.augment.reverse_complement = true; }

const TricksSpec kScheduleLab{"lr-schedules", {kAllWindows, kSmallWindows}, unchanged, cosine_b};
const TricksSpec kBatchLab{"batch-size", {kAllWindows, kSmallWindows}, unchanged, large_batch_b};
const TricksSpec kStoppingLab{"early-stopping", {kSmallWindows, kAllWindows}, overfitting, patience_b};
const TricksSpec kAugmentationLab{"augmentation", {kSmallWindows, kAllWindows}, small_set_training, reverse_complement_b};

TrainOptions lab_settings(const TricksSpec& spec) {
  TrainOptions options = first_model_train_options();
  spec.both(options);
  return options;
}

class TrainingTricksLab final : public Lab {
 public:
  TrainingTricksLab(LabServices& services, const TricksSpec& spec)
      : services_(services), spec_(spec), panel_(lab_settings(spec)) {
    panel_.set_link_prefix(std::string("#") + spec.lab);
  }

  Status configure(const nlohmann::json& params) {
    EPIBOOK_RETURN_IF_ERROR(choose(param_text(params, "train_windows", spec_.window_sets.front().name)));
    // Run B starts as the lab's comparison: the Train button trains both.
    EPIBOOK_RETURN_IF_ERROR(panel_.set("compare", true));
    TrainOptions b = lab_settings(spec_);
    spec_.run_b(b);
    EPIBOOK_RETURN_IF_ERROR(apply_to_b(b));
    return panel_.set_params(params, true);
  }

  void step() override {
    const double deadline = now_ms() + kFrameBudgetMs;
    if (build_.in_progress()) advance_loading(deadline);
    if (build_.ready()) panel_.step(std::max(1.0, deadline - now_ms()));
  }

  bool busy() const override { return build_.in_progress() || panel_.busy(); }
  bool training() const override { return build_.ready() && panel_.busy(); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = spec_.lab;
    state["train_windows"] = window_set_->name;
    state["windows"] = window_set_->windows;
    state["stage"] = build_.stage_name();
    state["rows"] = build_.rows();
    if (build_.ready()) {
      state["rows_per_split"] = rows_per_split(build_.data());
      state["input_shape"] = build_.data().inputs.shape().text();
    }
    state["message"] = message();
    panel_.add_state(state);
    if (state["message"].get<std::string>().empty() && !message().empty()) state["message"] = message();
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "train_windows") {
      EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, key));
      return choose(name);
    }
    return set_training_key(panel_, build_, spec_.lab, "train_windows", key, value);
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains on its simulated windows only (the page shows the CLI run for your own files)";
  }

 private:
  const std::string& message() const { return build_.failed() ? build_.failure() : message_; }

  // Run B's settings where they differ from the defaults, through the panel's keys (so
  // each is checked as the reader's would be).
  Status apply_to_b(const TrainOptions& b) {
    const TrainOptions a = lab_settings(spec_);
    if (b.schedule.kind != a.schedule.kind) {
      EPIBOOK_RETURN_IF_ERROR(panel_.set("b.schedule", nn::schedule_kind_name(b.schedule.kind)));
    }
    if (b.batch_size != a.batch_size) EPIBOOK_RETURN_IF_ERROR(panel_.set("b.batch_size", b.batch_size));
    if (b.early_stopping.patience != a.early_stopping.patience) {
      EPIBOOK_RETURN_IF_ERROR(panel_.set("b.patience", b.early_stopping.patience));
    }
    if (b.augment.reverse_complement) EPIBOOK_RETURN_IF_ERROR(panel_.set("b.reverse_complement", true));
    if (b.augment.max_shift) EPIBOOK_RETURN_IF_ERROR(panel_.set("b.max_shift", b.augment.max_shift));
    return Status::ok();
  }

  Status choose(const std::string& name) {
    const WindowSet* found = nullptr;
    std::string names;
    for (const WindowSet& set : spec_.window_sets) {
      if (name == set.name) found = &set;
      names += (names.empty() ? "" : ", ") + std::string(set.name);
    }
    if (found == nullptr) return invalid_argument("train_windows: no window set \"" + name + "\" (" + names + ")");
    if (found == window_set_ && !build_.failed()) return Status::ok();
    window_set_ = found;
    message_.clear();
    build_.restart();
    genome_.reset();
    panel_.set_data(PanelData{});
    services_.files.request_whole(kGenome);
    services_.files.request_whole(window_set_->windows);
    return Status::ok();
  }

  void advance_loading(double deadline) {
    if (build_.stage() == DatasetBuild::Stage::kLoading) {
      const std::string* genome = build_.whole(services_.files, kGenome);
      const std::string* windows = build_.failed() ? nullptr : build_.whole(services_.files, window_set_->windows);
      if (genome == nullptr || windows == nullptr) return;
      if (!genome_) {
        auto reader = genome_from_bytes(*genome, kGenome);
        if (!reader.is_ok()) return build_.fail(reader.status().message());
        genome_.emplace(std::move(reader).value());
      }
      auto parsed = parse_genome_windows(*windows, window_set_->windows);
      if (!parsed.is_ok()) return build_.fail(parsed.status().message());
      DatasetOptions options;
      options.target = TargetKind::kLabel;
      auto dataset = WindowDataset::create(&*genome_, {}, std::move(parsed).value(), options);
      if (!dataset.is_ok()) return build_.fail(dataset.status().message());
      build_.start(std::move(dataset).value(), window_set_->windows);
    }
    if (build_.advance(deadline)) finish_loading();
  }

  void finish_loading() {
    const TrainingData& data = build_.data();
    PanelData panel;
    panel.data = &data;
    panel.name = std::string(spec_.lab) + "-" + window_set_->name;
    panel.fingerprint = data_fingerprint(data);
    panel.losses = {"bce"};
    panel.data_options.genome = kGenome;
    panel.data_options.windows = window_set_->windows;
    panel.data_options.target = "label";
    panel.description_json = nlohmann::json{{"lab", spec_.lab}, {"genome", kGenome}, {"windows", window_set_->windows},
                                            {"target", "label"}}
                                 .dump();
    set_validation_stretch(panel, build_.dataset(), data, kStretchRows);
    panel_.set_data(std::move(panel));
  }

  void draw_schedules();

  LabServices& services_;
  const TricksSpec& spec_;
  TrainingPanel panel_;
  const WindowSet* window_set_ = nullptr;
  DatasetBuild build_;
  std::optional<FastaReader> genome_;
  std::string message_;
};

// Each run's learning rate at every step of its run (the schedule's closed form, as the
// trainer asks it), with the epoch early stopping ended the run at.
void TrainingTricksLab::draw_schedules() {
  const float em = ImGui::GetFontSize();
  const int runs = panel_.comparing() ? 2 : 1;
  double steps = 1, top = 0;  // no rates: begin_plot shows 0..1
  std::array<std::vector<float>, 2> rates;
  for (int i = 0; i < runs; ++i) {
    const TrainingRun& run = panel_.run(i);
    nn::LearningRateSchedule schedule = panel_.settings(i).schedule;
    uint64_t total = run.steps_in_run();
    if (total == 0) {
      const uint64_t train_rows = build_.data().rows_of(static_cast<int8_t>(Split::kTrain)).size();
      const uint64_t batch = std::max<uint32_t>(1, panel_.settings(i).batch_size);
      total = panel_.settings(i).epochs * ((train_rows + batch - 1) / batch);
    }
    if (schedule.total_steps == 0) schedule.total_steps = std::max<uint64_t>(1, total);
    const uint64_t stride = std::max<uint64_t>(1, total / 400);
    for (uint64_t t = 0; t < total; t += stride) rates[static_cast<size_t>(i)].push_back(static_cast<float>(nn::learning_rate_at(schedule, t)));
    for (float r : rates[static_cast<size_t>(i)]) top = std::max<double>(top, r);
    steps = std::max<double>(steps, static_cast<double>(total));
  }
  const PlotArea area = begin_plot("##rates", ImVec2(ImGui::GetContentRegionAvail().x, em * 7), 0, steps, 0, top * 1.1,
                                   "step", "learning rate");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (int i = 0; i < runs; ++i) {
    const std::vector<float>& line = rates[static_cast<size_t>(i)];
    const double stride = line.size() > 1 ? steps / static_cast<double>(line.size()) : 1;
    std::vector<ImVec2> points;
    for (size_t k = 0; k < line.size(); ++k) points.emplace_back(area.px(static_cast<double>(k) * stride), area.py(line[k]));
    if (points.size() > 1) draw->AddPolyline(points.data(), static_cast<int>(points.size()), colours::series(i), 0, 2.0f);
    // Where early stopping ended the run: a line at its last step.
    const TrainingRun& run = panel_.run(i);
    if (!run.epochs().empty() && run.epochs().back().record.stop) {
      const float x = area.px(static_cast<double>(run.epochs().back().record.steps));
      draw->AddLine(ImVec2(x, area.min.y), ImVec2(x, area.max.y), colours::series(i), 1.5f);
    }
  }
  end_plot(area);
}

void TrainingTricksLab::draw() {
  const float em = ImGui::GetFontSize();
  ImGui::SetNextItemWidth(em * 7);
  if (ImGui::BeginCombo("training windows", window_set_->name)) {
    for (const WindowSet& set : spec_.window_sets) {
      if (ImGui::Selectable(set.name, &set == window_set_)) {
        const Status status = choose(set.name);
        if (!status.is_ok()) message_ = status.message();
      }
    }
    ImGui::EndCombo();
  }
  char line[200];
  std::snprintf(line, sizeof line, "%s; simulated: planted CTCF-like motifs, peak label per 200 bp window",
                window_set_->description);
  same_line_if_fits(ImGui::CalcTextSize(line).x);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", line);
  ImGui::PopStyleColor();
  if (!draw_build_status(build_, message())) return;
  draw_schedules();
  panel_.draw();
}

Result<std::unique_ptr<Lab>> make_tricks_lab(const TricksSpec& spec, const nlohmann::json& params, LabServices& services) {
  return configured_lab<TrainingTricksLab>(params, services, spec);
}

}  // namespace

Result<std::unique_ptr<Lab>> make_lr_schedules_lab(const nlohmann::json& params, LabServices& services) {
  return make_tricks_lab(kScheduleLab, params, services);
}

Result<std::unique_ptr<Lab>> make_batch_size_lab(const nlohmann::json& params, LabServices& services) {
  return make_tricks_lab(kBatchLab, params, services);
}

Result<std::unique_ptr<Lab>> make_early_stopping_lab(const nlohmann::json& params, LabServices& services) {
  return make_tricks_lab(kStoppingLab, params, services);
}

Result<std::unique_ptr<Lab>> make_augmentation_lab(const nlohmann::json& params, LabServices& services) {
  return make_tricks_lab(kAugmentationLab, params, services);
}

}  // namespace epibook::labs
