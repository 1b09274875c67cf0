// The training component (training_panel.h): settings, the frame loop over runs A and
// B, plots and the records of a run (link, download, open). Every number comes from the
// core (Trainer, metrics, checkpoints); this file lays them out.
#include "training_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../app/plot.h"
#include "../labs/lab.h"
#include "epibook/random.h"
#include "epibook/run_record.h"

namespace epibook::labs {
namespace {

constexpr const char* kRunNames[2] = {"A", "B"};
constexpr const char* kOptimizers[] = {"sgd", "adam", "adamw"};
constexpr const char* kSchedules[] = {"constant", "cosine", "warmup_cosine"};
constexpr const char* kMonitors[] = {"validation_loss", "auroc", "auprc", "pearson", "spearman", "mse"};
constexpr const char* kHeads[] = {"global_max_dense", "global_avg_dense"};
constexpr size_t kMaxLinkSteps = 1000000;

std::string hex64(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

std::string fixed(double value, int digits = 3) {
  if (!std::isfinite(value)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

nlohmann::json number_or_null(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

// The metric a panel puts first for a loss: correlation for signal, AUROC for labels.
std::string metric_for_loss(const std::string& loss) {
  if (loss == "bce") return "auroc";
  if (loss == "cross_entropy") return "accuracy";
  return "pearson";
}

std::optional<double> metric_of(const EpochRecord& record, const std::string& name) {
  for (const MetricValue& m : record.validation) {
    if (m.name == name) return m.value;
  }
  return std::nullopt;
}

// Mean of the last `window` values ending at i (the smoothed training loss).
std::vector<float> running_mean(const std::vector<double>& values, size_t window) {
  std::vector<float> out(values.size());
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out[i] = static_cast<float>(sum / static_cast<double>(std::min(i + 1, window)));
  }
  return out;
}

}  // namespace

bool narrow_layout() { return ImGui::GetContentRegionAvail().x < kNarrowLayoutEms * ImGui::GetFontSize(); }

void same_line_if_fits(float next_width) {
  const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  if (ImGui::GetItemRectMax().x + ImGui::GetStyle().ItemSpacing.x + next_width <= right) ImGui::SameLine();
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

// ---------------------------------------------------------------------------------
// Data from the lab.
TrainingPanel::TrainingPanel(TrainOptions defaults) {
  for (Slot& slot : slots_) {
    slot.settings = defaults;
    slot.settings.threads = kPageThreads;  // as many as the page offers: the same bits as on one
  }
}

void TrainingPanel::set_data(PanelData data) {
  data_ = std::move(data);
  for (Slot& slot : slots_) {
    clear_slot(slot);
    if (!data_.losses.empty() &&
        std::find(data_.losses.begin(), data_.losses.end(), slot.settings.loss) == data_.losses.end()) {
      slot.settings.loss = data_.losses.front();
      slot.settings.loss_weights.clear();
      if (slot.settings.loss == "multinomial") slot.settings.loss_weights = {data_.count_weight};
    }
    slot.settings.data = slot.settings.loss == "bce" && data_.label_data ? data_.label_data_options : data_.data_options;
  }
  message_.clear();
}

void TrainingPanel::clear_slot(Slot& slot) {
  slot.run.clear();
  slot.stretch_predictions.clear();
  slot.predicted_epoch = 0;
  slot.recorded_epochs = 0;
  ++slot.record_serial;
}

const TrainingData& TrainingPanel::data_for(const TrainOptions& settings) const {
  return settings.loss == "bce" && data_.label_data != nullptr ? *data_.label_data : *data_.data;
}

Status TrainingPanel::ensure_started(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  if (slot.run.phase() != TrainingRun::Phase::kEmpty) return Status::ok();
  if (!has_data()) return invalid_argument("the data are not ready yet");
  Status status = slot.run.start(data_for(slot.settings), slot.settings, backend_choice_);
  if (!status.is_ok()) return status.with_context(std::string("run ") + kRunNames[index]);
  return Status::ok();
}

// ---------------------------------------------------------------------------------
// Per frame.
void TrainingPanel::step(double budget_ms) {
  const int runs = active_runs();
  for (int i = 0; i < runs; ++i) {
    Slot& slot = slots_[static_cast<size_t>(i)];
    slot.run.advance(budget_ms / runs);
    if (slot.run.epochs().size() != slot.predicted_epoch) update_stretch(slot);
    record_epochs(i);
  }
  if (replay_steps_) {
    bool done = true;
    for (int i = 0; i < runs; ++i) done = done && !slots_[static_cast<size_t>(i)].run.busy();
    if (done) replay_steps_.reset();
  }
}

void TrainingPanel::record_epochs(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  const auto epochs = static_cast<uint32_t>(slot.run.epochs().size());
  if (!recorder_ || epochs <= slot.recorded_epochs) return;
  slot.recorded_epochs = epochs;
  recorder_(index, slot.record_serial, slot.run.manifest_json(data_.description_json), slot.run.metrics_jsonl());
}

bool TrainingPanel::busy() const {
  for (int i = 0; i < active_runs(); ++i) {
    if (slots_[static_cast<size_t>(i)].run.busy()) return true;
  }
  return false;
}

void TrainingPanel::update_stretch(Slot& slot) {
  slot.predicted_epoch = static_cast<uint32_t>(slot.run.epochs().size());
  slot.stretch_predictions.clear();
  if (data_.stretch_rows.empty()) return;
  Result<nn::Tensor> outputs = slot.run.predict_rows(data_.stretch_rows);
  if (!outputs.is_ok()) return;
  // One number per row: the mean over outputs (bins, tracks), on the target's scale.
  const int64_t rows = outputs->dim(0);
  const int64_t per_row = outputs->size() / std::max<int64_t>(1, rows);
  const std::string& loss = slot.run.options().loss;
  for (int64_t r = 0; r < rows; ++r) {
    double sum = 0;
    for (int64_t k = 0; k < per_row; ++k) {
      const double v = (*outputs)[r * per_row + k];
      sum += loss == "bce" ? 1.0 / (1.0 + std::exp(-v)) : outputs_log_rates(loss) ? std::exp(v) : v;
    }
    slot.stretch_predictions.push_back(static_cast<float>(sum / static_cast<double>(per_row)));
  }
}

std::string TrainingPanel::main_metric() const { return metric_for_loss(slots_[0].settings.loss); }

// ---------------------------------------------------------------------------------
// Test API.
std::vector<std::string> TrainingPanel::keys() {
  return {"train_steps", "start", "pause", "step", "reset", "compare", "layers", "channels", "kernel", "pool",
          "head", "dilation", "loss", "pos_weight", "count_weight", "optimizer", "learning_rate", "schedule", "warmup_steps", "batch_size", "epochs", "seed", "clip_norm", "patience", "min_delta", "monitor",
          "reverse_complement", "max_shift", "threads", "backend"};
}

Status TrainingPanel::set_params(const nlohmann::json& params, bool run_b) {
  for (const std::string prefix : {"", "b."}) {
    if (!prefix.empty() && !run_b) break;
    for (const std::string& key : keys()) {
      if (params.contains(prefix + key) && key != "train_steps" && key != "start") {
        EPIBOOK_RETURN_IF_ERROR(set(prefix + key, params[prefix + key]));
      }
    }
  }
  return Status::ok();
}

Status TrainingPanel::set_setting(TrainOptions& s, const std::string& key, const nlohmann::json& value) {
  auto whole = [&](double lo, double hi) -> Result<int64_t> {
    EPIBOOK_ASSIGN_OR_RETURN(const double number, json_number(value, key));
    EPIBOOK_RETURN_IF_ERROR(check_range(key, number, lo, hi));
    if (number != std::floor(number)) return invalid_argument(key + ": " + value.dump() + " is not a whole number");
    return static_cast<int64_t>(number);
  };
  TrainOptions next = s;
  if (key == "layers") {
    EPIBOOK_ASSIGN_OR_RETURN(next.model.conv_layers, whole(1, 8));
  } else if (key == "channels") {
    EPIBOOK_ASSIGN_OR_RETURN(next.model.channels, whole(1, 256));
  } else if (key == "kernel") {
    EPIBOOK_ASSIGN_OR_RETURN(next.model.kernel_size, whole(1, 51));
  } else if (key == "pool") {
    EPIBOOK_ASSIGN_OR_RETURN(next.model.pool, whole(0, 16));
  } else if (key == "head") {
    EPIBOOK_ASSIGN_OR_RETURN(next.model.head, json_text(value, key));
  } else if (key == "dilation") {
    EPIBOOK_ASSIGN_OR_RETURN(next.model.dilation_growth, whole(1, 4));
  } else if (key == "batch_size") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t n, whole(1, 1024));
    next.batch_size = static_cast<uint32_t>(n);
  } else if (key == "epochs") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t n, whole(1, 1000));
    next.epochs = static_cast<uint32_t>(n);
  } else if (key == "seed") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t n, whole(0, 9007199254740991.0));
    next.seed = static_cast<uint64_t>(n);
  } else if (key == "learning_rate") {
    EPIBOOK_ASSIGN_OR_RETURN(next.schedule.base, json_number(value, key));
    EPIBOOK_RETURN_IF_ERROR(check_range(key, next.schedule.base, 1e-7, 10));
  } else if (key == "threads") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t n, whole(1, kPageThreads));
    next.threads = static_cast<int>(n);
  } else if (key == "clip_norm") {
    EPIBOOK_ASSIGN_OR_RETURN(next.clip_norm, json_number(value, key));
    EPIBOOK_RETURN_IF_ERROR(check_range(key, next.clip_norm, 0, 1e6));
  } else if (key == "loss") {
    EPIBOOK_ASSIGN_OR_RETURN(next.loss, json_text(value, key));
    if (!data_.losses.empty() && std::find(data_.losses.begin(), data_.losses.end(), next.loss) == data_.losses.end()) {
      std::string allowed;
      for (const std::string& l : data_.losses) allowed += (allowed.empty() ? "" : ", ") + l;
      return invalid_argument("loss: " + next.loss + " does not fit these targets (" + allowed + ")");
    }
    // A new loss starts from its own weights: pos_weight 1, the data's count weight.
    next.loss_weights.clear();
    if (next.loss == "multinomial") next.loss_weights = {data_.count_weight};
    next.data = next.loss == "bce" && data_.label_data ? data_.label_data_options : data_.data_options;
  } else if (key == "pos_weight" || key == "count_weight") {
    const char* loss = key == "pos_weight" ? "bce" : "multinomial";
    if (next.loss != loss) return invalid_argument(key + " is a setting of the " + loss + " loss, not of " + next.loss);
    EPIBOOK_ASSIGN_OR_RETURN(const double weight, json_number(value, key));
    EPIBOOK_RETURN_IF_ERROR(check_range(key, weight, key == "pos_weight" ? 0.01 : 0.0, 1000));
    next.loss_weights = {static_cast<float>(weight)};
  } else if (key == "optimizer") {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, key));
    EPIBOOK_ASSIGN_OR_RETURN(next.optimizer, parse_optimizer_kind(name));
  } else if (key == "schedule") {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, key));
    EPIBOOK_ASSIGN_OR_RETURN(next.schedule.kind, nn::parse_schedule_kind(name));
    if (next.schedule.kind == nn::LearningRateSchedule::Kind::kStep) {
      return invalid_argument("schedule: the lab offers constant, cosine and warmup_cosine");
    }
    next.schedule.total_steps = 0;  // the whole run
  } else if (key == "warmup_steps") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t n, whole(0, 1e6));
    next.schedule.warmup_steps = static_cast<uint64_t>(n);
  } else if (key == "patience") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t n, whole(0, 1000));
    next.early_stopping.patience = static_cast<uint32_t>(n);
  } else if (key == "min_delta") {
    EPIBOOK_ASSIGN_OR_RETURN(next.early_stopping.min_delta, json_number(value, key));
    EPIBOOK_RETURN_IF_ERROR(check_range(key, next.early_stopping.min_delta, 0, 1e6));
  } else if (key == "monitor") {
    EPIBOOK_ASSIGN_OR_RETURN(next.early_stopping.metric, json_text(value, key));
  } else if (key == "reverse_complement") {
    EPIBOOK_ASSIGN_OR_RETURN(next.augment.reverse_complement, json_flag(value, key));
  } else if (key == "max_shift") {
    EPIBOOK_ASSIGN_OR_RETURN(const int64_t n, whole(0, 10000));
    next.augment.max_shift = static_cast<uint32_t>(n);
  } else {
    return not_found(key);
  }
  // The data section is the lab's (set_data); the reader's settings are checked alone.
  TrainOptions check = next;
  if (check.data.dir.empty() && !check.data.from_genome()) check.data.dir = "lab data";
  EPIBOOK_RETURN_IF_ERROR(validate_train_options(check));
  s = next;
  return Status::ok();
}

