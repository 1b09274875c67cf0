// TrainOptions: presets, checks that name the config key at fault, and the JSON form
// recorded in manifest.json and checkpoints (read back by options_from_json), both from
// one list of keys (for_each_config_key).
#include <algorithm>
#include <nlohmann/json.hpp>

#include <type_traits>

#include "epibook/dataset.h"
#include "epibook/train.h"
#include "run_json.h"

namespace epibook {
namespace {

Status positive(bool ok, const std::string& key) {
  return ok ? Status::ok() : invalid_argument(key + " must be > 0");
}

const std::vector<std::string>& monitor_names() {
  static const std::vector<std::string> names{"validation_loss", "pearson", "spearman", "mse",
                                              "auroc", "auprc", "best_f1", "accuracy"};
  return names;
}

}  // namespace

Result<OptimizerKind> parse_optimizer_kind(std::string_view name) {
  if (name == "sgd") return OptimizerKind::kSgd;
  if (name == "adam") return OptimizerKind::kAdam;
  if (name == "adamw") return OptimizerKind::kAdamW;
  return invalid_argument("unknown optimizer \"" + std::string(name) + "\" (choose sgd, adam or adamw)");
}

const char* optimizer_kind_name(OptimizerKind kind) {
  switch (kind) {
    case OptimizerKind::kSgd: return "sgd";
    case OptimizerKind::kAdam: return "adam";
    case OptimizerKind::kAdamW: return "adamw";
  }
  return "adam";
}

std::vector<std::string> train_preset_names() { return {"default", "quick"}; }

Result<TrainOptions> train_preset(std::string_view name) {
  TrainOptions options;
  if (name == "default") return options;
  if (name == "quick") {
    options.model.conv_layers = 1;
    options.model.channels = 8;
    options.model.kernel_size = 5;
    options.epochs = 3;
    options.batch_size = 32;
    options.schedule.base = 3e-3;
    return options;
  }
  return invalid_argument("unknown preset \"" + std::string(name) + "\" (choose default or quick)");
}

Status validate_train_options(const TrainOptions& o) {
  if (o.data.from_genome()) {
    if (o.data.genome.empty()) return invalid_argument("data.genome is not set (the FASTA that data.windows lie on)");
    EPIBOOK_ASSIGN_OR_RETURN(const DatasetOptions dataset, dataset_options(o.data));
    if (dataset.target == TargetKind::kSignal && o.data.tracks.empty()) {
      return invalid_argument("data.tracks is empty: data.target signal needs at least one bigWig");
    }
  } else {
    if (o.data.dir.empty()) {
      return invalid_argument("data.dir is not set (npy arrays), nor data.windows (with data.genome and data.tracks)");
    }
    if (o.data.inputs.empty() || o.data.targets.empty()) return invalid_argument("data.inputs and data.targets must name files");
  }
  const ModelSpec& m = o.model;
  EPIBOOK_RETURN_IF_ERROR(positive(m.conv_layers >= 0, "model.conv_layers (>= 0)"));
  EPIBOOK_RETURN_IF_ERROR(positive(m.channels > 0, "model.channels"));
  EPIBOOK_RETURN_IF_ERROR(positive(m.kernel_size > 0, "model.kernel_size"));
  EPIBOOK_RETURN_IF_ERROR(positive(m.dilation_growth > 0, "model.dilation_growth"));
  EPIBOOK_RETURN_IF_ERROR(positive(m.pool >= 0, "model.pool (>= 0)"));
  EPIBOOK_RETURN_IF_ERROR(positive(m.outputs >= 0, "model.outputs (>= 0)"));
  if (m.activation != "relu" && m.activation != "gelu" && m.activation != "softplus" && m.activation != "sigmoid") {
    return invalid_argument("model.activation \"" + m.activation + "\" is not relu, gelu, softplus or sigmoid");
  }
  if (m.head != "global_avg_dense" && m.head != "global_max_dense" && m.head != "flatten_dense" && m.head != "conv") {
    return invalid_argument("model.head \"" + m.head +
                            "\" is not global_avg_dense, global_max_dense, flatten_dense or conv");
  }
  EPIBOOK_ASSIGN_OR_RETURN(auto loss, nn::make_loss(o.loss, o.loss_weights));
  (void)loss;
  EPIBOOK_RETURN_IF_ERROR(positive(o.epochs > 0, "train.epochs"));
  EPIBOOK_RETURN_IF_ERROR(positive(o.batch_size > 0, "train.batch_size"));
  EPIBOOK_RETURN_IF_ERROR(positive(o.threads > 0, "train.threads"));
  if (!(o.clip_norm >= 0.0)) return invalid_argument("train.clip_norm must be >= 0");
  nn::LearningRateSchedule schedule = o.schedule;
  if (schedule.total_steps == 0) schedule.total_steps = std::max<uint64_t>(1, schedule.warmup_steps);  // known once the data are
  EPIBOOK_RETURN_IF_ERROR(nn::validate_schedule(schedule).with_context("schedule"));
  nn::SgdOptions sgd = o.sgd;
  sgd.learning_rate = o.schedule.base;
  nn::AdamOptions adam = o.adam;
  adam.learning_rate = o.schedule.base;
  EPIBOOK_RETURN_IF_ERROR(o.optimizer == OptimizerKind::kSgd ? nn::validate_sgd_options(sgd)
                                                             : nn::validate_adam_options(adam));
  bool known = false;
  for (const std::string& name : monitor_names()) known = known || name == o.early_stopping.metric;
  if (!known) {
    return invalid_argument("early_stopping.metric \"" + o.early_stopping.metric +
                            "\" is not validation_loss, pearson, spearman, mse, auroc, auprc, best_f1 or accuracy");
  }
  return Status::ok();
}

namespace {

// Every key of the run config, once: its section, its name and the field it sets.
// The JSON written to manifests and checkpoints (options_to_json) and the reader
// (options_from_json) both walk this list, so the two cannot drift apart. The
// optimizer's and the schedule's names are enums, visited as their text.
struct EnumsAsText {
  std::string optimizer, schedule;
};
template <typename Options, typename Names, typename Visit>
void for_each_config_key(Options& o, Names& names, Visit&& visit) {
  visit("data", "dir", o.data.dir);
  visit("data", "inputs", o.data.inputs);
  visit("data", "targets", o.data.targets);
  visit("data", "split", o.data.split);
  visit("data", "genome", o.data.genome);
  visit("data", "tracks", o.data.tracks);
  visit("data", "windows", o.data.windows);
  visit("data", "target", o.data.target);
  visit("data", "bin", o.data.bin);
  visit("data", "transform", o.data.transform);
  visit("data", "normalize", o.data.normalize);
  visit("data", "count_bin", o.data.count_bin);
  visit("data", "unknown_base", o.data.unknown_base);
  visit("data", "missing", o.data.missing);
  visit("model", "conv_layers", o.model.conv_layers);
  visit("model", "channels", o.model.channels);
  visit("model", "kernel_size", o.model.kernel_size);
  visit("model", "dilation_growth", o.model.dilation_growth);
  visit("model", "pool", o.model.pool);
  visit("model", "activation", o.model.activation);
  visit("model", "head", o.model.head);
  visit("model", "outputs", o.model.outputs);
  visit("loss", "name", o.loss);
  visit("loss", "weights", o.loss_weights);
  visit("optimizer", "name", names.optimizer);
  visit("optimizer", "momentum", o.sgd.momentum);
  visit("optimizer", "dampening", o.sgd.dampening);
  visit("optimizer", "nesterov", o.sgd.nesterov);
  visit("optimizer", "sgd_weight_decay", o.sgd.weight_decay);
  visit("optimizer", "beta1", o.adam.beta1);
  visit("optimizer", "beta2", o.adam.beta2);
  visit("optimizer", "epsilon", o.adam.epsilon);
  visit("optimizer", "adam_weight_decay", o.adam.weight_decay);
  visit("schedule", "name", names.schedule);
  visit("schedule", "learning_rate", o.schedule.base);
  visit("schedule", "min", o.schedule.min);
  visit("schedule", "total_steps", o.schedule.total_steps);
  visit("schedule", "step_size", o.schedule.step_size);
  visit("schedule", "gamma", o.schedule.gamma);
  visit("schedule", "warmup_steps", o.schedule.warmup_steps);
  visit("train", "epochs", o.epochs);
  visit("train", "batch_size", o.batch_size);
  visit("train", "seed", o.seed);
  visit("train", "threads", o.threads);
  visit("train", "clip_norm", o.clip_norm);
  visit("early_stopping", "metric", o.early_stopping.metric);
  visit("early_stopping", "patience", o.early_stopping.patience);
  visit("early_stopping", "min_delta", o.early_stopping.min_delta);
  visit("augment", "reverse_complement", o.augment.reverse_complement);
  visit("augment", "max_shift", o.augment.max_shift);
}

bool fits(const nlohmann::json& v, const std::string&) { return v.is_string(); }
bool fits(const nlohmann::json& v, const bool&) { return v.is_boolean(); }
bool fits(const nlohmann::json& v, const double&) { return v.is_number(); }
bool fits(const nlohmann::json& v, const float&) { return v.is_number(); }
// A list (tracks, loss weights): an array whose every element fits.
template <typename T>
bool fits(const nlohmann::json& v, const std::vector<T>&) {
  if (!v.is_array()) return false;
  for (const nlohmann::json& x : v) {
    if (!fits(x, T{})) return false;
  }
  return true;
}
template <typename T>
bool fits(const nlohmann::json& v, const T&) {
  if constexpr (std::is_unsigned_v<T>) return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
  return v.is_number_integer();
}

// Reads j[section][key] into `out` when present; a value of the wrong type is an error,
// since nlohmann's get() would throw (and exceptions abort in wasm).
template <typename T>
Status read_key(const nlohmann::json& j, const char* section, const char* key, T& out) {
  const auto s = j.find(section);
  if (s == j.end()) return Status::ok();
  if (!s->is_object()) return corrupt(std::string(section) + " is not a table");
  const auto v = s->find(key);
  if (v == s->end()) return Status::ok();
  if (!fits(*v, out)) return corrupt(std::string(section) + "." + key + " has the wrong type");
  out = v->get<T>();
  return Status::ok();
}

}  // namespace

Result<TrainOptions> options_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return corrupt("the saved options are not a JSON object");
  TrainOptions o;
  EnumsAsText names{optimizer_kind_name(o.optimizer), nn::schedule_kind_name(o.schedule.kind)};
  Status status;
  for_each_config_key(o, names, [&](const char* section, const char* key, auto& field) {
    if (status.is_ok()) status = read_key(j, section, key, field);
  });
  EPIBOOK_RETURN_IF_ERROR(status);
  EPIBOOK_ASSIGN_OR_RETURN(o.optimizer, parse_optimizer_kind(names.optimizer));
  EPIBOOK_ASSIGN_OR_RETURN(o.schedule.kind, nn::parse_schedule_kind(names.schedule));
  return o;
}

