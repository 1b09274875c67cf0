// DrivenSweep and the key rules of the labs that drive the first-model lab (driven_runs.h).
#include "driven_runs.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "../app/plot.h"
#include "../train/training_panel.h"

namespace epibook::labs {

nlohmann::json number_or_null(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

bool driver_owns(const std::string& key, const std::string& swept) {
  return key == swept || key == "compare" || key == "train_steps" || key == "start" || key == "step" || key == "reset" ||
         key == "pause";
}

bool driver_forwards(const std::string& key, const std::string& swept) {
  if (key == "dataset") return true;
  const std::string setting = key.rfind("b.", 0) == 0 ? key.substr(2) : key;
  const std::vector<std::string> keys = TrainingPanel::keys();
  return !driver_owns(setting, swept) && std::find(keys.begin(), keys.end(), setting) != keys.end();
}

DrivenSweep::DrivenSweep(std::string lab, std::string swept, std::string own_keys, std::function<void()> clear_results)
    : lab_(std::move(lab)), swept_(std::move(swept)), own_keys_(std::move(own_keys)), clear_results_(std::move(clear_results)) {}

Status DrivenSweep::make_runs(const std::string& dataset, bool compare, LabServices& services) {
  const nlohmann::json params = {{"dataset", dataset}, {"compare", compare ? "on" : "off"}, {"backend", "cpu"}};
  EPIBOOK_ASSIGN_OR_RETURN(runs_, make_lab("first-model", params, services));
  return Status::ok();
}

const char* DrivenSweep::phase_name() const {
  switch (phase_) {
    case Phase::kIdle: return "idle";
    case Phase::kRunning: return "running";
    case Phase::kPaused: return "paused";
    case Phase::kDone: return "done";
    case Phase::kFailed: return "failed";
  }
  return "";
}

nlohmann::json DrivenSweep::state_head(const nlohmann::json& runs) const {
  nlohmann::json state;
  state["lab"] = lab_;
  state["dataset"] = runs.value("dataset", "");
  state["stage"] = runs.value("stage", "");
  state["phase"] = phase_name();
  state["message"] = message_.empty() ? runs.value("message", "") : message_;
  state["settings"] = runs.value("settings", nlohmann::json());
  state["cli_config"] = runs.value("cli_config", "");  // what `epibook train --config` runs (the page's toml)
  state["steps_in_run"] = runs.value("steps_in_run", 0);
  state["data_fingerprint"] = runs.value("data_fingerprint", "");
  return state;
}

void DrivenSweep::fail(std::string why) {
  phase_ = Phase::kFailed;
  message_ = std::move(why);
}

void DrivenSweep::reset() {
  started_ = false;
  if (phase_ != Phase::kFailed) phase_ = Phase::kIdle;
}

Status DrivenSweep::set(const std::string& key, const nlohmann::json& value) {
  if (key == "sweep") {
    if (phase_ == Phase::kFailed) return invalid_argument(message_.empty() ? "the data could not be built" : message_);
    message_.clear();
    if (phase_ == Phase::kDone) clear_results_();
    phase_ = Phase::kRunning;
    return started_ ? runs_->set("start", 1) : Status::ok();  // a paused run trains on from where it stopped
  }
  if (key == "pause") {
    if (phase_ == Phase::kRunning) phase_ = Phase::kPaused;
    return runs_->set("pause", value);
  }
  if (key == "clear") {
    clear_results_();
    return runs_->set("reset", value);
  }
  if (!driver_forwards(key, swept_)) {
    std::string keys = own_keys_ + ", sweep, pause, clear, dataset";
    for (const std::string& k : TrainingPanel::keys()) {
      if (!driver_owns(k, swept_)) keys += ", " + k;
    }
    return invalid_argument(lab_ + " has no parameter \"" + key + "\" (" + keys + ", b.<setting>; the lab sets " + swept_ +
                            " and trains the runs itself)");
  }
  const Status status = runs_->set(key, value);
  if (status.is_ok() && key != "threads" && key != "backend") clear_results_();  // other settings, other runs
  return status;
}

std::optional<nlohmann::json> DrivenSweep::ready_state() {
  runs_->step();
  if (phase_ != Phase::kRunning || runs_->busy()) return std::nullopt;
  nlohmann::json state = runs_->state();
  const std::string stage = state.value("stage", "");
  if (stage == "ready") return state;
  if (stage == "failed") fail(state.value("message", "the data could not be built"));
  return std::nullopt;
}

void DrivenSweep::start(const nlohmann::json& settings) {
  for (auto it = settings.begin(); it != settings.end(); ++it) {
    const Status status = runs_->set(it.key(), it.value());
    if (!status.is_ok()) return fail(status.message());
  }
  const Status status = runs_->set("start", 1);
  if (!status.is_ok()) return fail(status.message());
  started_ = true;
}

void DrivenSweep::refuse_file(const std::string& name) {
  message_ = name + ": this lab trains on the book's data; open files in the first-model lab";
}

void DrivenSweep::draw_button(int count, const char* what) {
  char label[48];
  std::snprintf(label, sizeof label, running() ? "Pause" : phase_ == Phase::kPaused ? "Resume" : "Train %d %s", count, what);
  if (ImGui::Button(label)) {
    const Status status = set(running() ? "pause" : "sweep", 1);
    if (!status.is_ok()) message_ = status.message();
  }
}

bool DrivenSweep::draw_summary(const char* summary) const {
  same_line_if_fits(ImGui::CalcTextSize(summary).x);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", summary);
  ImGui::PopStyleColor();
  if (!message_.empty()) message_line(message_, true);
  return phase_ != Phase::kFailed;
}

void DrivenSweep::draw_runs(const char* header) const {
  if (!ImGui::CollapsingHeader(header)) return;
  ImGui::PushID("runs");
  runs_->draw();
  ImGui::PopID();
}

}  // namespace epibook::labs