Status TrainingPanel::set(const std::string& key, const nlohmann::json& value) {
  if (key == "compare") {
    EPIBOOK_ASSIGN_OR_RETURN(compare_, json_flag(value, key));
    if (!compare_) slots_[1].run.pause();
    return Status::ok();
  }
  if (key == "reset") {
    for (Slot& slot : slots_) clear_slot(slot);
    message_.clear();
    return Status::ok();
  }
  if (key == "backend") {
    EPIBOOK_ASSIGN_OR_RETURN(const std::string name, json_text(value, key));
    EPIBOOK_ASSIGN_OR_RETURN(backend_choice_, parse_backend_choice(name));
    for (Slot& slot : slots_) slot.run.choose_backend(backend_choice_);
    return Status::ok();
  }
  if (key == "pause") {
    for (Slot& slot : slots_) slot.run.pause();
    return Status::ok();
  }
  if (key == "train_steps" || key == "step" || key == "start") {
    uint64_t steps = 1;
    if (key == "train_steps") {
      EPIBOOK_ASSIGN_OR_RETURN(const double n, json_number(value, key));
      EPIBOOK_RETURN_IF_ERROR(check_range(key, n, 0, 1e7));
      steps = static_cast<uint64_t>(n);
    }
    for (int i = 0; i < active_runs(); ++i) {
      EPIBOOK_RETURN_IF_ERROR(ensure_started(i));
      TrainingRun& run = slots_[static_cast<size_t>(i)].run;
      if (run.phase() == TrainingRun::Phase::kFailed) return invalid_argument(run.message());
      if (key == "start") {
        run.want_all();
      } else {
        run.want_steps(steps);
      }
    }
    return Status::ok();
  }
  const bool for_b = key.rfind("b.", 0) == 0;
  const std::string setting = for_b ? key.substr(2) : key;
  Slot& slot = slots_[for_b ? 1 : 0];
  Status status = set_setting(slot.settings, setting, value);
  if (status.code() == ErrorCode::kNotFound && status.message() == setting) return not_found(key);
  EPIBOOK_RETURN_IF_ERROR(status);
  // A run is the record of its settings: new settings, a new run.
  clear_slot(slot);
  return Status::ok();
}

