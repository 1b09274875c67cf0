// Training runs: a dataset of npy arrays, a small model described in a config, a loss,
// an optimiser and a schedule, trained epoch by epoch with validation metrics, early
// stopping, a run directory (metrics.jsonl, manifest.json, atomic checkpoints) and
// resume. The last stage of the flow before eval / predict: prep / loader -> train.
//
// Sections: options and presets | data | model | trainer (in memory) | run directory
//
// Determinism: batches come from CounterRng(seed, epoch), parameters from the seed, a
// training row's augmentation from CounterRng(seed, epoch) at the row's index,
// and every reduction has a fixed order, so one seed gives the same weights to the bit
// on any thread count (the CPU backend's contract) and the same loss curve in wasm.
#pragma once

#include <algorithm>
#include <array>
#include <deque>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "epibook/augmentation.h"
#include "epibook/metrics.h"
#include "epibook/nn/backend.h"
#include "epibook/nn/layer.h"
#include "epibook/nn/loss.h"
#include "epibook/nn/optimizer.h"
#include "epibook/nn/schedule.h"
#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// Options. One plain struct, filled from a TOML config by the CLI (keys in
// cli/train_command.cpp's --help) and from a lab's URL alike.

// Where the arrays are: npy files in one directory (what `epibook prep` and the loader
// write). Inputs are [N, channels, length] (one-hot sequence, signal tracks) or
// [N, features]; targets [N, ...]; split [N] int8 (0 train, 1 validation, 2 test).
// Targets that are NaN, or -1 in an int8 array (prep's "missing"), drop their row.
//
// Or, when `windows` is set, from a genome: the window dataset (dataset.h) reads the
// one-hot sequence of each window of `epibook regions` from the FASTA and its targets
// from the bigWig tracks, a batch at a time, so a whole genome trains in bounded memory.
struct DataOptions {
  std::string dir;
  std::string inputs = "inputs.npy";
  std::string targets = "targets.npy";
  std::string split = "split.npy";  // empty: every row trains
  std::string genome;               // FASTA (its .fai is used when beside it)
  std::vector<std::string> tracks;  // bigWig files, one target channel each
  std::string windows;              // the BED of `epibook regions` (chrom, start, end, split, label)
  std::string target = "signal";    // signal (track means per bin) | label (column 5, for bce)
  uint32_t bin = 0;                 // bp per target bin; 0: one value per track per window
  std::string transform = "none";   // none | arcsinh | log1p, per base before binning
  // none | cpm: each track scaled to counts per million of its library (normalize.h), before
  // the transform; the library size is the track's sum over bases / count_bin.
  std::string normalize = "none";
  uint32_t count_bin = 25;          // bp per count in the tracks (25: MACS2, the simulator; 1: per base)
  std::string unknown_base = "zeros";  // zeros | quarter: what N becomes in the one-hot input
  std::string missing = "drop";     // drop (a row with a bin without data) | zero
  bool from_genome() const { return !windows.empty(); }
};

// A small convolutional model: `conv_layers` blocks of Conv1d (same padding, dilation
// multiplied by `dilation_growth` per block) + activation (+ max pooling by `pool`
// when > 1), then a head. Head "global_avg_dense": mean over length then Linear to the
// outputs ([N, outputs]); "global_max_dense": the maximum over length (each filter's
// best match, as DeepBind) then Linear; "flatten_dense": flatten then Linear; "conv": a kernel-1
// Conv1d to `outputs` channels keeping the length ([N, outputs, L'], for per-bin
// targets). The number of outputs is taken from the targets when 0.
struct ModelSpec {
  int64_t conv_layers = 2;
  int64_t channels = 32;
  int64_t kernel_size = 9;
  int64_t dilation_growth = 1;
  int64_t pool = 2;
  std::string activation = "relu";  // relu, gelu, softplus, sigmoid
  std::string head = "global_avg_dense";
  int64_t outputs = 0;
};