nlohmann::ordered_json options_to_json(const TrainOptions& o) {
  const EnumsAsText names{optimizer_kind_name(o.optimizer), nn::schedule_kind_name(o.schedule.kind)};
  nlohmann::ordered_json j;
  for_each_config_key(o, names, [&](const char* section, const char* key, const auto& field) { j[section][key] = field; });
  return j;
}

std::string train_options_json(const TrainOptions& options) { return options_to_json(options).dump(2) + "\n"; }

std::string train_options_toml(const TrainOptions& options) {
  const nlohmann::ordered_json given = options_to_json(options);
  const nlohmann::ordered_json defaults = options_to_json(TrainOptions());
  std::string text;
  for (const auto& [section, keys] : given.items()) {
    std::string lines;
    for (const auto& [key, value] : keys.items()) {
      if (defaults[section].contains(key) && defaults[section][key] == value) continue;
      // JSON's scalars and arrays of them are TOML's too: strings with the same escapes,
      // integers, floats with a point or an exponent (dump keeps "0.0"), true / false.
      // Except DEL (U+007F): JSON leaves it as it is, TOML refuses it unescaped. No byte of
      // a longer UTF-8 character is 0x7F, so each one found is that character.
      std::string written = value.dump();
      for (size_t at = written.find('\x7f'); at != std::string::npos; at = written.find('\x7f', at)) {
        written.replace(at, 1, "\\u007F");
      }
      lines += key + " = " + written + "\n";
    }
    if (!lines.empty()) text += (text.empty() ? "" : "\n") + ("[" + section + "]\n") + lines;
  }
  return text;
}

Result<TrainOptions> parse_train_options_json(std::string_view text) {
  const nlohmann::json given = nlohmann::json::parse(text, nullptr, false);
  if (given.is_discarded() || !given.is_object()) return invalid_argument("the options are not a JSON object");
  std::string preset = "default";
  if (given.contains("preset")) {
    if (!given["preset"].is_string()) return invalid_argument("preset must be a name (default or quick)");
    preset = given["preset"].get<std::string>();
  }
  EPIBOOK_ASSIGN_OR_RETURN(const TrainOptions base, train_preset(preset));
  nlohmann::json merged = options_to_json(base);
  for (const auto& [section, keys] : given.items()) {
    if (section == "preset") continue;
    if (!merged.contains(section)) return invalid_argument(section + " is not a known section");
    if (!keys.is_object()) return invalid_argument(section + " must be a table of keys");
    for (const auto& [key, value] : keys.items()) {
      if (!merged[section].contains(key)) return invalid_argument(section + "." + key + " is not a known key");
      merged[section][key] = value;
    }
  }
  Result<TrainOptions> options = options_from_json(merged);
  if (!options.is_ok()) return invalid_argument(options.status().message());
  return options;
}

}  // namespace epibook
