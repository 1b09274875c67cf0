// Lab "bug-curves" (chapter 8): what a training curve shows of a bug. The pipeline of
// planted_bugs.h is trained twice with one seed, once clean and once with the bug the
// reader picks, side by side: training and validation loss per epoch, and the test
// windows' MSE and Pearson correlation. Beside them, the tests that catch the bug, so a
// reader sees which bugs a healthy-looking curve hides.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../app/plot.h"
#include "../train/frame_clock.h"
#include "../train/training_panel.h"
#include "lab_factories.h"
#include "planted_bugs.h"

namespace epibook::labs {
namespace {

using bugs::PlantedBug;

constexpr double kFrameBudgetMs = 12;

nlohmann::json run_json(const bugs::BugRun* run) {
  if (!run) return nullptr;
  nlohmann::json epochs = nlohmann::json::array();
  for (const bugs::EpochScores& scores : run->epochs()) epochs.push_back(bugs::epoch_json(scores));
  return {{"steps", run->steps()},
          {"epochs", epochs},
          {"last", run->epochs().empty() ? nlohmann::json(nullptr) : bugs::epoch_json(run->epochs().back())}};
}

class BugCurvesLab final : public Lab {
 public:
  Status configure(const nlohmann::json& params) {
    for (const char* key : {"bug", "epochs", "seed"}) {
      if (params.contains(key)) EPIBOOK_RETURN_IF_ERROR(set(key, params[key]));
    }
    return Status::ok();
  }

  void step() override {
    if (!message_.empty() && failed_) return;
    if (!tracks_) tracks_ = bugs::simulate_tracks(1);
    if (!caught_by_) caught_by_ = bugs::failed_tests(bugs::run_tests(*tracks_, bug_));
    if (!ensure_runs()) return;
    const double deadline = now_ms() + kFrameBudgetMs;
    while (busy() && now_ms() < deadline) {
      for (auto* run : {clean_.get(), bugged_.get()}) {
        if (run->epochs().size() >= epochs_) continue;
        const Status status = run->step();
        if (!status.is_ok()) return fail(status.message());
      }
    }
  }

  bool busy() const override {
    if (failed_) return false;
    return !clean_ || !bugged_ || !caught_by_ || clean_->epochs().size() < epochs_ || bugged_->epochs().size() < epochs_;
  }
  bool training() const override { return busy(); }

  void draw() override;

  nlohmann::json state() const override {
    nlohmann::json state;
    state["lab"] = "bug-curves";
    state["message"] = message_;
    state["bug"] = bugs::bug_name(bug_);
    state["description"] = bugs::bug_description(bug_);
    state["epochs"] = epochs_;
    state["seed"] = seed_;
    state["phase"] = failed_ ? "failed" : busy() ? "training" : "done";
    state["steps_per_epoch"] = clean_ ? nlohmann::json(clean_->steps_per_epoch()) : nlohmann::json(nullptr);
    if (clean_) {
      const bugs::Windows& w = clean_->windows();
      state["windows_per_split"] = {{"train", w.count(Split::kTrain)}, {"validation", w.count(Split::kValidation)}, {"test", w.count(Split::kTest)}};
    }
    state["clean"] = run_json(clean_.get());
    state["bugged"] = run_json(bugged_.get());
    state["caught_by"] = caught_by_ ? nlohmann::json(*caught_by_) : nlohmann::json(nullptr);
    return state;
  }

  Status set(const std::string& key, const nlohmann::json& value) override {
    if (key == "bug") {
      EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, key));
      EPIBOOK_ASSIGN_OR_RETURN(const PlantedBug bug, bugs::parse_bug(name));
      if (bug != bug_) bug_ = bug, bugged_.reset(), caught_by_.reset();
    } else if (key == "epochs") {
      EPIBOOK_ASSIGN_OR_RETURN(const double epochs, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, epochs, 1, 30));
      epochs_ = static_cast<uint32_t>(std::lround(epochs));
      restart();  // fewer epochs than trained: train afresh, so every curve ends where it says
    } else if (key == "seed") {
      EPIBOOK_ASSIGN_OR_RETURN(const double seed, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, seed, 1, 1e9));
      seed_ = static_cast<uint64_t>(std::llround(seed));
      restart();
    } else {
      return invalid_argument("bug-curves has no parameter \"" + key + "\" (bug, epochs, seed)");
    }
    return Status::ok();
  }

  void open_file(const std::string& name) override {
    message_ = name + ": this lab trains its own simulated pipeline";
  }

 private:
  void restart() {
    clean_.reset();
    bugged_.reset();
    failed_ = false;
    message_.clear();
  }

  void fail(std::string message) {
    failed_ = true;
    message_ = std::move(message);
  }

  // The clean run is kept when only the bug changes: the same seed trains the same model.
  bool ensure_runs() {
    for (auto [run, bug] : {std::pair{&clean_, PlantedBug::kNone}, std::pair{&bugged_, bug_}}) {
      if (*run) continue;
      Result<std::unique_ptr<bugs::BugRun>> made = bugs::BugRun::create(*tracks_, bug, seed_);
      if (!made.is_ok()) return fail(made.status().message()), false;
      *run = std::move(made).value();
    }
    return true;
  }

  PlantedBug bug_ = PlantedBug::kGradient;
  uint32_t epochs_ = 8;
  uint64_t seed_ = 1;
  std::optional<bugs::Tracks> tracks_;
  std::unique_ptr<bugs::BugRun> clean_, bugged_;
  std::optional<std::vector<std::string>> caught_by_;
  bool failed_ = false;
  std::string message_;
};

