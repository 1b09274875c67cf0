// The training loop in memory: shuffled batches per epoch (augmented when asked), forward, loss, backward,
// clipping, scheduled optimiser step; at each epoch's end validation, the monitored
// metric and early stopping. train_run (run_directory.cpp) adds the files around it.
#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "epibook/nn/backend.h"
#include "epibook/random.h"
#include "epibook/split.h"
#include "epibook/train.h"

namespace epibook {
namespace {

// Distinct from any stream the model's initialisation or dropout draw from.
constexpr uint64_t kBatchOrderStream = 0xba7c4000ULL;

bool minimised(const std::string& metric) { return metric == "validation_loss" || metric == "mse"; }

std::unique_ptr<nn::Optimizer> make_optimizer(const TrainOptions& o, std::vector<nn::Parameter*> parameters) {
  if (o.optimizer == OptimizerKind::kSgd) {
    nn::SgdOptions sgd = o.sgd;
    sgd.learning_rate = o.schedule.base;
    return std::make_unique<nn::Sgd>(std::move(parameters), sgd);
  }
  nn::AdamOptions adam = o.adam;
  adam.learning_rate = o.schedule.base;
  return std::make_unique<nn::Adam>(std::move(parameters), adam, o.optimizer == OptimizerKind::kAdamW);
}

}  // namespace

Trainer::Trainer(nn::Layer& model, const TrainingRows& data, const TrainOptions& options,
                 std::unique_ptr<nn::Backend> backend)
    : model_(model), data_(data), options_(options), backend_(std::move(backend)) {}

Trainer::~Trainer() {
  // The model may outlive the trainer: it goes back to the standalone backend rather
  // than point at a backend that is gone.
  if (model_.attached_backend() == backend_.get()) model_.set_backend(nullptr);
}

Result<std::unique_ptr<Trainer>> Trainer::create(nn::Layer& model, const TrainingData& data,
                                                 const TrainOptions& options) {
  return create(model, data, options, std::make_unique<nn::CpuBackend>(options.threads));
}

Result<std::unique_ptr<Trainer>> Trainer::create(nn::Layer& model, const TrainingData& data,
                                                 const TrainOptions& options, std::unique_ptr<nn::Backend> backend) {
  auto rows = std::make_unique<InMemoryRows>(data);
  EPIBOOK_ASSIGN_OR_RETURN(std::unique_ptr<Trainer> trainer, create(model, *rows, options, std::move(backend)));
  trainer->owned_rows_ = std::move(rows);
  return trainer;
}

Result<std::unique_ptr<Trainer>> Trainer::create(nn::Layer& model, const TrainingRows& data,
                                                 const TrainOptions& options) {
  return create(model, data, options, std::make_unique<nn::CpuBackend>(options.threads));
}

namespace {

// What a device backend cannot run yet (backend.h says why), named for the reader.
Status check_device_training(const TrainOptions& options, const std::string& backend) {
  if (options.loss != "mse" && options.loss != "poisson" && options.loss != "bce") {
    return unsupported("the loss " + options.loss + " runs on the CPU backend only, not on " + backend);
  }
  if (options.clip_norm > 0.0) return unsupported("gradient clipping runs on the CPU backend only, not on " + backend);
  return Status::ok();
}

}  // namespace

Result<std::unique_ptr<Trainer>> Trainer::create(nn::Layer& model, const TrainingRows& data,
                                                 const TrainOptions& options, std::unique_ptr<nn::Backend> backend) {
  EPIBOOK_RETURN_IF_ERROR(validate_train_options(options));
  if (backend == nullptr) return invalid_argument("Trainer::create: no backend");
  if (backend->on_device()) EPIBOOK_RETURN_IF_ERROR(check_device_training(options, backend->name()));
  if (data.split().size() != data.rows() || data.rows() == 0) {
    return invalid_argument("the data have no rows (or a split that does not cover them)");
  }
  std::unique_ptr<Trainer> trainer(new Trainer(model, data, options, std::move(backend)));
  // A backend made with an EPIBOOK_CONV_KERNELS this CPU cannot run says so here.
  EPIBOOK_RETURN_IF_ERROR(trainer->backend_->status());
  if (options.loss == "poisson") trainer->device_loss_kind_ = nn::ElementwiseLoss::kPoisson;
  if (options.loss == "bce") trainer->device_loss_kind_ = nn::ElementwiseLoss::kBce;
  EPIBOOK_ASSIGN_OR_RETURN(trainer->loss_, nn::make_loss(options.loss, options.loss_weights));
  for (size_t i = 0; i < data.split().size(); ++i) {
    if (data.split()[i] == static_cast<int8_t>(Split::kTrain)) trainer->train_rows_.push_back(static_cast<uint32_t>(i));
    if (data.split()[i] == static_cast<int8_t>(Split::kValidation)) {
      trainer->validation_rows_.push_back(static_cast<uint32_t>(i));
    }
  }
  if (trainer->train_rows_.empty()) return invalid_argument("the data have no training rows (split 0)");
  if (trainer->validation_rows_.empty() && options.early_stopping.metric != "validation_loss") {
    return invalid_argument("early_stopping.metric " + options.early_stopping.metric +
                            " needs validation rows (split 1), and the data have none");
  }
  // The model's output for one row must fit the loss's target for one row.
  const nn::Shape one_input = data.input_shape(1);
  EPIBOOK_ASSIGN_OR_RETURN(const nn::Shape one_output, model.output_shape(one_input));
  const int64_t target_per_row = data.target_shape(1).elements();
  const int64_t output_per_row = one_output.elements();
  // Augmentation needs one-hot DNA and bins that tile the window; said now, not at step 1.
  EPIBOOK_RETURN_IF_ERROR(augmentation_step(options.augment, one_input, data.target_shape(1)).status());
  const bool classes = options.loss == "cross_entropy";
  if ((classes && target_per_row != 1) || (!classes && target_per_row != output_per_row)) {
    return invalid_argument("the model's output " + one_output.text() + " per row does not fit the targets " +
                            data.target_shape(static_cast<int64_t>(data.rows())).text() + " (loss " + options.loss + "); check model.head and model.outputs");
  }
  if (trainer->options_.schedule.total_steps == 0) {
    trainer->options_.schedule.total_steps = trainer->options_.epochs * trainer->batches_per_epoch();
  }
  model.set_backend(trainer->backend_.get());
  trainer->optimizer_ = make_optimizer(trainer->options_, model.parameters());
  trainer->optimizer_->set_backend(trainer->backend_.get());
  trainer->state_.step_losses.reserve(trainer->options_.epochs * trainer->batches_per_epoch());
  trainer->start_epoch();
  if (trainer->backend_->on_device()) trainer->commit_snapshot();  // the initial weights, made on the host
  return trainer;
}

uint64_t Trainer::batches_per_epoch() const {
  return (train_rows_.size() + options_.batch_size - 1) / options_.batch_size;
}

bool Trainer::finished() const { return stopped_ || state_.next_epoch >= options_.epochs; }

void Trainer::start_epoch() {
  order_ = train_rows_;
  CounterRng rng(options_.seed, kBatchOrderStream + state_.next_epoch);
  for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.next_below(i)]);
  batch_ = 0;
  epoch_loss_sum_ = 0.0;
}