nlohmann::json TrainingPanel::run_state(const Slot& slot) const {
  const TrainingRun& run = slot.run;
  nlohmann::json state;
  state["settings"] = nlohmann::json::parse(train_options_json(slot.settings), nullptr, false);
  state["seed"] = slot.settings.seed;
  state["steps"] = run.steps();
  state["steps_in_run"] = run.steps_in_run();
  state["epoch"] = run.epoch();
  state["phase"] = run.phase() == TrainingRun::Phase::kEmpty      ? "empty"
                   : run.phase() == TrainingRun::Phase::kReady    ? (run.busy() ? "training" : "paused")
                   : run.phase() == TrainingRun::Phase::kFinished ? "finished"
                                                                  : "failed";
  state["message"] = run.message();
  state["parameters"] = run.parameter_count();
  state["ms_per_step"] = run.milliseconds_per_step();
  state["threads"] = slot.settings.threads;
  state["backend"] = run.backend();
  state["backend_note"] = run.backend_note();
  state["backend_fallbacks"] = run.fallbacks();
  if (run.probe_cpu_ms() > 0) state["probe"] = {{"cpu_ms", run.probe_cpu_ms()}, {"webgpu_ms", run.probe_webgpu_ms()}};
  nlohmann::json losses = nlohmann::json::array();
  for (double loss : run.step_losses()) losses.push_back(number_or_null(loss));
  state["train_loss"] = losses;
  nlohmann::json validation = nlohmann::json::array();
  for (const EpochView& e : run.epochs()) {
    nlohmann::json epoch;
    epoch["epoch"] = e.record.epoch;
    epoch["steps"] = e.record.steps;
    epoch["train_loss"] = number_or_null(e.record.train_loss);
    epoch["loss"] = e.record.validation_loss ? number_or_null(*e.record.validation_loss) : nlohmann::json();
    for (const MetricValue& m : e.record.validation) epoch[m.name] = number_or_null(m.value);
    nlohmann::json floors = nlohmann::json::object();
    for (const Evaluation::Floor& f : e.floors) floors[f.name] = {{"mean", f.floor.mean}, {"sd", f.floor.sd}};
    epoch["floors"] = floors;
    epoch["learning_rate"] = e.record.learning_rate;
    epoch["monitored"] = number_or_null(e.record.monitored);
    epoch["improved"] = e.record.improved;
    validation.push_back(epoch);
  }
  state["validation"] = validation;
  // Early stopping as the trainer kept it: the epoch of the best monitored value (the
  // best checkpoint's), that value, and whether patience ran out (and after which epoch).
  nlohmann::json stopping = {{"metric", slot.settings.early_stopping.metric},
                             {"patience", slot.settings.early_stopping.patience},
                             {"best_epoch", nullptr},
                             {"best", nullptr},
                             {"stopped_early", false},
                             {"last_epoch", nullptr}};
  for (const EpochView& e : run.epochs()) {
    if (e.record.improved) {
      stopping["best_epoch"] = e.record.epoch;
      stopping["best"] = number_or_null(e.record.monitored);
    }
    stopping["last_epoch"] = e.record.epoch;
    if (e.record.stop) stopping["stopped_early"] = true;
  }
  state["early_stopping"] = stopping;
  if (const std::optional<Evaluation>& opened = run.checkpoint_evaluation()) {
    nlohmann::json scores = {{"rows", opened->rows}, {"loss", number_or_null(opened->loss)}};
    for (const MetricValue& m : opened->metrics) scores[m.name] = number_or_null(m.value);
    nlohmann::json floors = nlohmann::json::object();
    for (const Evaluation::Floor& f : opened->floors) floors[f.name] = {{"mean", f.floor.mean}, {"sd", f.floor.sd}};
    scores["floors"] = floors;
    state["checkpoint_validation"] = scores;
  }
  state["cli_config"] = train_options_toml(slot.settings);  // cli_config(run), for either slot
  state["stretch_predictions"] = slot.stretch_predictions;
  return state;
}

