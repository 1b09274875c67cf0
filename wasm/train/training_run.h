// One training run inside a lab: a model built from a ModelSpec, trained on in-memory
// TrainingData by the core's Trainer a bounded slice per frame (steps, then validation
// batch by batch at an epoch's end), so the page keeps scrolling while it learns. A lab
// that trains embeds one or two of these (runs A and B) through training_panel.h.
//
// Sections: settings | the run | what it learned
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend_choice.h"
#include "epibook/train.h"

namespace epibook::labs {

// CPU backend threads a run may use in this page: 2 in the labs module built with
// -pthread (epibook-labs-mt, which lab-host.js loads only in cross-origin isolated
// pages), 1 in the single-thread module. Any count gives the same bits.
#if defined(__EMSCRIPTEN_PTHREADS__)
constexpr int kPageThreads = 2;
#else
constexpr int kPageThreads = 1;
#endif

// One epoch as the lab shows it: the trainer's record and the shuffled-label floor of
// each ranking metric on the same validation outputs.
struct EpochView {
  EpochRecord record;
  std::vector<Evaluation::Floor> floors;
};

class TrainingRun {
 public:
  TrainingRun();
  ~TrainingRun();
  TrainingRun(TrainingRun&&) noexcept;
  TrainingRun& operator=(TrainingRun&&) noexcept;

  enum class Phase { kEmpty, kReady, kFinished, kFailed };

  // Builds the model from options.model for these data (seeded by options.seed) and its
  // trainer on `backend` (auto: the CPU, while a probe decides); refuses a model too large
  // for the page, naming its size.
  Status start(const TrainingData& data, const TrainOptions& options, BackendChoice backend = BackendChoice::kCpu);
  // Loads a checkpoint's parameters into a model of its own spec: the run then predicts
  // (and can continue training) on `data`, which must have the checkpoint's shapes. The
  // opened model is then scored on the validation rows, a batch per slice of advance().
  Status start_from_checkpoint(const TrainingData& data, LoadedCheckpoint checkpoint);
  void clear();

  // Works for about `budget_ms`: training steps (while steps are wanted), and at an
  // epoch's end the validation, a batch at a time. Returns true when it did anything.
  bool advance(double budget_ms);
  // Asks for `steps` more optimiser steps (training pauses after them).
  void want_steps(uint64_t steps) { wanted_steps_ += steps; }
  // Asks for the steps left in the whole run (the Start button).
  void want_all();
  void pause() { wanted_steps_ = 0; }
  bool busy() const;  // steps wanted, an epoch's validation or an opened checkpoint's scoring unfinished

  // The reader's backend choice, applied now: a run under way moves to that backend
  // from its last completed step (auto probes first). A lost WebGPU device does the
  // same by itself: the run goes on on the CPU, no step lost.
  void choose_backend(BackendChoice choice);
  BackendChoice backend_choice() const { return choice_; }
  // "cpu" or "webgpu": what computes the steps now (before a run: what would).
  std::string backend() const;
  // Why it is that one (the probe's figures, a fallback), for the reader.
  const std::string& backend_note() const { return backend_note_; }
  // The auto probe's milliseconds per step on each backend (0 until measured).
  double probe_cpu_ms() const { return probe_cpu_ms_; }
  double probe_webgpu_ms() const { return probe_webgpu_ms_; }
  bool probing() const { return probe_ != nullptr; }
  // Device failures the run went on from (a lost device), in all.
  int fallbacks() const { return fallbacks_; }

  Phase phase() const { return phase_; }
  const std::string& message() const { return message_; }
  const TrainOptions& options() const { return options_; }
  uint64_t steps() const;
  uint64_t steps_in_run() const;  // epochs x batches per epoch
  uint32_t epoch() const;         // epochs finished
  const std::vector<double>& step_losses() const;
  const std::vector<EpochView>& epochs() const { return epochs_; }
  // The opened checkpoint's scores on the validation rows (what `epibook eval --split
  // validation` prints for it), once computed.
  const std::optional<Evaluation>& checkpoint_evaluation() const { return checkpoint_evaluation_; }
  double milliseconds_per_step() const { return steps_timed_ ? ms_stepping_ / static_cast<double>(steps_timed_) : 0; }
  uint64_t parameter_count() const;

  // The model in eval mode over `rows` of the data ([rows, ...outputs]).
  Result<nn::Tensor> predict_rows(const std::vector<uint32_t>& rows);
  nn::Layer* model() { return model_.get(); }

  // The files of the CLI's run directory, as bytes: manifest.json, metrics.jsonl and
  // last.ckpt (what `epibook train` writes for the same options).
  std::string manifest_json(const std::string& data_description_json) const;
  std::string metrics_jsonl() const;
  Result<std::string> checkpoint() const;

 private:
  Status finish_epoch_if_validated(double deadline_ms);
  // Rebuilds model and trainer on `backend` from the trainer's host snapshot, replaying
  // on the CPU the steps completed since it.
  Status move_to(std::unique_ptr<nn::Backend> backend);
  // A step on the trainer's backend without waiting (device: begin, or poll the pending
  // step). Returns the loss when a step completed.
  Result<std::optional<double>> advance_step();
  void fall_back_to_cpu(const std::string& why);
  // The auto probe, a frame at a time; true while it runs.
  bool advance_probe(double deadline_ms);
  // The model with the weights of the trainer's host snapshot (device runs).
  Result<nn::LayerPtr> snapshot_model() const;
  bool on_device() const { return trainer_ && trainer_->backend().on_device(); }
  bool scoring_checkpoint() const { return checkpoint_scored_ < checkpoint_rows_.size(); }
  Status score_checkpoint(double deadline_ms);
  void fail(std::string message);

  const TrainingData* data_ = nullptr;
  TrainOptions options_;
  nn::LayerPtr model_;
  std::unique_ptr<Trainer> trainer_;
  Phase phase_ = Phase::kEmpty;
  std::string message_;
  uint64_t wanted_steps_ = 0;
  std::vector<EpochView> epochs_;
  double ms_stepping_ = 0;
  uint64_t steps_timed_ = 0;
  double step_began_ms_ = 0;  // the oldest pending step's begin_step time (or the last landing)
  BackendChoice choice_ = BackendChoice::kCpu;
  std::string backend_note_;
  int fallbacks_ = 0;
  // The auto probe: a throwaway copy of the run's model and trainer on each backend.
  struct Probe;
  std::unique_ptr<Probe> probe_;
  double probe_cpu_ms_ = 0, probe_webgpu_ms_ = 0;
  // Scoring an opened checkpoint: the validation rows, how many are predicted, and the
  // predictions and targets so far.
  std::vector<uint32_t> checkpoint_rows_;
  size_t checkpoint_scored_ = 0;
  std::vector<float> checkpoint_outputs_, checkpoint_targets_;
  nn::Shape checkpoint_output_row_, checkpoint_target_row_;
  std::optional<Evaluation> checkpoint_evaluation_;
};

}  // namespace epibook::labs