struct EarlyStopping {
  // "validation_loss", or a validation metric: pearson, spearman, mse, auroc, auprc,
  // best_f1, accuracy. Losses and mse are minimised, the others maximised.
  std::string metric = "validation_loss";
  uint32_t patience = 0;        // epochs without improvement before stopping; 0: never stop
  double min_delta = 0.0;       // an improvement smaller than this does not count
};

enum class OptimizerKind { kSgd, kAdam, kAdamW };

struct TrainOptions {
  DataOptions data;
  ModelSpec model;
  std::string loss = "mse";        // nn::loss_names()
  std::vector<float> loss_weights; // pos_weight (bce) or class weights (cross_entropy)
  OptimizerKind optimizer = OptimizerKind::kAdam;
  nn::SgdOptions sgd;               // learning rate taken from `schedule.base`
  nn::AdamOptions adam;             // likewise
  // base = the learning rate; total_steps 0: the whole run (epochs x batches per epoch)
  nn::LearningRateSchedule schedule{nn::LearningRateSchedule::Kind::kConstant, 1e-3, 0.0, 0};
  uint32_t epochs = 10;
  uint32_t batch_size = 64;
  uint64_t seed = 1;
  int threads = 1;                 // CPU backend threads (1 in wasm)
  double clip_norm = 0.0;          // global gradient norm limit; 0: no clipping
  EarlyStopping early_stopping;
  // Reverse complement and shift of training rows (augmentation.h); validation untouched.
  Augmentation augment;
};

Result<OptimizerKind> parse_optimizer_kind(std::string_view name);  // "sgd", "adam", "adamw"
const char* optimizer_kind_name(OptimizerKind kind);
// "default" (the struct's defaults) and "quick" (a tiny, fast model for labs and tests).
std::vector<std::string> train_preset_names();
Result<TrainOptions> train_preset(std::string_view name);
// Checks each field and names it ("train.batch_size must be > 0").
Status validate_train_options(const TrainOptions& options);
// The options as JSON text (for manifest.json and a lab's link).
std::string train_options_json(const TrainOptions& options);
// The options as the TOML config `epibook train --config` reads: a table per section
// holding only the keys whose values differ from the "default" preset (which the CLI
// starts from), so the file reads back to the same options. What a lab exports so the
// command line runs its run. Seeds above 2^63 do not fit TOML's integers.
std::string train_options_toml(const TrainOptions& options);
// Options from JSON text with the sections of train_options_json ("data", "model",
// "loss", "optimizer", "schedule", "train", "early_stopping", "augment") and an optional top-level
// "preset": keys given override the preset's. Unknown sections or keys and values of
// the wrong type are refused, naming the key ("model.chanels is not a known key").
Result<TrainOptions> parse_train_options_json(std::string_view text);

// ---------------------------------------------------------------------------------
// Data.
struct TrainingData {
  nn::Tensor inputs;           // [N, ...]
  nn::Tensor targets;          // [N, ...]
  std::vector<int8_t> split;   // [N]
  std::vector<uint32_t> rows_of(int8_t split_value) const;
};

// Where a trainer, an evaluation or a prediction reads rows: the arrays in memory
// (InMemoryRows over TrainingData) or streamed from a genome (WindowDataset, dataset.h).
// The same rows give the same bits either way, so a run does not depend on which.
class TrainingRows {
 public:
  virtual ~TrainingRows() = default;
  virtual uint64_t rows() const = 0;
  virtual const std::vector<int8_t>& split() const = 0;  // [rows]
  virtual nn::Shape input_shape(int64_t rows) const = 0;
  virtual nn::Shape target_shape(int64_t rows) const = 0;
  // The listed rows, in that order, into inputs [n, ...] and targets [n, ...].
  virtual Status gather(std::span<const uint32_t> rows, nn::Tensor& inputs, nn::Tensor& targets) const = 0;
};