void TrainingPanel::add_state(nlohmann::json& state) const {
  nlohmann::json a = run_state(slots_[0]);
  for (auto it = a.begin(); it != a.end(); ++it) {
    if (it.key() != "message" || !it.value().get<std::string>().empty()) state[it.key()] = it.value();
  }
  if (!message_.empty()) state["message"] = message_;
  state["threads_available"] = kPageThreads;  // 2 where the page is cross-origin isolated
  state["backend_choice"] = backend_choice_name(backend_choice_);
  state["webgpu_adapter"] = webgpu_adapter();
  state["compare"] = compare_;
  state["run_link"] = has_data() ? run_link() : "";
  state["data_fingerprint"] = has_data() ? hex64(data_.fingerprint) : "";
  nlohmann::json stretch = nlohmann::json::array();
  for (double start : data_.stretch_starts) {
    stretch.push_back({{"chrom", data_.stretch_chrom}, {"start", start}, {"end", start + data_.stretch_width}});
  }
  state["stretch_windows"] = stretch;  // the windows of stretch_predictions, in order
  if (data_.ceiling) {
    state["ceiling"] = {{"metric", data_.ceiling_metric}, {"value", *data_.ceiling}, {"note", data_.ceiling_note}};
  }
  if (compare_) {
    state["b"] = run_state(slots_[1]);
    nlohmann::json difference = nlohmann::json::object();
    const auto& ea = slots_[0].run.epochs();
    const auto& eb = slots_[1].run.epochs();
    if (!ea.empty() && !eb.empty()) {
      for (const MetricValue& m : eb.back().record.validation) {
        if (auto va = metric_of(ea.back().record, m.name)) difference[m.name] = m.value - *va;
      }
    }
    state["difference"] = difference;
  }
}

// ---------------------------------------------------------------------------------
// Run records.
std::string TrainingPanel::run_link() const {
  nlohmann::json link;
  link["v"] = 1;
  link["data"] = data_.name;
  link["fingerprint"] = hex64(data_.fingerprint);
  link["a"] = nlohmann::json::parse(train_options_json(slots_[0].settings), nullptr, false);
  link["a_steps"] = slots_[0].run.steps();
  if (compare_) {
    link["b"] = nlohmann::json::parse(train_options_json(slots_[1].settings), nullptr, false);
    link["b_steps"] = slots_[1].run.steps();
  }
  return link_prefix_ + "=" + base64url_encode(link.dump());
}

