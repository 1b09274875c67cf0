// What the labs that drive the first-model lab through its test API share (seed-variance
// sweeps seeds, lr-sweep sweeps learning rates): which of the runs' keys the reader may
// set through them, where their sweep stands (DrivenSweep: the phase, the run under way,
// the keys sweep, pause, clear and the forwarded settings, the wait for the runs, the
// sweep's button and summary line), and numbers that may be missing as JSON. The driving
// lab owns the swept setting, compare and the run's buttons; every other panel setting
// goes on to the runs.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "lab.h"

namespace epibook::labs {

nlohmann::json number_or_null(double v);

// Keys a driving lab keeps for itself on the runs: the swept setting, B's presence, the buttons.
bool driver_owns(const std::string& key, const std::string& swept);
// The first-model keys a reader sets through a driving lab: the data set and the runs'
// settings (B's as "b.<setting>"), not the swept one.
bool driver_forwards(const std::string& key, const std::string& swept);

// A driving lab's sweep: one run (or pair) after another on the first-model lab `runs`.
class DrivenSweep {
 public:
  enum class Phase { kIdle, kRunning, kPaused, kDone, kFailed };

  // `lab` names the driving lab in messages, `swept` is the setting it sets itself, `own_keys`
  // its own parameters (for the message on an unknown key); `clear_results` empties the
  // driving lab's results (and is called when a setting changes or the sweep starts over).
  DrivenSweep(std::string lab, std::string swept, std::string own_keys, std::function<void()> clear_results);

  // The runs: the first-model lab with `dataset`, A alone or A and B (`compare`), on the CPU.
  Status make_runs(const std::string& dataset, bool compare, LabServices& services);
  Lab& runs() const { return *runs_; }

  // The lab is busy (or training) while the sweep runs or the runs work.
  bool busy() const { return running() || runs_->busy(); }
  bool training() const { return running() || runs_->training(); }
  // The fields every driving lab's state starts with: lab, dataset, stage, phase, message,
  // and the runs' settings, cli_config, steps_in_run and data_fingerprint (run A's).
  nlohmann::json state_head(const nlohmann::json& runs_state) const;

  Phase phase() const { return phase_; }
  const char* phase_name() const;
  bool running() const { return phase_ == Phase::kRunning; }
  bool started() const { return started_; }
  const std::string& message() const { return message_; }
  void set_message(std::string text) { message_ = std::move(text); }
  void fail(std::string why);
  void finish() { phase_ = Phase::kDone; }
  // The results were cleared: nothing under way, idle (a failure stays).
  void reset();

  // The keys sweep, pause, clear and every forwarded setting; any other is refused with
  // a message listing the keys.
  Status set(const std::string& key, const nlohmann::json& value);
  // After the runs' frame: their state when the sweep may move on (running, the runs idle,
  // the data ready); nullopt otherwise. A failed data build fails the sweep.
  std::optional<nlohmann::json> ready_state();
  // Sets each of `settings` on the runs (which starts them afresh), then Train.
  void start(const nlohmann::json& settings);
  // The run under way has been read: the next may start.
  void run_recorded() { started_ = false; }

  void refuse_file(const std::string& name);
  // The head of a driving lab's draw: the sweep's button (Pause, Resume or "Train <count>
  // <what>"; a refusal becomes the message), the lab's own controls, then its summary
  // (muted, beside them where it fits) and the message: false after a failure, when the
  // lab draws nothing more.
  void draw_button(int count, const char* what);
  bool draw_summary(const char* summary) const;
  // The runs' own panel under a collapsed header of that name.
  void draw_runs(const char* header) const;

 private:
  std::string lab_, swept_, own_keys_;
  std::function<void()> clear_results_;
  std::unique_ptr<Lab> runs_;  // the first-model lab: data, runs A (and B), their panel and run records
  Phase phase_ = Phase::kIdle;
  bool started_ = false;
  std::string message_;
};

}  // namespace epibook::labs
