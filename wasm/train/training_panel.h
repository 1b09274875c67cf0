// The training component every lab that trains embeds: the reader's settings for run A
// (and, side by side, run B), start / pause / one step / reset, live curves of the
// training and validation loss, the validation metric per epoch over its shuffled-label
// floor, predictions against the truth along a stretch of genome, a table of A against
// B, and the run as a record: a link that replays it, the CLI's run directory to
// download, a CLI checkpoint to open. The lab owns the data; the panel trains on it.
//
// Sections: data from the lab | per frame | test API | run records
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "training_run.h"

namespace epibook::labs {

// Layout on a narrow canvas (a phone held upright): under this many font heights of
// width, rows of buttons wrap and the panel shows one view at a time in tabs.
constexpr float kNarrowLayoutEms = 40.0f;
bool narrow_layout();
// SameLine() when an item `next_width` wide still fits on the line, else a new line.
void same_line_if_fits(float next_width);
float button_width(const char* label);

// What the lab tells the panel about its data.
struct PanelData {
  const TrainingData* data = nullptr;
  std::string name;               // the data set's name, as the lab's `dataset` parameter
  uint64_t fingerprint = 0;       // of the arrays (dataset.h), carried in run links
  std::string description_json;   // the data section of manifest.json (sources, options)
  DataOptions data_options;       // where `epibook train` finds the same data (run A and B's settings.data)
  std::vector<std::string> losses;  // the losses that fit these targets, first the default
  // Counts data may come with a second set for BCE: the same inputs and split, 0/1
  // labels in place of the counts (per bin); a run with loss "bce" trains on it.
  const TrainingData* label_data = nullptr;
  DataOptions label_data_options;  // where `epibook train` finds the labels (settings.data of a bce run)
  float count_weight = 1.0f;      // the multinomial loss's count weight when one is chosen
  // A stretch of genome to draw predictions along: rows in genome order and their starts.
  std::vector<uint32_t> stretch_rows;
  std::vector<double> stretch_starts;
  std::string stretch_chrom;      // the sequence they lie on
  double stretch_width = 0;       // bp per row
  std::string stretch_label;      // "chr1:100,000-150,000"
  // The best score a model could reach on these data, when known (planted truth).
  std::optional<double> ceiling;
  std::string ceiling_metric;     // "auroc"
  std::string ceiling_note;
};

class TrainingPanel {
 public:
  // The settings runs start from (a preset), before the lab's own overrides.
  explicit TrainingPanel(TrainOptions defaults);

  // New data (a data set switched, a file opened): runs are cleared; settings kept,
  // except a loss that does not fit, which becomes the data's default.
  void set_data(PanelData data);
  const PanelData& data() const { return data_; }
  bool has_data() const { return data_.data != nullptr; }

  // Per frame: trains the active runs for about `budget_ms` in all.
  void step(double budget_ms);
  bool busy() const;
  void draw();

  // Test API (web/labs/README.md, "Training labs"). Keys: train_steps, start, pause,
  // step, reset, compare, the settings (layers, channels, kernel, pool, dilation, loss,
  // pos_weight (bce), count_weight (multinomial), optimizer, learning_rate, schedule,
  // warmup_steps, batch_size, epochs, seed, clip_norm, patience, min_delta, monitor,
  // reverse_complement, max_shift), and
  // "b.<setting>" for run B (head: global_max_dense or global_avg_dense); "backend" (auto,
  // cpu, webgpu) for both runs, moving runs under way. Returns not_found for a key the panel does not know.
  Status set(const std::string& key, const nlohmann::json& value);
  // A lab block's params (the lab's configure): every key above that they name, then with
  // `run_b` every "b.<key>", but the buttons train_steps and start, which wait for the data.
  Status set_params(const nlohmann::json& params, bool run_b = false);
  void add_state(nlohmann::json& state) const;
  static std::vector<std::string> keys();