Result<double> Trainer::step() {
  if (backend_->on_device()) {
    return invalid_argument("on " + backend_->name() + ", a step is begin_step() then finish_step()");
  }
  if (step_pending()) return invalid_argument("a step is pending: call finish_step()");
  if (finished()) return invalid_argument("training has finished");
  if (epoch_done()) return invalid_argument("the epoch's batches are done: call finish_epoch()");
  const size_t first = batch_ * options_.batch_size;
  const size_t count = std::min<size_t>(options_.batch_size, order_.size() - first);
  const std::span<const uint32_t> rows(order_.data() + first, count);
  EPIBOOK_RETURN_IF_ERROR(data_.gather(rows, batch_inputs_, batch_targets_));
  EPIBOOK_RETURN_IF_ERROR(augment_batch(options_.augment, options_.seed, state_.next_epoch, rows, batch_inputs_, batch_targets_));
  model_.set_training(true);
  optimizer_->zero_grad();
  EPIBOOK_RETURN_IF_ERROR(model_.forward(batch_inputs_, outputs_));
  if (options_.loss != "cross_entropy") batch_targets_.reshape(outputs_.shape());
  EPIBOOK_ASSIGN_OR_RETURN(const double loss, loss_->evaluate(outputs_, batch_targets_, &grad_outputs_));
  EPIBOOK_RETURN_IF_ERROR(model_.backward(grad_outputs_, nullptr));
  if (options_.clip_norm > 0.0) nn::clip_gradient_norm(optimizer_->parameters(), options_.clip_norm);
  optimizer_->set_learning_rate(nn::learning_rate_at(options_.schedule, state_.steps));
  optimizer_->step();
  ++state_.steps;
  ++batch_;
  state_.step_losses.push_back(loss);
  epoch_loss_sum_ += loss;
  return loss;
}