// log10 of one score per epoch for both runs, clean and bugged.
void draw_curves(const char* id, const char* title, const bugs::BugRun& clean, const bugs::BugRun& bugged,
                 double bugs::EpochScores::*field, uint32_t epochs, float width, float height) {
  const float em = ImGui::GetFontSize();
  double lo = INFINITY, hi = -INFINITY;
  for (const bugs::BugRun* run : {&clean, &bugged}) {
    for (const bugs::EpochScores& s : run->epochs()) lo = std::min(lo, std::log10(s.*field)), hi = std::max(hi, std::log10(s.*field));
  }
  if (!(hi > lo)) lo = -2, hi = 0;
  const double pad = (hi - lo) * 0.1 + 1e-3;
  PlotArea area = begin_plot(id, ImVec2(width, height), 0.5, epochs + 0.5, lo - pad, hi + pad, "epoch", title);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  int series = 0;
  for (const bugs::BugRun* run : {&clean, &bugged}) {
    const ImU32 colour = colours::series(series++);
    ImVec2 last;
    for (size_t e = 0; e < run->epochs().size(); ++e) {
      const ImVec2 point(area.px(double(e + 1)), area.py(std::log10(run->epochs()[e].*field)));
      if (e) draw->AddLine(last, point, colour, 2.0f);
      draw->AddCircleFilled(point, em * 0.22f, colour);
      last = point;
    }
  }
  end_plot(area);
}

void BugCurvesLab::draw() {
  const float em = ImGui::GetFontSize();
  if (bugs::bug_picker(bug_)) bugged_.reset(), caught_by_.reset();
  int epochs = static_cast<int>(epochs_);
  ImGui::SetNextItemWidth(em * 8);
  if (ImGui::SliderInt("epochs", &epochs, 1, 30)) {
    const Status status = set("epochs", epochs);
    if (!status.is_ok()) message_ = status.message();
  }
  int seed = static_cast<int>(seed_);
  same_line_if_fits(em * 10);
  ImGui::SetNextItemWidth(em * 6);
  if (ImGui::InputInt("seed", &seed) && seed >= 1) {
    const Status status = set("seed", seed);
    if (!status.is_ok()) message_ = status.message();
  }
  if (!message_.empty()) message_line(message_, failed_);
  if (!clean_ || !bugged_) {
    message_line("simulating the windows", false);
    return;
  }
  ImGui::TextColored(ImColor(colours::series(0)), "clean");
  ImGui::SameLine();
  ImGui::TextColored(ImColor(colours::series(1)), "  with the bug");
  if (busy()) {
    ImGui::SameLine();
    ImGui::TextDisabled("  training: epoch %d of %d", static_cast<int>(std::min(clean_->epochs().size(), bugged_->epochs().size())) + 1,
                        static_cast<int>(epochs_));
  }
  // Side by side on a laptop; on a phone one at a time, in tabs, so the table below still shows.
  const bool narrow = narrow_layout();
  const float width = narrow ? ImGui::GetContentRegionAvail().x : (ImGui::GetContentRegionAvail().x - em) / 2;
  const float height = em * (narrow ? 7.0f : 10.0f);
  if (narrow) {
    if (ImGui::BeginTabBar("curves")) {
      if (ImGui::BeginTabItem("training loss")) {
        draw_curves("train", "log10 training loss", *clean_, *bugged_, &bugs::EpochScores::train_loss, epochs_, width, height);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("validation loss")) {
        draw_curves("validation", "log10 validation loss", *clean_, *bugged_, &bugs::EpochScores::validation_loss, epochs_, width, height);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
  } else {
    draw_curves("train", "log10 training loss", *clean_, *bugged_, &bugs::EpochScores::train_loss, epochs_, width, height);
    ImGui::SameLine();
    draw_curves("validation", "log10 validation loss", *clean_, *bugged_, &bugs::EpochScores::validation_loss, epochs_, width, height);
  }

  if (clean_->epochs().empty() || bugged_->epochs().empty()) return;
  const bugs::EpochScores& a = clean_->epochs().back();
  const bugs::EpochScores& b = bugged_->epochs().back();
  if (ImGui::BeginTable("last", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) {
    char epoch_label[48];
    std::snprintf(epoch_label, sizeof epoch_label, "after epoch %d", static_cast<int>(std::min(clean_->epochs().size(), bugged_->epochs().size())));
    for (const char* column : {static_cast<const char*>(epoch_label), "clean", "with the bug"}) ImGui::TableSetupColumn(column);
    ImGui::TableHeadersRow();
    for (auto [name, field] : {std::pair{"training loss", &bugs::EpochScores::train_loss},
                               std::pair{"validation loss", &bugs::EpochScores::validation_loss},
                               std::pair{"test MSE", &bugs::EpochScores::test_mse},
                               std::pair{"test Pearson r", &bugs::EpochScores::test_pearson}}) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(name);
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", a.*field);
      ImGui::TableNextColumn();
      ImGui::Text("%.4f", b.*field);
    }
    ImGui::EndTable();
  }
  if (caught_by_) {
    std::string caught;
    for (const std::string& name : *caught_by_) caught += (caught.empty() ? "" : ", ") + name;
    ImGui::TextWrapped("Tests that catch it: %s", caught.empty() ? "none (no bug planted)" : caught.c_str());
  }
}

}  // namespace

Result<std::unique_ptr<Lab>> make_bug_curves_lab(const nlohmann::json& params, LabServices&) {
  return configured_lab<BugCurvesLab>(params);
}

}  // namespace epibook::labs