Status TrainingPanel::replay_link(const std::string& encoded) {
  EPIBOOK_ASSIGN_OR_RETURN(const std::string text, base64url_decode(encoded));
  const nlohmann::json link = nlohmann::json::parse(text, nullptr, false);
  if (link.is_discarded() || !link.is_object() || !link.contains("a") || !link["a"].is_object()) {
    return invalid_argument("the run link is damaged (not a run record)");
  }
  if (!has_data()) return invalid_argument("the data are not ready yet");
  const std::string fingerprint = link.value("fingerprint", "");
  if (link.value("data", "") != data_.name) {
    return invalid_argument("the run link was made on the data set \"" + link.value("data", "") + "\", not \"" +
                            data_.name + "\"");
  }
  if (fingerprint != hex64(data_.fingerprint)) {
    return invalid_argument("the run link was made on other data (fingerprint " + fingerprint + ", these data " +
                            hex64(data_.fingerprint) + "): the same settings would not give the same run");
  }
  std::array<uint64_t, 2> steps{0, 0};
  for (int i = 0; i < 2; ++i) {
    const std::string key = i == 0 ? "a" : "b";
    if (!link.contains(key)) continue;
    Result<TrainOptions> options = parse_train_options_json(link[key].dump());
    if (!options.is_ok()) return options.status().with_context("run link, run " + std::string(kRunNames[i]));
    slots_[static_cast<size_t>(i)].settings = *options;
    // A link made in an isolated page (2 threads) replays on this page's count: same bits.
    slots_[static_cast<size_t>(i)].settings.threads = std::min(options->threads, kPageThreads);
    const nlohmann::json& s = link[key + "_steps"];
    steps[static_cast<size_t>(i)] = s.is_number_unsigned() ? std::min<uint64_t>(s.get<uint64_t>(), kMaxLinkSteps) : 0;
  }
  compare_ = link.contains("b");
  EPIBOOK_RETURN_IF_ERROR(set("reset", true));
  for (int i = 0; i < active_runs(); ++i) {
    EPIBOOK_RETURN_IF_ERROR(ensure_started(i));
    slots_[static_cast<size_t>(i)].run.want_steps(steps[static_cast<size_t>(i)]);
  }
  replay_steps_ = steps;
  return Status::ok();
}

Result<std::string> TrainingPanel::run_archive(int index) const {
  const TrainingRun& run = slots_[static_cast<size_t>(index)].run;
  EPIBOOK_ASSIGN_OR_RETURN(const std::string checkpoint, run.checkpoint());
  return tar_archive({{"run/manifest.json", run.manifest_json(data_.description_json)},
                      {"run/metrics.jsonl", run.metrics_jsonl()},
                      {"run/last.ckpt", checkpoint}});
}

std::string TrainingPanel::cli_config(int run) const {
  return train_options_toml(slots_[static_cast<size_t>(run)].settings);
}

Status TrainingPanel::open_checkpoint(const std::string& bytes, const std::string& name) {
  if (!has_data()) return invalid_argument(name + ": the data are not ready yet");
  EPIBOOK_ASSIGN_OR_RETURN(LoadedCheckpoint checkpoint, parse_checkpoint(bytes, name));
  if (!data_.losses.empty() &&
      std::find(data_.losses.begin(), data_.losses.end(), checkpoint.options.loss) == data_.losses.end()) {
    return invalid_argument(name + ": trained with the loss " + checkpoint.options.loss +
                            ", which does not fit the targets of " + data_.name);
  }
  Slot& slot = slots_[0];
  TrainOptions settings = checkpoint.options;
  // the run now works on the lab's data, wherever the CLI's were
  settings.data = settings.loss == "bce" && data_.label_data ? data_.label_data_options : data_.data_options;
  Status status = slot.run.start_from_checkpoint(data_for(checkpoint.options), std::move(checkpoint));
  if (!status.is_ok()) return status.with_context(name);
  // A new run; its own epochs are the CLI's record: the page records what it trains next.
  ++slot.record_serial;
  slot.recorded_epochs = static_cast<uint32_t>(slot.run.epochs().size());
  slot.settings = settings;
  update_stretch(slot);
  return Status::ok();
}