bool Trainer::can_begin_step() const {
  if (finished() || batch_ + pending_.size() >= batches_per_epoch()) return false;
  if (pending_.size() >= steps_in_flight()) return false;
  return std::none_of(pending_.begin(), pending_.end(), [](const PendingStep& p) { return p.snapshot; });
}

Status Trainer::begin_step() {
  if (!backend_->on_device()) {
    if (step_pending()) return invalid_argument("a step is pending: call finish_step()");
    EPIBOOK_ASSIGN_OR_RETURN(pending_loss_, step());
    pending_.push_back(PendingStep{});
    return Status::ok();
  }
  if (finished()) return invalid_argument("training has finished");
  if (batch_ + pending_.size() >= batches_per_epoch()) {
    return invalid_argument(step_pending() ? "the epoch's last step is pending: call finish_step()"
                                           : "the epoch's batches are done: call finish_epoch()");
  }
  if (!can_begin_step()) return invalid_argument("steps are pending: call finish_step()");
  EPIBOOK_RETURN_IF_ERROR(backend_->status());
  // The step after the pending ones.
  const uint64_t step = state_.steps + pending_.size();
  const uint64_t batch = batch_ + pending_.size();
  const size_t first = batch * options_.batch_size;
  const size_t count = std::min<size_t>(options_.batch_size, order_.size() - first);
  const std::span<const uint32_t> rows(order_.data() + first, count);
  EPIBOOK_RETURN_IF_ERROR(data_.gather(rows, batch_inputs_, batch_targets_));
  EPIBOOK_RETURN_IF_ERROR(augment_batch(options_.augment, options_.seed, state_.next_epoch, rows, batch_inputs_, batch_targets_));
  EPIBOOK_RETURN_IF_ERROR(backend_->upload(batch_inputs_));
  model_.set_training(true);
  optimizer_->zero_grad();
  EPIBOOK_RETURN_IF_ERROR(model_.forward(batch_inputs_, outputs_));
  batch_targets_.reshape(outputs_.shape());
  EPIBOOK_RETURN_IF_ERROR(backend_->upload(batch_targets_));
  PendingStep pending;
  pending.loss = static_cast<size_t>(step % kMaxStepsInFlight);
  nn::Tensor& loss = device_losses_[pending.loss];
  backend_->elementwise_loss(device_loss_kind_, options_.loss_weights, outputs_, batch_targets_, loss, grad_outputs_);
  EPIBOOK_RETURN_IF_ERROR(model_.backward(grad_outputs_, nullptr));
  optimizer_->set_learning_rate(nn::learning_rate_at(options_.schedule, step));
  optimizer_->step();
  // A snapshot rides in the same command buffer as the loss: the weights, moments and
  // buffers land in their host values when the loss does.
  pending.snapshot = (step + 1) % snapshot_interval_ == 0 || batch + 1 == batches_per_epoch();
  if (pending.snapshot) {
    for (nn::Parameter* p : optimizer_->parameters()) EPIBOOK_RETURN_IF_ERROR(backend_->request_download(p->value));
    for (nn::Tensor* t : optimizer_->state_tensors()) EPIBOOK_RETURN_IF_ERROR(backend_->request_download(*t));
    for (nn::Buffer* b : model_.buffers()) EPIBOOK_RETURN_IF_ERROR(backend_->request_download(b->value));
  }
  EPIBOOK_RETURN_IF_ERROR(backend_->request_download(loss));
  pending.download = backend_->downloads_requested();
  EPIBOOK_RETURN_IF_ERROR(backend_->submit());
  pending_.push_back(pending);
  return Status::ok();
}

Result<std::optional<double>> Trainer::finish_step() {
  if (!step_pending()) return invalid_argument("no step is pending: call begin_step()");
  if (!backend_->on_device()) {
    pending_.clear();
    return std::optional<double>(pending_loss_);
  }
  if (Status status = backend_->status(); !status.is_ok()) {
    pending_.clear();  // the pending steps are lost with the device; the snapshot stands
    return status;
  }
  const PendingStep oldest = pending_.front();
  if (!backend_->downloads_done(oldest.download)) return std::optional<double>();
  pending_.pop_front();
  const double loss = device_losses_[oldest.loss][0];
  ++state_.steps;
  ++batch_;
  state_.step_losses.push_back(loss);
  epoch_loss_sum_ += loss;
  // No later step was recorded after a snapshot step (can_begin_step), so the host's
  // optimiser steps and counters are this step's.
  if (oldest.snapshot) commit_snapshot();
  return std::optional<double>(loss);
}