class InMemoryRows final : public TrainingRows {
 public:
  explicit InMemoryRows(const TrainingData& data) : data_(data) {}  // `data` must outlive it
  uint64_t rows() const override { return data_.split.size(); }
  const std::vector<int8_t>& split() const override { return data_.split; }
  nn::Shape input_shape(int64_t rows) const override;
  nn::Shape target_shape(int64_t rows) const override;
  Status gather(std::span<const uint32_t> rows, nn::Tensor& inputs, nn::Tensor& targets) const override;

 private:
  const TrainingData& data_;
};

// The model's outputs for `rows` (eval mode, `batch_size` rows per forward pass, one
// batch in memory at a time) and those rows' targets.
struct RowPredictions {
  nn::Tensor outputs;  // [rows, ...outputs]
  nn::Tensor targets;  // [rows, ...]
};
Result<RowPredictions> predict_rows(nn::Layer& model, const TrainingRows& data, std::span<const uint32_t> rows,
                                    uint32_t batch_size);
// Reads and checks the arrays: same N, finite inputs; drops rows with missing targets.
// Errors name the file.
Result<TrainingData> load_training_data(const DataOptions& options);
// Only the inputs, every row (what `epibook predict` needs: no targets, no split).
Result<nn::Tensor> load_inputs(const DataOptions& options);
// Rows `rows` of `source` stacked into `batch` ([rows.size(), ...]).
void gather_rows(const nn::Tensor& source, std::span<const uint32_t> rows, nn::Tensor& batch);

// ---------------------------------------------------------------------------------
// Model. Builds the spec's layers for inputs of shape [N, C, L] (or [N, F] with no conv
// layers) and targets shaped like `target_shape` (the batch axis included), initialised
// from `seed`; fails naming the spec field that does not fit.
Result<nn::LayerPtr> build_model(const ModelSpec& spec, const nn::Shape& input_shape, const nn::Shape& target_shape,
                                 uint64_t seed);
// Runs the model in eval mode over all rows, `batch_size` at a time; [N, ...outputs].
Result<nn::Tensor> predict(nn::Layer& model, const nn::Tensor& inputs, uint32_t batch_size);

// ---------------------------------------------------------------------------------
// Trainer (in memory): what the CLI's run and a lab both drive, one step at a time.
struct MetricValue {
  std::string name;
  double value = 0.0;
};
// Losses whose output is a log-rate (poisson, multinomial): the prediction on the
// target's scale is exp(output).
bool outputs_log_rates(std::string_view loss);
// Validation scores suited to the loss: pearson / spearman / mse for mse, poisson and
// multinomial (the last two on exp(output), the predicted rate); auroc / auprc / best_f1 / accuracy for
// bce (when the targets are 0/1); accuracy for cross_entropy.
Result<std::vector<MetricValue>> validation_metrics(const std::string& loss, const nn::Tensor& outputs,
                                                    const nn::Tensor& targets);

// A model scored on the rows of one split (-1: every row): the loss, the validation
// metrics of its loss, and beside each ranking or correlation metric its shuffled-label
// floor (metrics.h), so "AUROC 0.91" comes with what chance gives on these labels.
struct Evaluation {
  uint64_t rows = 0;
  double loss = 0.0;
  std::vector<MetricValue> metrics;
  struct Floor {
    std::string name;
    MetricFloor floor;
  };
  std::vector<Floor> floors;
};
// The shuffled-label floor of each ranking or correlation metric among `metrics`, for
// outputs against targets of the same size (poisson outputs scored as exp, the rate).
std::vector<Evaluation::Floor> metric_floors(const std::string& loss, const std::vector<MetricValue>& metrics,
                                             const nn::Tensor& outputs, const nn::Tensor& targets, uint64_t seed,
                                             uint32_t rounds = 20);
Result<Evaluation> evaluate_model(nn::Layer& model, const TrainOptions& options, const TrainingData& data,
                                  int split, uint32_t floor_rounds = 20);
Result<Evaluation> evaluate_model(nn::Layer& model, const TrainOptions& options, const TrainingRows& data,
                                  int split, uint32_t floor_rounds = 20);