// ---------------------------------------------------------------------------------
// Drawing.
void TrainingPanel::draw_settings(int index) {
  Slot& slot = slots_[static_cast<size_t>(index)];
  TrainOptions& s = slot.settings;
  const std::string prefix = index == 0 ? "" : "b.";
  auto apply = [&](const std::string& key, const nlohmann::json& value) {
    const Status status = set(prefix + key, value);
    message_ = status.is_ok() ? "" : status.message();
  };
  int layers = static_cast<int>(s.model.conv_layers);
  if (ImGui::SliderInt("layers", &layers, 1, 6)) apply("layers", layers);
  int channels = static_cast<int>(s.model.channels);
  if (ImGui::SliderInt("channels", &channels, 2, 128)) apply("channels", channels);
  int kernel = static_cast<int>(s.model.kernel_size);
  if (ImGui::SliderInt("kernel", &kernel, 1, 25)) apply("kernel", kernel);
  int pool = static_cast<int>(s.model.pool);
  if (ImGui::SliderInt("pool", &pool, 0, 8)) apply("pool", pool);
  if (ImGui::BeginCombo("head", s.model.head == "global_max_dense" ? "max over length" : s.model.head == "global_avg_dense" ? "mean over length" : s.model.head.c_str())) {
    for (const char* head : kHeads) {
      const bool is_max = std::string(head) == "global_max_dense";
      if (ImGui::Selectable(is_max ? "max over length" : "mean over length", s.model.head == head)) apply("head", head);
    }
    ImGui::EndCombo();
  }
  if (!data_.losses.empty() && ImGui::BeginCombo("loss", s.loss.c_str())) {
    for (const std::string& loss : data_.losses) {
      if (ImGui::Selectable(loss.c_str(), loss == s.loss)) apply("loss", loss);
    }
    ImGui::EndCombo();
  }
  if (s.loss == "bce" || s.loss == "multinomial") {
    const bool bce = s.loss == "bce";
    float weight = s.loss_weights.empty() ? 1.0f : s.loss_weights.front();
    if (ImGui::SliderFloat(bce ? "pos_weight" : "count weight", &weight, bce ? 0.1f : 0.0f, bce ? 30.0f : 100.0f, "%.2f")) {
      apply(bce ? "pos_weight" : "count_weight", weight);
    }
  }
  const char* optimizer = optimizer_kind_name(s.optimizer);
  if (ImGui::BeginCombo("optimiser", optimizer)) {
    for (const char* name : kOptimizers) {
      if (ImGui::Selectable(name, std::string(name) == optimizer)) apply("optimizer", name);
    }
    ImGui::EndCombo();
  }
  float rate = static_cast<float>(s.schedule.base);
  if (ImGui::SliderFloat("learning rate", &rate, 1e-5f, 1.0f, "%.5f", ImGuiSliderFlags_Logarithmic)) {
    apply("learning_rate", rate);
  }
  const char* schedule = nn::schedule_kind_name(s.schedule.kind);
  if (ImGui::BeginCombo("schedule", schedule)) {
    for (const char* name : kSchedules) {
      if (ImGui::Selectable(name, std::string(name) == schedule)) apply("schedule", name);
    }
    ImGui::EndCombo();
  }
  if (s.schedule.kind == nn::LearningRateSchedule::Kind::kWarmupCosine) {
    int warmup = static_cast<int>(std::min<uint64_t>(s.schedule.warmup_steps, 2000));
    if (ImGui::SliderInt("warm-up steps", &warmup, 0, 500)) apply("warmup_steps", warmup);
  }
  int batch = static_cast<int>(s.batch_size);
  if (ImGui::SliderInt("batch", &batch, 4, 256)) apply("batch_size", batch);
  int epochs = static_cast<int>(s.epochs);
  if (ImGui::SliderInt("epochs", &epochs, 1, 40)) apply("epochs", epochs);
  int seed = static_cast<int>(std::min<uint64_t>(s.seed, 1000000));
  if (ImGui::InputInt("seed", &seed)) apply("seed", std::max(0, seed));
  int patience = static_cast<int>(std::min<uint32_t>(s.early_stopping.patience, 40));
  if (ImGui::SliderInt("patience", &patience, 0, 10, patience == 0 ? "off" : "%d")) apply("patience", patience);
  if (s.early_stopping.patience > 0 && ImGui::BeginCombo("monitor", s.early_stopping.metric.c_str())) {
    for (const char* name : kMonitors) {
      if (ImGui::Selectable(name, s.early_stopping.metric == name)) apply("monitor", name);
    }
    ImGui::EndCombo();
  }
  bool reverse = s.augment.reverse_complement;
  if (ImGui::Checkbox("reverse complement", &reverse)) apply("reverse_complement", reverse);
  int shift = static_cast<int>(s.augment.max_shift);
  if (ImGui::SliderInt("max shift (bp)", &shift, 0, 100)) apply("max_shift", shift);
}

void TrainingPanel::draw_curves(float height) {
  double max_steps = 1, top = 0;
  std::vector<std::vector<float>> smoothed;
  for (int i = 0; i < active_runs(); ++i) {
    const TrainingRun& run = slots_[static_cast<size_t>(i)].run;
    max_steps = std::max<double>(max_steps, static_cast<double>(std::max(run.steps(), run.steps_in_run())));
    smoothed.push_back(running_mean(run.step_losses(), 10));
    for (float v : smoothed.back()) top = std::isfinite(v) ? std::max<double>(top, v) : top;
    for (const EpochView& e : run.epochs()) {
      if (e.record.validation_loss && std::isfinite(*e.record.validation_loss)) top = std::max(top, *e.record.validation_loss);
    }
  }
  if (top <= 0) top = 1;
  const PlotArea area = begin_plot("##loss", ImVec2(ImGui::GetContentRegionAvail().x, height), 0, max_steps, 0,
                                   top * 1.08, "step", "loss (training: mean of 10 steps; dots: validation)");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (int i = 0; i < active_runs(); ++i) {
    const ImU32 colour = colours::series(i);
    const std::vector<float>& line = smoothed[static_cast<size_t>(i)];
    std::vector<ImVec2> points;
    points.reserve(line.size());
    const size_t stride = std::max<size_t>(1, line.size() / 800);
    for (size_t s = 0; s < line.size(); s += stride) points.emplace_back(area.px(double(s + 1)), area.py(line[s]));
    if (points.size() > 1) draw->AddPolyline(points.data(), static_cast<int>(points.size()), colour, 0, 2.0f);
    for (const EpochView& e : slots_[static_cast<size_t>(i)].run.epochs()) {
      if (!e.record.validation_loss) continue;
      draw->AddCircleFilled(ImVec2(area.px(double(e.record.steps)), area.py(*e.record.validation_loss)), 4.0f,
                            colours::kValidation);
      draw->AddCircle(ImVec2(area.px(double(e.record.steps)), area.py(*e.record.validation_loss)), 4.0f, colour);
    }
  }
  end_plot(area);
}