void Trainer::commit_snapshot() {
  snapshot_.trainer = state_;
  snapshot_.optimizer = optimizer_->state();
  snapshot_.parameters.clear();
  for (nn::Parameter* p : optimizer_->parameters()) snapshot_.parameters.push_back(p->value);
  snapshot_.buffers.clear();
  for (nn::Buffer* b : model_.buffers()) snapshot_.buffers.push_back(b->value);
  snapshot_.counters.clear();
  for (nn::Counter* c : model_.counters()) snapshot_.counters.push_back(c->value);
}

TrainerSnapshot Trainer::host_snapshot() const {
  if (backend_->on_device()) return snapshot_;
  TrainerSnapshot now;
  now.trainer = state_;
  now.optimizer = optimizer_->state();
  for (nn::Parameter* p : optimizer_->parameters()) now.parameters.push_back(p->value);
  for (nn::Buffer* b : model_.buffers()) now.buffers.push_back(b->value);
  for (nn::Counter* c : model_.counters()) now.counters.push_back(c->value);
  return now;
}

Status Trainer::replay(const std::vector<double>& recorded_losses) {
  if (backend_->on_device()) return invalid_argument("replay runs on the CPU backend");
  while (state_.steps < recorded_losses.size()) {
    if (epoch_done()) return invalid_argument("replay would cross an epoch's end");
    EPIBOOK_RETURN_IF_ERROR(step().status());
  }
  state_.step_losses = recorded_losses;
  epoch_loss_sum_ = 0.0;
  for (uint64_t i = state_.steps - batch_; i < state_.steps; ++i) epoch_loss_sum_ += state_.step_losses[i];
  return Status::ok();
}

namespace {

// Copies `part` ([n, ...]) into rows [first, first + n) of `all`, sized for `rows` rows.
void place_rows(const nn::Tensor& part, uint64_t first, uint64_t rows, nn::Tensor& all) {
  if (first == 0) {
    nn::Shape shape = part.shape();
    shape[0] = static_cast<int64_t>(rows);
    all.resize(shape);
  }
  const int64_t per_row = part.size() / std::max<int64_t>(1, part.dim(0));
  std::copy(part.data(), part.data() + part.size(), all.data() + static_cast<int64_t>(first) * per_row);
}

}  // namespace

Result<uint64_t> Trainer::validate_next_batch() {
  const uint64_t rows = validation_rows_.size();
  if (validated_rows_ >= rows) return validated_rows_;
  const size_t count = std::min<size_t>(options_.batch_size, rows - validated_rows_);
  const std::span<const uint32_t> batch_rows(validation_rows_.data() + validated_rows_, count);
  if (backend_->on_device()) {
    // A forward pass on the device; the outputs gather there and come back once, with
    // the last batch (validation_ready() says when they have landed).
    if (step_pending()) return invalid_argument("a step is pending: call finish_step()");
    EPIBOOK_RETURN_IF_ERROR(backend_->status());
    EPIBOOK_RETURN_IF_ERROR(data_.gather(batch_rows, batch_inputs_, batch_targets_));
    EPIBOOK_RETURN_IF_ERROR(backend_->upload(batch_inputs_));
    model_.set_training(false);
    EPIBOOK_RETURN_IF_ERROR(model_.forward(batch_inputs_, outputs_));
    if (validated_rows_ == 0) {
      nn::Shape shape = outputs_.shape();
      shape[0] = static_cast<int64_t>(rows);
      validation_outputs_.resize(shape);
    }
    const int64_t per_row = outputs_.size() / std::max<int64_t>(1, outputs_.dim(0));
    backend_->copy_into(outputs_, validation_outputs_, static_cast<int64_t>(validated_rows_) * per_row);
    place_rows(batch_targets_, validated_rows_, rows, validation_targets_);
    validated_rows_ += count;
    if (validated_rows_ == rows) EPIBOOK_RETURN_IF_ERROR(backend_->request_download(validation_outputs_));
    EPIBOOK_RETURN_IF_ERROR(backend_->submit());
    return validated_rows_;
  }
  // predict_rows runs batch_size rows per pass, as it did over all rows at once.
  EPIBOOK_ASSIGN_OR_RETURN(RowPredictions predicted, predict_rows(model_, data_, batch_rows, options_.batch_size));
  place_rows(predicted.outputs, validated_rows_, rows, validation_outputs_);
  place_rows(predicted.targets, validated_rows_, rows, validation_targets_);
  validated_rows_ += count;
  return validated_rows_;
}