// The scoring half of evaluate_model, for outputs predicted elsewhere (a lab predicts a
// batch per frame): rows of `outputs` against the same rows of `targets`.
Result<Evaluation> evaluate_predictions(const TrainOptions& options, const nn::Tensor& outputs, nn::Tensor targets,
                                        uint32_t floor_rounds = 20);

struct EpochRecord {
  uint32_t epoch = 0;            // from 0
  uint64_t steps = 0;            // optimiser steps so far
  double train_loss = 0.0;       // mean of the epoch's batch losses
  std::optional<double> validation_loss;
  std::vector<MetricValue> validation;
  double learning_rate = 0.0;    // the rate of the epoch's last step
  double monitored = 0.0;        // the early-stopping metric's value
  bool improved = false;         // best so far (saved as the best checkpoint)
  bool stop = false;             // patience ran out
};

// Everything a checkpoint must hold for a resumed run to repeat an uninterrupted one.
struct TrainerState {
  uint32_t next_epoch = 0;
  uint64_t steps = 0;
  double best_monitored = 0.0;
  bool has_best = false;
  uint32_t epochs_since_best = 0;
  std::vector<double> step_losses;
};

// A trainer's state with its weights and optimiser moments on the host: what a run
// goes on from on another backend (a lost GPU, the reader switching). A device trainer
// copies it back every snapshot_interval() steps and at each epoch's last step, in the
// same command buffer as that step's loss, so it never adds a wait.
struct TrainerSnapshot {
  TrainerState trainer;
  nn::OptimizerState optimizer;
  std::vector<nn::Tensor> parameters;  // values, in model.parameters() order
  std::vector<nn::Tensor> buffers;     // BatchNorm's running averages, in model.buffers() order
  std::vector<uint64_t> counters;      // batches tracked, Dropout's positions: model.counters() order
};

