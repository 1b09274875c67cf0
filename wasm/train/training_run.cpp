// A training run sliced into frames (training_run.h): the core's Trainer does every
// number; this file decides how much of it fits in a frame and keeps what the lab plots.
#include "training_run.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <span>

#include "epibook/model_limits.h"
#include "epibook/split.h"
#include "frame_clock.h"

namespace epibook::labs {
namespace {

nn::Shape one_row(const nn::Tensor& t) {
  nn::Shape shape = t.shape();
  shape[0] = 1;
  return shape;
}

std::string number_text(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// The largest model a page may train (model_limits.h counts it before any layer
// allocates): WebAssembly memory tops out at 2 GiB here, and the page needs room. 2^24
// parameters are 256 MiB with their gradients and Adam's two moments; 512 MiB of a
// batch's activations leave the rest for the data and the page.
ModelLimits page_model_limits(uint32_t batch_size) {
  return ModelLimits{int64_t{1} << 24, int64_t{512} << 20, batch_size, "a page"};
}

// Steps the auto probe times on each backend, after one that warms up (the GPU compiles
// its pipelines on its first step).
constexpr int kProbeSteps = 3;

}  // namespace

struct TrainingRun::Probe {
  nn::LayerPtr cpu_model, gpu_model;
  std::unique_ptr<Trainer> cpu, gpu;
  int cpu_steps = 0, gpu_steps = 0;
  double cpu_ms = 0, gpu_ms = 0, gpu_began = 0;
};

TrainingRun::TrainingRun() = default;
TrainingRun::~TrainingRun() = default;
TrainingRun::TrainingRun(TrainingRun&&) noexcept = default;
TrainingRun& TrainingRun::operator=(TrainingRun&&) noexcept = default;

void TrainingRun::clear() {
  probe_.reset();
  probe_cpu_ms_ = probe_webgpu_ms_ = 0;
  backend_note_.clear();
  fallbacks_ = 0;
  trainer_.reset();
  model_.reset();
  data_ = nullptr;
  phase_ = Phase::kEmpty;
  message_.clear();
  wanted_steps_ = 0;
  epochs_.clear();
  ms_stepping_ = 0;
  steps_timed_ = 0;
  checkpoint_rows_.clear();
  checkpoint_scored_ = 0;
  checkpoint_outputs_.clear();
  checkpoint_targets_.clear();
  checkpoint_evaluation_.reset();
}

void TrainingRun::fail(std::string message) {
  phase_ = Phase::kFailed;
  message_ = std::move(message);
  wanted_steps_ = 0;
}

Status TrainingRun::start(const TrainingData& data, const TrainOptions& options, BackendChoice backend) {
  clear();
  EPIBOOK_RETURN_IF_ERROR(validate_train_options(options));
  EPIBOOK_ASSIGN_OR_RETURN(model_, build_model_within(options.model, one_row(data.inputs), one_row(data.targets),
                                                      options.seed, page_model_limits(options.batch_size)));
  EPIBOOK_ASSIGN_OR_RETURN(trainer_, Trainer::create(*model_, data, options));
  data_ = &data;
  options_ = options;
  phase_ = Phase::kReady;
  choose_backend(backend);
  return Status::ok();
}

// ---- Backends.
std::string TrainingRun::backend() const {
  if (trainer_) return trainer_->backend().name();
  return choice_ == BackendChoice::kWebGpu && webgpu_available() ? "webgpu" : "cpu";
}

void TrainingRun::choose_backend(BackendChoice choice) {
  choice_ = choice;
  probe_.reset();
  if (!trainer_ || phase_ == Phase::kFailed) return;
  const bool device = on_device();
  if (choice == BackendChoice::kCpu) {
    backend_note_ = "chosen";
    if (device) {
      const Status moved = move_to(std::make_unique<nn::CpuBackend>(options_.threads));
      if (!moved.is_ok()) fail("moving the run to the CPU: " + moved.message());
    }
    return;
  }
  if (device) {
    backend_note_ = choice == BackendChoice::kWebGpu ? "chosen" : backend_note_;
    return;
  }
  Result<std::unique_ptr<nn::Backend>> gpu = make_webgpu_backend();
  if (!gpu.is_ok()) {
    backend_note_ = choice == BackendChoice::kAuto ? "auto: this browser offers no WebGPU adapter"
                                                   : gpu.status().message();
    return;
  }
  if (choice == BackendChoice::kWebGpu) {
    const Status moved = move_to(std::move(*gpu));
    backend_note_ = moved.is_ok() ? "chosen" : "WebGPU cannot run this run (" + moved.message() + ")";
    if (!moved.is_ok() && !trainer_) fail(backend_note_);
    return;
  }
  // Auto: the same model and data on each backend, a few steps, before the run steps on.
  probe_ = std::make_unique<Probe>();
  const nn::Shape input = one_row(data_->inputs), target = one_row(data_->targets);
  Result<nn::LayerPtr> cpu_model = build_model(options_.model, input, target, options_.seed);
  Result<nn::LayerPtr> gpu_model = build_model(options_.model, input, target, options_.seed);
  if (!cpu_model.is_ok() || !gpu_model.is_ok()) {
    probe_.reset();
    return;
  }
  probe_->cpu_model = std::move(*cpu_model);
  probe_->gpu_model = std::move(*gpu_model);
  Result<std::unique_ptr<Trainer>> cpu = Trainer::create(*probe_->cpu_model, *data_, options_);
  Result<std::unique_ptr<Trainer>> on_gpu = Trainer::create(*probe_->gpu_model, *data_, options_, std::move(*gpu));
  if (!cpu.is_ok() || !on_gpu.is_ok()) {
    backend_note_ = "auto: WebGPU cannot run this run (" +
                    (on_gpu.is_ok() ? cpu.status() : on_gpu.status()).message() + ")";
    probe_.reset();
    return;
  }
  probe_->cpu = std::move(*cpu);
  probe_->gpu = std::move(*on_gpu);
  backend_note_ = "auto: probing";
}

// One probe step per backend per call: the CPU's synchronously, the GPU's begun or polled.
bool TrainingRun::advance_probe(double deadline_ms) {
  Probe& p = *probe_;
  auto stop = [&](const std::string& why) {
    backend_note_ = "auto: " + why;
    probe_.reset();
    return false;
  };
  while (p.cpu_steps <= kProbeSteps && now_ms() < deadline_ms && !p.cpu->finished() && !p.cpu->epoch_done()) {
    const double before = now_ms();
    if (!p.cpu->step().is_ok()) return stop("the CPU probe failed");
    if (p.cpu_steps++ > 0) p.cpu_ms += now_ms() - before;
  }
  if (p.gpu_steps <= kProbeSteps) {
    if (!p.gpu->step_pending()) {
      if (p.gpu->finished() || p.gpu->epoch_done()) return stop("the run is too short to probe");
      p.gpu_began = now_ms();
      if (Status s = p.gpu->begin_step(); !s.is_ok()) return stop("WebGPU failed in the probe (" + s.message() + ")");
    } else {
      Result<std::optional<double>> landed = p.gpu->finish_step();
      if (!landed.is_ok()) return stop("WebGPU failed in the probe (" + landed.status().message() + ")");
      if (landed->has_value() && p.gpu_steps++ > 0) p.gpu_ms += now_ms() - p.gpu_began;
    }
  }
  if (p.cpu_steps <= kProbeSteps || p.gpu_steps <= kProbeSteps) return true;
  probe_cpu_ms_ = p.cpu_ms / kProbeSteps;
  probe_webgpu_ms_ = p.gpu_ms / kProbeSteps;
  char note[160];
  std::snprintf(note, sizeof note, "auto: a step took %.1f ms on WebGPU, %.1f ms on the CPU", probe_webgpu_ms_,
                probe_cpu_ms_);
  Result<std::unique_ptr<nn::Backend>> gpu =
      probe_webgpu_ms_ < probe_cpu_ms_ ? make_webgpu_backend() : Result<std::unique_ptr<nn::Backend>>(nullptr);
  probe_.reset();
  backend_note_ = note;
  if (gpu.is_ok() && *gpu != nullptr) {
    const Status moved = move_to(std::move(*gpu));
    if (!moved.is_ok()) backend_note_ += " (moving to WebGPU failed: " + moved.message() + ")";
  }
  return false;
}

Result<nn::LayerPtr> TrainingRun::snapshot_model() const {
  const TrainerSnapshot snapshot = trainer_->host_snapshot();
  EPIBOOK_ASSIGN_OR_RETURN(nn::LayerPtr model,
                           build_model(options_.model, one_row(data_->inputs), one_row(data_->targets), options_.seed));
  const std::vector<nn::Parameter*> parameters = model->parameters();
  if (parameters.size() != snapshot.parameters.size()) return invalid_argument("the snapshot does not fit the model");
  for (size_t i = 0; i < parameters.size(); ++i) {
    const nn::Tensor& saved = snapshot.parameters[i];
    if (saved.size() != parameters[i]->value.size()) return invalid_argument("the snapshot does not fit the model");
    std::copy(saved.data(), saved.data() + saved.size(), parameters[i]->value.data());
  }
  // BatchNorm's running averages and the counters (Dropout's positions) of the same step.
  const std::vector<nn::Buffer*> buffers = model->buffers();
  const std::vector<nn::Counter*> counters = model->counters();
  if (buffers.size() != snapshot.buffers.size() || counters.size() != snapshot.counters.size()) {
    return invalid_argument("the snapshot does not fit the model");
  }
  for (size_t i = 0; i < buffers.size(); ++i) {
    const nn::Tensor& saved = snapshot.buffers[i];
    if (saved.size() != buffers[i]->value.size()) return invalid_argument("the snapshot does not fit the model");
    std::copy(saved.data(), saved.data() + saved.size(), buffers[i]->value.data());
  }
  for (size_t i = 0; i < counters.size(); ++i) counters[i]->value = snapshot.counters[i];
  return model;
}

Status TrainingRun::move_to(std::unique_ptr<nn::Backend> backend) {
  const TrainerSnapshot snapshot = trainer_->host_snapshot();
  const std::vector<double> recorded = trainer_->state().step_losses;
  EPIBOOK_ASSIGN_OR_RETURN(nn::LayerPtr model, snapshot_model());
  const bool device = backend->on_device();
  EPIBOOK_ASSIGN_OR_RETURN(std::unique_ptr<Trainer> trainer,
                           Trainer::create(*model, *data_, options_, std::move(backend)));
  EPIBOOK_RETURN_IF_ERROR(trainer->restore(snapshot.trainer, snapshot.optimizer));
  if (recorded.size() > snapshot.trainer.steps) {
    if (device) return invalid_argument("a device cannot replay steps");
    EPIBOOK_RETURN_IF_ERROR(trainer->replay(recorded));
  }
  trainer_ = std::move(trainer);  // the old trainer lets go of the old model first
  model_ = std::move(model);
  return Status::ok();
}

void TrainingRun::fall_back_to_cpu(const std::string& why) {
  const uint64_t completed = steps();
  const uint64_t from = trainer_->host_snapshot().trainer.steps;
  const Status moved = move_to(std::make_unique<nn::CpuBackend>(options_.threads));
  if (!moved.is_ok()) {
    fail("WebGPU stopped (" + why + ") and the run could not move to the CPU: " + moved.message());
    return;
  }
  ++fallbacks_;
  backend_note_ = "WebGPU stopped (" + why + ") after step " + std::to_string(completed) +
                  "; the run went on on the CPU (steps " + std::to_string(from + 1) + "-" + std::to_string(completed) +
                  " recomputed from the last copy of the weights)";
}

Result<std::optional<double>> TrainingRun::advance_step() {
  // As many steps as the trainer keeps in flight (two on WebGPU: the next is recorded
  // while the last loss is read back), never more than are wanted.
  while (trainer_->steps_pending() < wanted_steps_ && trainer_->can_begin_step()) {
    if (!trainer_->step_pending()) step_began_ms_ = now_ms();
    EPIBOOK_RETURN_IF_ERROR(trainer_->begin_step());
  }
  if (!trainer_->step_pending()) EPIBOOK_RETURN_IF_ERROR(trainer_->begin_step());  // says why none can begin
  EPIBOOK_ASSIGN_OR_RETURN(std::optional<double> loss, trainer_->finish_step());
  if (loss) {
    // A step's time runs from its begin, or from the last landing when it overlapped
    // the step before, so overlapped steps are not counted twice.
    const double now = now_ms();
    ms_stepping_ += now - step_began_ms_;
    step_began_ms_ = now;
    ++steps_timed_;
  }
  return loss;
}

Status TrainingRun::start_from_checkpoint(const TrainingData& data, LoadedCheckpoint checkpoint) {
  clear();
  if (checkpoint.input_shape != one_row(data.inputs) || checkpoint.target_shape != one_row(data.targets)) {
    return invalid_argument("the checkpoint was trained on rows " + checkpoint.input_shape.text() + " -> " +
                            checkpoint.target_shape.text() + ", these data have " + one_row(data.inputs).text() +
                            " -> " + one_row(data.targets).text() + ": pick the data set it was trained on");
  }
  model_ = std::move(checkpoint.model);
  EPIBOOK_ASSIGN_OR_RETURN(trainer_, Trainer::create(*model_, data, checkpoint.options));
  EPIBOOK_RETURN_IF_ERROR(trainer_->restore(checkpoint.trainer, checkpoint.optimizer));
  data_ = &data;
  options_ = checkpoint.options;
  phase_ = trainer_->finished() ? Phase::kFinished : Phase::kReady;
  checkpoint_rows_ = data.rows_of(static_cast<int8_t>(Split::kValidation));
  return Status::ok();
}

// The opened checkpoint's validation rows, `batch_size` at a time (evaluate_model's
// batches, so the same bits), then scored as `epibook eval` scores them.
Status TrainingRun::score_checkpoint(double deadline_ms) {
  const InMemoryRows rows(*data_);
  while (scoring_checkpoint() && now_ms() < deadline_ms) {
    const size_t count = std::min<size_t>(options_.batch_size, checkpoint_rows_.size() - checkpoint_scored_);
    const std::span<const uint32_t> batch(checkpoint_rows_.data() + checkpoint_scored_, count);
    EPIBOOK_ASSIGN_OR_RETURN(const RowPredictions predicted,
                             epibook::predict_rows(*model_, rows, batch, options_.batch_size));
    if (checkpoint_scored_ == 0) {
      checkpoint_output_row_ = predicted.outputs.shape();
      checkpoint_target_row_ = predicted.targets.shape();
    }
    checkpoint_outputs_.insert(checkpoint_outputs_.end(), predicted.outputs.values().begin(),
                               predicted.outputs.values().end());
    checkpoint_targets_.insert(checkpoint_targets_.end(), predicted.targets.values().begin(),
                               predicted.targets.values().end());
    checkpoint_scored_ += count;
  }
  if (scoring_checkpoint() || checkpoint_rows_.empty()) return Status::ok();
  nn::Shape output_shape = checkpoint_output_row_;
  nn::Shape target_shape = checkpoint_target_row_;
  output_shape[0] = static_cast<int64_t>(checkpoint_rows_.size());
  target_shape[0] = output_shape[0];
  EPIBOOK_ASSIGN_OR_RETURN(
      checkpoint_evaluation_,
      evaluate_predictions(options_, nn::Tensor::from_values(output_shape, std::move(checkpoint_outputs_)),
                           nn::Tensor::from_values(target_shape, std::move(checkpoint_targets_))));
  checkpoint_outputs_.clear();
  checkpoint_targets_.clear();
  return Status::ok();
}

void TrainingRun::want_all() {
  if (phase_ != Phase::kReady) return;
  const uint64_t done = steps();
  const uint64_t total = steps_in_run();
  wanted_steps_ = total > done ? total - done : 0;
}

bool TrainingRun::busy() const {
  if (model_ && scoring_checkpoint()) return true;
  if (phase_ != Phase::kReady) return false;
  return probe_ != nullptr || trainer_->step_pending() || wanted_steps_ > 0 ||
         (trainer_->epoch_done() && !trainer_->finished());
}

uint64_t TrainingRun::steps() const { return trainer_ ? trainer_->state().steps : 0; }
uint64_t TrainingRun::steps_in_run() const {
  return trainer_ ? static_cast<uint64_t>(options_.epochs) * trainer_->batches_per_epoch() : 0;
}
uint32_t TrainingRun::epoch() const { return trainer_ ? trainer_->state().next_epoch : 0; }

const std::vector<double>& TrainingRun::step_losses() const {
  static const std::vector<double> kNone;
  return trainer_ ? trainer_->state().step_losses : kNone;
}

uint64_t TrainingRun::parameter_count() const {
  uint64_t count = 0;
  if (model_) {
    for (nn::Parameter* p : model_->parameters()) count += static_cast<uint64_t>(p->value.size());
  }
  return count;
}

// Validation batches until the deadline; the epoch is closed when all are done.
Status TrainingRun::finish_epoch_if_validated(double deadline_ms) {
  while (now_ms() < deadline_ms) {
    EPIBOOK_ASSIGN_OR_RETURN(const uint64_t done, trainer_->validate_next_batch());
    if (done < trainer_->validation_row_count()) continue;
    if (on_device()) EPIBOOK_RETURN_IF_ERROR(trainer_->backend().status());
    if (!trainer_->validation_ready()) return Status::ok();  // read back in a later frame
    EPIBOOK_ASSIGN_OR_RETURN(EpochRecord record, trainer_->finish_epoch());
    EpochView view;
    if (trainer_->validation_row_count() > 0) {
      view.floors = metric_floors(options_.loss, record.validation, trainer_->validation_outputs(),
                                  trainer_->validation_targets(), options_.seed);
    }
    view.record = std::move(record);
    epochs_.push_back(std::move(view));
    if (trainer_->finished()) {
      phase_ = Phase::kFinished;
      wanted_steps_ = 0;
    }
    return Status::ok();
  }
  return Status::ok();
}

bool TrainingRun::advance(double budget_ms) {
  const double deadline = now_ms() + budget_ms;
  bool did = false;
  if (model_ && scoring_checkpoint()) {
    const Status status = score_checkpoint(deadline);
    if (!status.is_ok()) {
      message_ = "scoring the checkpoint on the validation rows: " + status.message();
      checkpoint_rows_.clear();
      checkpoint_scored_ = 0;
    }
    did = true;
  }
  if (probe_ != nullptr && phase_ == Phase::kReady) {
    // Steps wait for the probe; its GPU steps complete a frame or more apart.
    if (advance_probe(deadline)) return true;
    did = true;
  }
  while (phase_ == Phase::kReady && now_ms() < deadline) {
    if (trainer_->epoch_done() && !trainer_->step_pending()) {
      const uint32_t finished = epoch();
      const Status status = finish_epoch_if_validated(deadline);
      did = true;
      if (!status.is_ok() && on_device() && !trainer_->backend().status().is_ok()) {
        fall_back_to_cpu(trainer_->backend().status().message());
        continue;
      }
      if (!status.is_ok()) fail("validation of epoch " + std::to_string(epoch() + 1) + ": " + status.message());
      if (status.is_ok() && epoch() == finished && on_device()) break;  // its outputs land in a later frame
      continue;
    }
    if (wanted_steps_ == 0 && !trainer_->step_pending()) break;
    Result<std::optional<double>> stepped = advance_step();
    did = true;
    if (!stepped.is_ok() && on_device() && !trainer_->backend().status().is_ok()) {
      fall_back_to_cpu(trainer_->backend().status().message());
      continue;
    }
    if (!stepped.is_ok()) {
      fail("step " + std::to_string(steps() + 1) + ": " + stepped.status().message());
      break;
    }
    if (!stepped->has_value()) break;  // the device's loss lands in a later frame: never wait for it
    const double* loss = &**stepped;
    if (wanted_steps_ > 0) --wanted_steps_;
    if (!std::isfinite(*loss)) {
      fail("step " + std::to_string(steps()) + ": the loss became " + (std::isnan(*loss) ? "NaN" : "infinite") +
           " (learning rate " + number_text(options_.schedule.base) +
           "): lower the learning rate ten-fold, or set a gradient clip norm, and start again");
      break;
    }
  }
  return did;
}

Result<nn::Tensor> TrainingRun::predict_rows(const std::vector<uint32_t>& rows) {
  if (!model_ || data_ == nullptr) return invalid_argument("no model has been trained yet");
  if (rows.empty()) return invalid_argument("no rows to predict");
  nn::Tensor inputs;
  gather_rows(data_->inputs, rows, inputs);
  if (on_device()) {  // on the host, with the weights of the last snapshot (an epoch's end)
    EPIBOOK_ASSIGN_OR_RETURN(nn::LayerPtr model, snapshot_model());
    return predict(*model, inputs, options_.batch_size);
  }
  return predict(*model_, inputs, options_.batch_size);
}

std::string TrainingRun::manifest_json(const std::string& data_description_json) const {
  nlohmann::ordered_json manifest;
  manifest["tool"] = "epibook lab";
  manifest["epibook_version"] = EPIBOOK_VERSION;
  manifest["seed"] = options_.seed;
  manifest["config"] = nlohmann::ordered_json::parse(train_options_json(options_), nullptr, false);
  manifest["data"] = nlohmann::ordered_json::parse(data_description_json, nullptr, false);
  if (data_ != nullptr) {
    manifest["data"]["rows"] = data_->inputs.dim(0);
    manifest["data"]["input_shape"] = data_->inputs.shape().text();
    manifest["data"]["target_shape"] = data_->targets.shape().text();
  }
  manifest["model"] = {{"parameters", parameter_count()},
                       {"layers", model_ ? nlohmann::ordered_json::parse(model_->describe().dump()) : nullptr}};
  manifest["steps"] = steps();
  manifest["files"] = {{"metrics", "metrics.jsonl"}, {"last", "last.ckpt"}};
  return manifest.dump(2) + "\n";
}

std::string TrainingRun::metrics_jsonl() const {
  std::string lines;
  for (const EpochView& e : epochs_) lines += epoch_metrics_line(e.record);
  return lines;
}

Result<std::string> TrainingRun::checkpoint() const {
  if (!trainer_ || data_ == nullptr) return invalid_argument("no run to save yet");
  if (on_device()) {  // the last snapshot: weights, moments and state of one step
    const TrainerSnapshot snapshot = trainer_->host_snapshot();
    EPIBOOK_ASSIGN_OR_RETURN(nn::LayerPtr model, snapshot_model());
    return checkpoint_bytes(options_, *model, one_row(data_->inputs), one_row(data_->targets), snapshot.trainer,
                            snapshot.optimizer);
  }
  return checkpoint_bytes(options_, *model_, one_row(data_->inputs), one_row(data_->targets), trainer_->state(),
                          trainer_->optimizer().state());
}

}  // namespace epibook::labs