void TrainingPanel::draw_metrics(float height) {
  const std::string metric = main_metric();
  uint32_t epochs = 1;
  for (int i = 0; i < active_runs(); ++i) epochs = std::max(epochs, slots_[static_cast<size_t>(i)].settings.epochs);
  const double low = metric == "auroc" ? 0.3 : -0.2;
  const PlotArea area = begin_plot("##metric", ImVec2(ImGui::GetContentRegionAvail().x, height), 0.5,
                                   epochs + 0.5, low, 1.0, "epoch",
                                   "validation " + metric + " (band: shuffled labels, mean +- 2 sd)");
  ImDrawList* draw = ImGui::GetWindowDrawList();
  for (int i = 0; i < active_runs(); ++i) {
    const ImU32 colour = colours::series(i);
    std::vector<ImVec2> points;
    for (const EpochView& e : slots_[static_cast<size_t>(i)].run.epochs()) {
      const double x = e.record.epoch + 1;
      for (const Evaluation::Floor& f : e.floors) {
        if (f.name != metric) continue;
        draw->AddRectFilled(ImVec2(area.px(x - 0.4), area.py(f.floor.mean + 2 * f.floor.sd)),
                            ImVec2(area.px(x + 0.4), area.py(f.floor.mean - 2 * f.floor.sd)), colours::kMissing);
      }
      if (auto value = metric_of(e.record, metric)) points.emplace_back(area.px(x), area.py(*value));
    }
    if (points.size() > 1) draw->AddPolyline(points.data(), static_cast<int>(points.size()), colour, 0, 2.0f);
    for (const ImVec2& p : points) draw->AddCircleFilled(p, 3.5f, colour);
  }
  if (data_.ceiling && data_.ceiling_metric == metric) {
    const float y = area.py(*data_.ceiling);
    draw->AddLine(ImVec2(area.min.x, y), ImVec2(area.max.x, y), colours::kTruth, 2.0f);
    draw->AddText(ImVec2(area.min.x + 6, y - ImGui::GetTextLineHeight() - 1), colours::kTruth,
                  ("best possible " + fixed(*data_.ceiling)).c_str());
  }
  end_plot(area);
}

void TrainingPanel::draw_stretch() {
  if (data_.stretch_rows.empty()) return;
  const TrainingData& data = *data_.data;
  const int64_t per_row = data.targets.size() / std::max<int64_t>(1, data.targets.dim(0));
  std::vector<float> truth;
  double top = 0;  // all zero: begin_plot shows 0..1
  for (uint32_t row : data_.stretch_rows) {
    double sum = 0;
    for (int64_t k = 0; k < per_row; ++k) sum += data.targets[static_cast<int64_t>(row) * per_row + k];
    truth.push_back(static_cast<float>(sum / static_cast<double>(per_row)));
    top = std::max<double>(top, truth.back());
  }
  for (int i = 0; i < active_runs(); ++i) {
    for (float v : slots_[static_cast<size_t>(i)].stretch_predictions) top = std::max<double>(top, v);
  }
  const double x0 = data_.stretch_starts.front();
  const double x1 = data_.stretch_starts.back() + data_.stretch_width;
  const PlotArea area = begin_plot("##stretch", ImVec2(ImGui::GetContentRegionAvail().x, ImGui::GetContentRegionAvail().y - 4),
                                   x0, x1, 0, top * 1.1, data_.stretch_label + " (filled: truth; lines: predictions)", "",
                                   true);
  for (size_t r = 0; r < truth.size(); ++r) {
    const double start = data_.stretch_starts[r];
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(area.px(start), area.py(truth[r])),
                                              ImVec2(area.px(start + data_.stretch_width), area.py(0)),
                                              colours::kSignalFill);
  }
  for (int i = 0; i < active_runs(); ++i) {
    const std::vector<float>& p = slots_[static_cast<size_t>(i)].stretch_predictions;
    std::vector<ImVec2> points;
    for (size_t r = 0; r < p.size() && r < data_.stretch_starts.size(); ++r) {
      points.emplace_back(area.px(data_.stretch_starts[r]), area.py(p[r]));
      points.emplace_back(area.px(data_.stretch_starts[r] + data_.stretch_width), area.py(p[r]));
    }
    if (points.size() > 1) {
      ImGui::GetWindowDrawList()->AddPolyline(points.data(), static_cast<int>(points.size()), colours::series(i), 0, 2.0f);
    }
  }
  end_plot(area);
}

void TrainingPanel::draw_table() {
  const auto& ea = slots_[0].run.epochs();
  const auto& eb = slots_[1].run.epochs();
  if (!ImGui::BeginTable("##ab", compare_ ? 4 : 2, ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame)) return;
  ImGui::TableSetupColumn("last epoch");
  ImGui::TableSetupColumn("A");
  if (compare_) {
    ImGui::TableSetupColumn("B");
    ImGui::TableSetupColumn("B - A");
  }
  ImGui::TableHeadersRow();
  auto row = [&](const std::string& name, std::optional<double> a, std::optional<double> b) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(name.c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(a ? fixed(*a).c_str() : "-");
    if (!compare_) return;
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(b ? fixed(*b).c_str() : "-");
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(a && b ? fixed(*b - *a).c_str() : "-");
  };
  // Run A just opened from a checkpoint shows the checkpoint's scores until it trains on.
  std::optional<EpochRecord> opened;
  if (ea.empty() && slots_[0].run.checkpoint_evaluation()) {
    opened.emplace();
    opened->validation_loss = slots_[0].run.checkpoint_evaluation()->loss;
    opened->validation = slots_[0].run.checkpoint_evaluation()->metrics;
  }
  const EpochRecord* ra = ea.empty() ? (opened ? &*opened : nullptr) : &ea.back().record;
  const EpochRecord* rb = eb.empty() ? nullptr : &eb.back().record;
  row("validation loss", ra ? ra->validation_loss : std::nullopt, rb ? rb->validation_loss : std::nullopt);
  const EpochRecord* names = ra ? ra : rb;
  if (names != nullptr) {
    for (const MetricValue& m : names->validation) {
      row(m.name, ra ? metric_of(*ra, m.name) : std::nullopt, rb ? metric_of(*rb, m.name) : std::nullopt);
    }
  }
  ImGui::EndTable();
}