class Trainer {
 public:
  // `model` and `data` must outlive the trainer. The trainer owns a CPU backend of
  // options.threads threads and attaches it to the whole model (predict and
  // evaluate_model on that model then run on it too); two trainers never share threads
  // or scratch. Destroying the trainer detaches the model again.
  static Result<std::unique_ptr<Trainer>> create(nn::Layer& model, const TrainingData& data,
                                                 const TrainOptions& options);
  // The same from any rows (a WindowDataset streams a genome batch by batch).
  static Result<std::unique_ptr<Trainer>> create(nn::Layer& model, const TrainingRows& data,
                                                 const TrainOptions& options);
  // The same on a backend of the caller's (WebGPU in a page), which the trainer owns.
  // A backend on a device trains models of Conv1d, Dense, activations, pooling,
  // BatchNorm1d and Dropout with an elementwise loss (mse, poisson, bce) and no gradient
  // clipping; anything else is refused, naming it.
  static Result<std::unique_ptr<Trainer>> create(nn::Layer& model, const TrainingData& data,
                                                 const TrainOptions& options, std::unique_ptr<nn::Backend> backend);
  static Result<std::unique_ptr<Trainer>> create(nn::Layer& model, const TrainingRows& data,
                                                 const TrainOptions& options, std::unique_ptr<nn::Backend> backend);
  // One optimiser step on the next batch of the current epoch; returns its loss. On the
  // CPU backend only: on a device a step waits for its loss, so it is split in two.
  Result<double> step();
  // A step split at its one wait: begin_step() gathers and uploads the batch, queues
  // forward, loss, backward and update, and starts reading the loss back; finish_step()
  // returns the oldest pending step's loss once it has landed, nullopt while it has not
  // (ask again next frame), or the device's failure (the pending steps then did not
  // happen). On a device up to steps_in_flight() steps may be pending: the next step is
  // recorded and submitted while the previous loss is still on its way, and losses are
  // still returned in order. On the CPU backend begin_step() runs step() and
  // finish_step() returns its loss.
  Status begin_step();
  Result<std::optional<double>> finish_step();
  bool step_pending() const { return !pending_.empty(); }
  uint64_t steps_pending() const { return pending_.size(); }
  // Whether begin_step() may be called now: a step of this epoch is left beyond the
  // pending ones, fewer than steps_in_flight() are pending, and no pending step carries
  // a snapshot (its host copies must land before a later step is recorded).
  bool can_begin_step() const;
  // Steps a device trainer keeps in flight (1 or 2; default 2). The CPU's is 1.
  void set_steps_in_flight(uint64_t steps) { steps_in_flight_ = std::clamp<uint64_t>(steps, 1, kMaxStepsInFlight); }
  uint64_t steps_in_flight() const { return backend_->on_device() ? steps_in_flight_ : 1; }
  // Steps between a device trainer's snapshots (at least 1; default 16).
  void set_snapshot_interval(uint64_t steps) { snapshot_interval_ = std::max<uint64_t>(1, steps); }
  uint64_t snapshot_interval() const { return snapshot_interval_; }
  // The state to go on from: on the CPU, the current one; on a device, the last
  // snapshot that landed (at most snapshot_interval() steps behind state()).
  TrainerSnapshot host_snapshot() const;
  // After restore() from a snapshot that is behind: runs the steps up to
  // recorded_losses.size() again (CPU backend only), then keeps the recorded losses as
  // the run's (what the reader saw), so the curve does not move under them.
  Status replay(const std::vector<double>& recorded_losses);
  bool epoch_done() const { return batch_ >= batches_per_epoch(); }
  uint64_t batches_per_epoch() const;
  // Validation a batch at a time, so a lab can spread it over frames: predicts the next
  // `batch_size` validation rows (in split order) and keeps their outputs for
  // finish_epoch, which predicts whatever is left. Returns the rows predicted so far this
  // epoch. The outputs are the same bits however the work is spread. On a device the
  // pass runs there and the epoch's outputs are read back once, after the last batch:
  // call finish_epoch once validation_ready().
  Result<uint64_t> validate_next_batch();
  bool validation_ready() const;
  uint64_t validation_row_count() const { return validation_rows_.size(); }
  // The outputs of the last finished validation ([validation rows, ...]), in split order.
  const nn::Tensor& validation_outputs() const { return validation_outputs_; }
  const nn::Tensor& validation_targets() const { return validation_targets_; }
  const std::vector<uint32_t>& validation_rows() const { return validation_rows_; }
  // Validation, early stopping; starts the next epoch. Call when epoch_done().
  Result<EpochRecord> finish_epoch();
  // All of one epoch: steps then finish_epoch().
  Result<EpochRecord> run_epoch(const std::function<void(uint64_t batch, uint64_t batches, double loss)>& on_step = {});
  bool finished() const;  // epochs done or stopped early

  const TrainerState& state() const { return state_; }
  nn::Optimizer& optimizer() { return *optimizer_; }
  nn::Layer& model() { return model_; }
  nn::Backend& backend() { return *backend_; }
  ~Trainer();
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;
  // Restores a saved state (and the optimiser's) before continuing; a state saved
  // within an epoch continues at the batch after its last step.
  Status restore(const TrainerState& state, const nn::OptimizerState& optimizer_state);

 private:
  Trainer(nn::Layer& model, const TrainingRows& data, const TrainOptions& options,
          std::unique_ptr<nn::Backend> backend);
  void start_epoch();
  void commit_snapshot();