  // Run records.
  std::string run_link() const;                 // "#<lab>=<base64url JSON>"
  Status replay_link(const std::string& encoded);  // the part after "="
  void set_link_prefix(std::string prefix) { link_prefix_ = std::move(prefix); }
  // The CLI's run directory of run A (or B) as a tar archive: run/manifest.json,
  // run/metrics.jsonl, run/last.ckpt.
  Result<std::string> run_archive(int run) const;
  // Run A's (or B's) settings as the TOML config `epibook train --config` reads, data
  // paths relative to the site (--data-root): the same run on the command line.
  std::string cli_config(int run) const;
  // A checkpoint (`epibook train`'s last.ckpt or a lab's) opened into run A.
  Status open_checkpoint(const std::string& bytes, const std::string& name);
  // Called after each epoch a run finishes with the run's manifest.json and
  // metrics.jsonl so far (the CLI's run format): run 0 (A) or 1 (B), and a serial that
  // changes whenever that run starts afresh, so the page keeps one record per run and
  // replaces it epoch by epoch (the book's run dashboard lists them).
  using RunRecorder = std::function<void(int run, uint64_t serial, const std::string& manifest_json,
                                         const std::string& metrics_jsonl)>;
  void set_run_recorder(RunRecorder recorder) { recorder_ = std::move(recorder); }

  const std::string& message() const { return message_; }

  // For a lab that scores runs itself (after each epoch): run 0 (A) or 1 (B), whether B
  // is on, and the data a run trains on.
  TrainingRun& run(int index) { return slots_[static_cast<size_t>(index)].run; }
  const TrainingRun& run(int index) const { return slots_[static_cast<size_t>(index)].run; }
  const TrainOptions& settings(int index) const { return slots_[static_cast<size_t>(index)].settings; }
  bool comparing() const { return compare_; }
  const TrainingData& data_for(const TrainOptions& settings) const;

 private:
  struct Slot {
    TrainOptions settings;
    TrainingRun run;
    std::vector<float> stretch_predictions;  // after the last finished epoch
    uint32_t predicted_epoch = 0;
    uint64_t record_serial = 0;    // the run's number for the recorder, new at each fresh start
    uint32_t recorded_epochs = 0;  // epochs the recorder has seen
  };
  // A new run in the slot: the old one's run, predictions and record left behind.
  void clear_slot(Slot& slot);
  void record_epochs(int index);
  Status set_setting(TrainOptions& settings, const std::string& key, const nlohmann::json& value);
  Status ensure_started(int slot);
  void update_stretch(Slot& slot);
  nlohmann::json run_state(const Slot& slot) const;
  void draw_settings(int slot);
  void draw_settings_column(float width);
  void draw_curves(float height);
  void draw_metrics(float height);
  void draw_stretch();
  void draw_table();
  int active_runs() const { return compare_ ? 2 : 1; }
  std::string main_metric() const;

  PanelData data_;
  std::array<Slot, 2> slots_;
  bool compare_ = false;
  int editing_ = 0;
  std::string message_;
  std::string link_prefix_ = "#lab";
  std::optional<std::array<uint64_t, 2>> replay_steps_;  // steps a replayed link still wants
  BackendChoice backend_choice_ = BackendChoice::kAuto;  // both runs'; "backend" in the test API
  RunRecorder recorder_;
};

// For a lab that reads something off a run once it has trained (its scores, an analysis,
// an export), each made after `steps` steps: true when run `slot` has trained steps that
// `made` (nullopt: nothing made yet) does not cover, so the lab has that work left.
template <class Made>
bool run_ahead_of(const TrainingPanel& panel, int slot, const std::optional<Made>& made) {
  const TrainingRun& run = panel.run(slot);
  if (run.phase() == TrainingRun::Phase::kEmpty || run.steps() == 0) return false;
  return !made || made->steps != run.steps();
}

}  // namespace epibook::labs