void TrainingPanel::draw() {
  if (!has_data()) return;
  const bool running = busy();
  const char* train_label = running ? "Pause" : "Train";
  if (ImGui::Button(train_label)) {
    const Status status = set(running ? "pause" : "start", true);
    message_ = status.is_ok() ? "" : status.message();
  }
  same_line_if_fits(button_width("One step"));
  if (ImGui::Button("One step")) {
    const Status status = set("step", true);
    message_ = status.is_ok() ? "" : status.message();
  }
  same_line_if_fits(button_width("Reset"));
  if (ImGui::Button("Reset")) (void)set("reset", true);
  const char* compare_label = "compare with run B";
  same_line_if_fits(ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x + ImGui::CalcTextSize(compare_label).x);
  bool compare = compare_;
  if (ImGui::Checkbox(compare_label, &compare)) (void)set("compare", compare);
  for (int i = 0; i < active_runs(); ++i) {
    const TrainingRun& run = slots_[static_cast<size_t>(i)].run;
    char progress[96];
    std::snprintf(progress, sizeof progress, "%s: step %llu / %llu, epoch %u", kRunNames[i],
                  static_cast<unsigned long long>(run.steps()), static_cast<unsigned long long>(run.steps_in_run()),
                  run.epoch());
    same_line_if_fits(ImGui::CalcTextSize(progress).x);
    ImGui::TextColored(ImColor(colours::series(i)), "%s", progress);
  }
  if (!message_.empty()) message_line(message_, true);
  for (int i = 0; i < active_runs(); ++i) {
    const TrainingRun& run = slots_[static_cast<size_t>(i)].run;
    if (run.phase() == TrainingRun::Phase::kFailed) message_line(std::string(kRunNames[i]) + ": " + run.message(), true);
  }

  if (narrow_layout()) {
    // A phone: one view at a time, each with the whole height.
    if (ImGui::BeginTabBar("##views", ImGuiTabBarFlags_FittingPolicyResizeDown)) {
      if (ImGui::BeginTabItem("Loss")) {
        draw_curves(ImGui::GetContentRegionAvail().y - 4);
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem(main_metric().c_str())) {
        draw_metrics(ImGui::GetContentRegionAvail().y - 4);
        ImGui::EndTabItem();
      }
      if (!data_.stretch_rows.empty() && ImGui::BeginTabItem("Genome")) {
        draw_stretch();
        ImGui::EndTabItem();
      }
      if (ImGui::BeginTabItem("Settings")) {
        draw_settings_column(ImGui::GetContentRegionAvail().x);
        ImGui::EndTabItem();
      }
      ImGui::EndTabBar();
    }
    return;
  }
  draw_settings_column(270.0f * ImGui::GetIO().FontGlobalScale);
  ImGui::SameLine();
  ImGui::BeginChild("##plots", ImVec2(0, 0), false);
  // The genome stretch keeps a third of the height, and at least room for its caption on
  // two lines and a few lines of data; the curves and the metric share the rest.
  const float stretch = data_.stretch_rows.empty()
                            ? 0.0f
                            : std::max(ImGui::GetTextLineHeight() * 7.5f, ImGui::GetContentRegionAvail().y * 0.3f);
  draw_curves(std::max(120.0f, (ImGui::GetContentRegionAvail().y - stretch) * 0.5f));
  draw_metrics(std::max(110.0f, ImGui::GetContentRegionAvail().y - stretch));
  draw_stretch();
  ImGui::EndChild();
}

// The settings of the run being edited, its size and speed, the table of A against B
// and the ceiling, in a column that scrolls.
void TrainingPanel::draw_settings_column(float width) {
  ImGui::BeginChild("##settings", ImVec2(width, 0), false);
  if (compare_) {
    ImGui::RadioButton("edit A", &editing_, 0);
    ImGui::SameLine();
    ImGui::RadioButton("edit B", &editing_, 1);
  } else {
    editing_ = 0;
  }
  ImGui::PushItemWidth(std::min(width * 0.55f, 16 * ImGui::GetFontSize()));
  draw_settings(editing_);
  ImGui::PopItemWidth();
  const TrainingRun& run = slots_[static_cast<size_t>(editing_)].run;
  if (run.parameter_count() > 0) {
    const int threads = slots_[static_cast<size_t>(editing_)].settings.threads;
    ImGui::TextWrapped("%llu parameters, %.1f ms a step on %d thread%s", static_cast<unsigned long long>(run.parameter_count()),
                       run.milliseconds_per_step(), threads, threads == 1 ? "" : "s");
  }
  BackendChoice choice = backend_choice_;
  if (draw_backend_choice(choice, run.backend(), run.backend_note())) (void)set("backend", backend_choice_name(choice));
  ImGui::Spacing();
  draw_table();
  if (data_.ceiling) {
    ImGui::TextWrapped("Best possible %s: %s (%s)", data_.ceiling_metric.c_str(), fixed(*data_.ceiling).c_str(),
                       data_.ceiling_note.c_str());
  }
  ImGui::EndChild();
}

}  // namespace epibook::labs