  nn::Layer& model_;
  std::unique_ptr<TrainingRows> owned_rows_;  // the InMemoryRows of create(TrainingData)
  const TrainingRows& data_;
  TrainOptions options_;
  std::unique_ptr<nn::Backend> backend_;  // attached to model_ while the trainer lives
  std::unique_ptr<nn::Loss> loss_;
  std::unique_ptr<nn::Optimizer> optimizer_;
  std::vector<uint32_t> train_rows_;
  std::vector<uint32_t> validation_rows_;
  std::vector<uint32_t> order_;   // this epoch's shuffled training rows
  uint64_t batch_ = 0;
  uint64_t validated_rows_ = 0;   // validation rows predicted this epoch
  double epoch_loss_sum_ = 0.0;
  bool stopped_ = false;
  TrainerState state_;
  nn::Tensor batch_inputs_, batch_targets_, outputs_, grad_outputs_;
  // A device trainer's: each pending step's loss read back asynchronously (one tensor per
  // step in flight), and the last snapshot that landed.
  static constexpr uint64_t kMaxStepsInFlight = 2;
  struct PendingStep {
    uint64_t download = 0;  // the backend's number of its loss's download
    size_t loss = 0;        // its slot in device_losses_
    bool snapshot = false;  // weights, moments and buffers come back with it
  };
  std::array<nn::Tensor, kMaxStepsInFlight> device_losses_;
  std::deque<PendingStep> pending_;
  uint64_t steps_in_flight_ = kMaxStepsInFlight;
  nn::ElementwiseLoss device_loss_kind_ = nn::ElementwiseLoss::kMse;
  TrainerSnapshot snapshot_;
  uint64_t snapshot_interval_ = 16;
  double pending_loss_ = 0.0;  // a CPU step's loss, until finish_step
  nn::Tensor validation_outputs_;  // [validation rows, ...outputs], filled batch by batch
  nn::Tensor validation_targets_;  // their targets, likewise
};

// ---------------------------------------------------------------------------------
// Run directory: OUT/metrics.jsonl (one JSON object per epoch), OUT/manifest.json
// (options, seed, data content hashes, model, epibook version), OUT/last.ckpt and
// OUT/best.ckpt (model + optimiser + trainer state, written atomically). With
// `resume`, an existing OUT/last.ckpt is loaded and training continues after it.
struct RunProgress {
  // While a genome dataset looks for rows with missing targets: windows done, in all.
  std::function<void(uint64_t done, uint64_t total)> on_scan;
  std::function<void(uint32_t epoch, uint64_t batch, uint64_t batches, double loss)> on_step;
  std::function<void(const EpochRecord&)> on_epoch;
};
struct RunSummary {
  std::vector<EpochRecord> epochs;  // this invocation's epochs
  uint32_t best_epoch = 0;
  bool stopped_early = false;
  bool resumed = false;
};
// One line of metrics.jsonl: the epoch's record as JSON (NaN as null), newline-ended.
std::string epoch_metrics_line(const EpochRecord& record);
// Relative data paths (data.dir, genome, tracks, windows) are taken from `data_root`
// when it is not empty, and stay relative in the checkpoints and manifest, so `epibook
// eval --data-root` and a lab (whose paths are relative to the site) read the same run.
Result<RunSummary> train_run(const TrainOptions& options, const std::string& out_dir, bool resume,
                             const RunProgress& progress = {}, const std::string& data_root = "");

// A checkpoint as written by train_run: the model is rebuilt from the saved options
// and the data's shapes, then its parameters are loaded.
struct LoadedCheckpoint {
  TrainOptions options;
  nn::LayerPtr model;
  TrainerState trainer;
  nn::OptimizerState optimizer;
  nn::Shape input_shape;   // one row, batch axis 1
  nn::Shape target_shape;
};
Result<LoadedCheckpoint> load_checkpoint(const std::string& path);
// The same from and to bytes (a lab has no file system: it downloads and opens them);
// `name` stands for the file in messages.
Result<LoadedCheckpoint> parse_checkpoint(std::string_view bytes, const std::string& name);
std::string checkpoint_bytes(const TrainOptions& options, nn::Layer& model, const nn::Shape& input_shape,
                             const nn::Shape& target_shape, const TrainerState& trainer,
                             const nn::OptimizerState& optimizer);
Status save_checkpoint(const std::string& path, const TrainOptions& options, nn::Layer& model,
                       const nn::Shape& input_shape, const nn::Shape& target_shape, const TrainerState& trainer,
                       const nn::OptimizerState& optimizer);

}  // namespace epibook