bool Trainer::validation_ready() const {
  if (!backend_->on_device()) return true;
  return validated_rows_ >= validation_rows_.size() && !step_pending() && backend_->downloads_done();
}

Result<EpochRecord> Trainer::finish_epoch() {
  if (!epoch_done()) return invalid_argument("the epoch still has batches to run");
  if (backend_->on_device()) {
    EPIBOOK_RETURN_IF_ERROR(backend_->status());
    if (!validation_ready()) return invalid_argument("the validation outputs are still on their way from the device");
  }
  EpochRecord record;
  record.epoch = state_.next_epoch;
  record.steps = state_.steps;
  record.train_loss = epoch_loss_sum_ / static_cast<double>(batches_per_epoch());
  record.learning_rate = optimizer_->learning_rate();
  record.monitored = record.train_loss;
  if (!validation_rows_.empty()) {
    while (validated_rows_ < validation_rows_.size()) EPIBOOK_RETURN_IF_ERROR(validate_next_batch().status());
    validated_rows_ = 0;
    const nn::Tensor& outputs = validation_outputs_;
    nn::Tensor& targets = validation_targets_;
    if (options_.loss != "cross_entropy") targets.reshape(outputs.shape());
    EPIBOOK_ASSIGN_OR_RETURN(record.validation_loss, loss_->evaluate(outputs, targets, nullptr));
    EPIBOOK_ASSIGN_OR_RETURN(record.validation, validation_metrics(options_.loss, outputs, targets));
    record.monitored = *record.validation_loss;
    if (options_.early_stopping.metric != "validation_loss") {
      record.monitored = std::nan("");
      for (const MetricValue& m : record.validation) {
        if (m.name == options_.early_stopping.metric) record.monitored = m.value;
      }
    }
  }
  const double delta = options_.early_stopping.min_delta;
  const bool better = minimised(options_.early_stopping.metric) ? record.monitored < state_.best_monitored - delta
                                                                 : record.monitored > state_.best_monitored + delta;
  record.improved = !std::isnan(record.monitored) && (!state_.has_best || better);
  if (record.improved) {
    state_.best_monitored = record.monitored;
    state_.has_best = true;
    state_.epochs_since_best = 0;
  } else {
    ++state_.epochs_since_best;
  }
  record.stop = options_.early_stopping.patience > 0 && state_.epochs_since_best >= options_.early_stopping.patience;
  stopped_ = record.stop;
  ++state_.next_epoch;
  if (!finished()) start_epoch();
  if (backend_->on_device()) snapshot_.trainer = state_;  // weights unchanged since the epoch's last step
  return record;
}

Result<EpochRecord> Trainer::run_epoch(const std::function<void(uint64_t, uint64_t, double)>& on_step) {
  while (!epoch_done()) {
    EPIBOOK_ASSIGN_OR_RETURN(const double loss, step());
    if (on_step) on_step(batch_, batches_per_epoch(), loss);
  }
  return finish_epoch();
}

Status Trainer::restore(const TrainerState& state, const nn::OptimizerState& optimizer_state) {
  EPIBOOK_RETURN_IF_ERROR(optimizer_->load_state(optimizer_state));
  state_ = state;
  stopped_ = options_.early_stopping.patience > 0 && state_.epochs_since_best >= options_.early_stopping.patience;
  if (!finished()) {
    start_epoch();
    // Steps past the finished epochs' (a state saved within an epoch) were its first batches.
    const uint64_t before = static_cast<uint64_t>(state_.next_epoch) * batches_per_epoch();
    batch_ = state_.steps > before ? std::min(state_.steps - before, batches_per_epoch()) : 0;
    for (uint64_t i = state_.steps - batch_; i < state_.steps && i < state_.step_losses.size(); ++i) {
      epoch_loss_sum_ += state_.step_losses[i];
    }
  }
  if (backend_->on_device()) commit_snapshot();
  return Status::ok();
}

}  // namespace epibook
