// `epibook train`: a training run from a TOML config. TOML is parsed here (toml++ is
// native only) and handed to the core as JSON, the same form a lab's link carries;
// the core trains and writes the run directory, this file prints progress.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "cli_common.h"
#include "commands.h"
#include "epibook/toml_text.h"
#include "epibook/train.h"

namespace epibook::cli {
namespace {

namespace fs = std::filesystem;

struct TrainArguments {
  std::string config;
  std::string out;
  std::string data_root;  // when given: relative data paths are taken from it and kept relative
  bool resume = false;
  int threads = 0;
  bool quiet = false;
  // Flags that set config keys (they win over the config's); left out: nullopt, or an empty list.
  std::optional<std::string> preset, genome, windows, target, transform, normalize, unknown_base, missing, loss,
      schedule;
  std::vector<std::string> tracks;
  std::optional<uint32_t> bin, epochs, batch_size, patience, max_shift;
  std::optional<uint64_t> seed;
  std::optional<double> learning_rate;
  bool reverse_complement = false;  // the flag only turns it on (a config's true stays)
};

// The key a message about the options starts with: "model.channels" of
// "model.channels = 32: ...".
std::string leading_key(const std::string& message) { return message.substr(0, message.find(' ')); }

// The TOML line of the key a message starts with when the table has it, for messages.
std::string line_of(const toml::table* table, const std::string& message) {
  if (table == nullptr) return "";
  const std::string key = leading_key(message);
  const toml::node_view<const toml::node> node = table->at_path(key);
  if (!node) return "";
  return "line " + std::to_string(node.node()->source().begin.line) + ": ";
}

// The run's options and where they came from, so that a problem found later (a model
// past a training run's limits, sized once the data's shapes are known) names the
// config and the line of its key as a problem of the options themselves does.
struct ReadOptions {
  TrainOptions options;
  std::string where;  // the config's path, or "epibook train"
  toml::table table;  // empty without a config
  std::vector<std::string> flag_keys;  // "train.batch_size": keys a flag set, over the config's

  // `message` ("model.channels = 32: ...") led by the config and the key's line there.
  std::string located(const std::string& message) const {
    const std::string key = leading_key(message);
    const bool from_flag = std::find(flag_keys.begin(), flag_keys.end(), key) != flag_keys.end();
    if (!from_flag) return where + ": " + line_of(&table, message) + message;
    const size_t value_end = message.find(": ");  // "train.batch_size = 64: ..." or "train.epochs must be > 0"
    return where + ": " + (value_end == std::string::npos ? message + " (set by a flag)"
                                                          : message.substr(0, value_end) + " (set by a flag)" +
                                                                message.substr(value_end));
  }
};

// Relative data paths of a config are taken from the config file's folder.
void resolve_data_paths(nlohmann::json& j, const fs::path& folder) {
  if (!j.contains("data") || !j["data"].is_object()) return;
  nlohmann::json& data = j["data"];
  auto resolve = [&](nlohmann::json& value) {
    if (value.is_string() && !value.get<std::string>().empty() && fs::path(value.get<std::string>()).is_relative()) {
      value = (folder / value.get<std::string>()).lexically_normal().string();
    }
  };
  for (const char* key : {"dir", "genome", "windows"}) {
    if (data.contains(key)) resolve(data[key]);
  }
  if (data.contains("tracks") && data["tracks"].is_array()) {
    for (nlohmann::json& track : data["tracks"]) resolve(track);
  }
}

// The flags as config keys, laid over the config; `keys` gets each key a flag set.
void apply_flags(const TrainArguments& a, nlohmann::json& j, std::vector<std::string>& keys) {
  if (a.preset) j["preset"] = *a.preset;
  auto set = [&](const char* section, const char* key, const auto& flag) {
    if (!flag) return;
    j[section][key] = *flag;
    keys.push_back(std::string(section) + "." + key);
  };
  set("data", "genome", a.genome);
  if (!a.tracks.empty()) {
    j["data"]["tracks"] = a.tracks;
    keys.push_back("data.tracks");
  }
  set("data", "windows", a.windows);
  set("data", "target", a.target);
  set("data", "bin", a.bin);
  set("data", "transform", a.transform);
  set("data", "normalize", a.normalize);
  set("data", "unknown_base", a.unknown_base);
  set("data", "missing", a.missing);
  set("loss", "name", a.loss);
  set("train", "epochs", a.epochs);
  set("train", "batch_size", a.batch_size);
  set("train", "seed", a.seed);
  set("schedule", "name", a.schedule);
  set("schedule", "learning_rate", a.learning_rate);
  set("early_stopping", "patience", a.patience);
  if (a.reverse_complement) {
    j["augment"]["reverse_complement"] = true;
    keys.push_back("augment.reverse_complement");
  }
  set("augment", "max_shift", a.max_shift);
}

// Reads the config (when given) and the flags into options, naming the TOML line of a
// key at fault.
ReadOptions read_options(const TrainArguments& a) {
  ReadOptions read;
  toml::table& table = read.table;
  nlohmann::json j = nlohmann::json::object();
  read.where = a.config.empty() ? "epibook train" : a.config;
  if (!a.config.empty()) {
    std::ifstream file(a.config, std::ios::binary);
    if (!file) fail(not_found(a.config + ": cannot open the config"));
    const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    // Refused before toml++ sees it: characters its 3.3 release cannot read safely.
    const std::string problem = toml_text_problem(text);
    if (!problem.empty()) fail(invalid_argument(a.config + ": " + problem));
    try {
      table = toml::parse(text, a.config);
    } catch (const toml::parse_error& error) {
      fail(invalid_argument(a.config + ": line " + std::to_string(error.source().begin.line) + ": " +
                            std::string(error.description())));
    }
    std::ostringstream json;
    json << toml::json_formatter{table};
    // Without exceptions: one escaping here would abort the CLI without a message.
    j = nlohmann::json::parse(json.str(), nullptr, false);
    if (j.is_discarded()) fail(invalid_argument(a.config + ": the config does not convert to the run's options"));
    if (a.data_root.empty()) resolve_data_paths(j, fs::path(a.config).parent_path());
  }
  apply_flags(a, j, read.flag_keys);
  Result<TrainOptions> options = parse_train_options_json(j.dump());
  if (!options.is_ok()) fail(invalid_argument(read.located(options.status().message())));
  const Status valid = validate_train_options(*options);
  if (!valid.is_ok()) fail(invalid_argument(read.located(valid.message())));
  read.options = *options;
  return read;
}

// Whether a message from the run starts with a config key ("model.channels = ..."), as
// a model past a training run's limits does; other problems (a data file) name their own.
bool names_a_config_key(const std::string& message) {
  const std::string key = leading_key(message);
  const size_t dot = key.find('.');
  if (dot == std::string::npos) return false;
  const nlohmann::json keys = nlohmann::json::parse(train_options_json(TrainOptions()));
  const std::string section = key.substr(0, dot);
  return keys.contains(section) && keys[section].contains(key.substr(dot + 1));
}

// "epoch 2/10 [##########..........] 120/240 loss 0.4123", rewritten in place on a
// terminal, at most five times a second.
class TrainProgress {
 public:
  TrainProgress(bool quiet, uint32_t epochs) : quiet_(quiet), terminal_(isatty(STDERR_FILENO) != 0), epochs_(epochs) {}

  void step(uint32_t epoch, uint64_t batch, uint64_t batches, double loss) {
    if (quiet_ || !terminal_) return;
    const auto now = std::chrono::steady_clock::now();
    if (batch != batches && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(kWidth * batch / std::max<uint64_t>(1, batches));
    std::fprintf(stderr, "\repoch %u/%u [%s%s] %llu/%llu loss %.4f", epoch + 1, epochs_,
                 std::string(static_cast<size_t>(filled), '#').c_str(),
                 std::string(static_cast<size_t>(kWidth - filled), '.').c_str(),
                 static_cast<unsigned long long>(batch), static_cast<unsigned long long>(batches), loss);
  }

  // The genome dataset's pass over the tracks for rows with missing targets.
  void scan(uint64_t done, uint64_t total) {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(500)) return;
    last_ = now;
    std::cerr << (terminal_ ? "\r" : "") << "data: checked " << with_thousands(done) << " / " << with_thousands(total)
              << " windows for missing targets" << (terminal_ && done != total ? "" : "\n") << std::flush;
  }

  void epoch(const EpochRecord& r) {
    if (quiet_) return;
    std::ostringstream line;
    line << (terminal_ ? "\r" : "") << "epoch " << r.epoch + 1 << "/" << epochs_ << ": train_loss " << r.train_loss;
    if (r.validation_loss) line << "  validation_loss " << *r.validation_loss;
    for (const MetricValue& m : r.validation) line << "  " << m.name << " " << m.value;
    if (r.improved) line << "  (best)";
    if (r.stop) line << "  stopping early";
    std::cerr << line.str() << "\n";
  }

 private:
  bool quiet_;
  bool terminal_;
  uint32_t epochs_;
  std::chrono::steady_clock::time_point last_{};
};

void run_train(const TrainArguments& a) {
  if (a.config.empty() && a.out.empty()) fail(invalid_argument("epibook train: -o/--out is needed without --config"));
  const ReadOptions read = read_options(a);
  TrainOptions options = read.options;
  if (a.threads > 0) options.threads = a.threads;
  const std::string out = a.out.empty() ? (fs::path(a.config).replace_extension("").string() + ".run") : a.out;
  TrainProgress progress(a.quiet, options.epochs);
  RunProgress hooks;
  hooks.on_step = [&](uint32_t epoch, uint64_t batch, uint64_t batches, double loss) {
    progress.step(epoch, batch, batches, loss);
  };
  hooks.on_epoch = [&](const EpochRecord& record) { progress.epoch(record); };
  hooks.on_scan = [&](uint64_t done, uint64_t total) { progress.scan(done, total); };
  Result<RunSummary> run = train_run(options, out, a.resume, hooks, a.data_root);
  if (!run.is_ok() && names_a_config_key(run.status().message())) fail(invalid_argument(read.located(run.status().message())));
  const RunSummary summary = value_or_fail(std::move(run));
  std::cout << "wrote " << out << ": " << summary.epochs.size() << " epochs" << (summary.resumed ? " (resumed)" : "")
            << (summary.stopped_early ? ", stopped early" : "") << "; best epoch " << summary.best_epoch + 1
            << " in best.ckpt, last in last.ckpt, metrics.jsonl, manifest.json\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto arguments = std::make_shared<TrainArguments>();
  CLI::App* train = app.add_subcommand(
      "train",
      "Train a model from a TOML config and/or flags, on npy arrays (`epibook prep`, `epibook\n"
      "dataset`) or straight from a genome: the FASTA, bigWig tracks and the windows of\n"
      "`epibook regions`, streamed a batch at a time (bounded memory, any genome size). Writes\n"
      "OUT/metrics.jsonl (one line per epoch), OUT/manifest.json (config, seed, data sources\n"
      "and their content hashes, version), OUT/last.ckpt and OUT/best.ckpt (written atomically).\n"
      "Config tables and keys (all optional but the data; preset = \"quick\" at the top starts\n"
      "from a tiny model). Relative paths are taken from the config file's folder, or from\n"
      "--data-root when given (a lab's exported config: --data-root is the book's folder):\n"
      "  [data]      arrays: dir, inputs = \"inputs.npy\" [N, C, L] or [N, F],\n"
      "              targets = \"targets.npy\" [N, ...] (NaN or int8 -1: row dropped),\n"
      "              split = \"split.npy\" [N] int8 0 train / 1 validation / 2 test (\"\": all train)\n"
      "              or a genome: genome = FASTA, tracks = [bigWig, ...], windows = BED of\n"
      "              `epibook regions`, target = signal|label (label: column 5, for bce),\n"
      "              bin = 0 (bp per target bin; 0: one mean per track per window),\n"
      "              transform = none|arcsinh|log1p (per base, before binning),\n"
      "              normalize = none|cpm (counts per million of each track's library, before\n"
      "              the transform), count_bin = 25 (bp per count, for cpm's library size),\n"
      "              unknown_base = zeros|quarter, missing = drop|zero (a bin without data)\n"
      "  [model]     conv_layers = 2, channels = 32, kernel_size = 9, dilation_growth = 1,\n"
      "              pool = 2, activation = relu|gelu|softplus|sigmoid,\n"
      "              head = global_avg_dense|global_max_dense|flatten_dense|conv, outputs = 0 (from the targets)\n"
      "  [loss]      name = mse|poisson|multinomial|bce|cross_entropy, weights = [] (bce pos_weight,\n"
      "              cross_entropy class weights, multinomial count weight)\n"
      "  [optimizer] name = adam|adamw|sgd, momentum, dampening, nesterov, sgd_weight_decay,\n"
      "              beta1, beta2, epsilon, adam_weight_decay\n"
      "  [schedule]  name = constant|step|cosine|warmup_cosine, learning_rate = 0.001, min,\n"
      "              total_steps (0: the whole run), step_size, gamma, warmup_steps\n"
      "  [train]     epochs = 10, batch_size = 64, seed = 1, threads = 1, clip_norm = 0 (off)\n"
      "  [early_stopping] metric = validation_loss|pearson|spearman|mse|auroc|auprc|best_f1|\n"
      "              accuracy, patience = 0 (never stop), min_delta = 0\n"
      "  [augment]   reverse_complement = false, max_shift = 0 (bp; whole target bins): training\n"
      "              rows only, each drawn from (seed, epoch, row)\n"
      "Limits: a model of more than 268,435,456 (2^28) parameters, or one whose batch would\n"
      "hold more than 8 GiB of activations (each layer's float32 outputs for train.batch_size\n"
      "rows, and their gradients), is refused before anything is allocated or written, naming\n"
      "the key at fault (model.channels, model.kernel_size, model.conv_layers, model.head,\n"
      "model.outputs or train.batch_size) and the size it reaches (the default model on\n"
      "1,024 bp windows has 10,465 parameters and 62 MiB of activations a batch of 64)\n"
      "Flags set the same keys and win over the config (their paths are as given, or under\n"
      "--data-root).");
  auto& a = *arguments;
  train->add_option("-c,--config", a.config, "The run's TOML config (optional when flags give the data)")
      ->check(CLI::ExistingFile);
  train->add_option("-o,--out", a.out, "Run directory (default: the config's path without .toml, plus .run)");
  train->add_option("--data-root", a.data_root,
                    "Folder that relative data paths (config and flags) are taken from; they stay\n"
                    "relative in the run's checkpoints, so `epibook eval --data-root` finds them too");
  train->add_option("--preset", a.preset, "Start from this preset: default or quick (a tiny model)");
  train->add_option("--genome", a.genome, "data.genome: the FASTA the windows lie on");
  train->add_option("--tracks", a.tracks, "data.tracks: bigWig files, one target channel each (repeatable)")
          ->delimiter(',');
  train->add_option("--windows", a.windows, "data.windows: the BED of `epibook regions`");
  train->add_option("--target", a.target, "data.target: signal (default) or label");
  train->add_option("--bin", a.bin, "data.bin: bp per target bin (0: one value per track)");
  train->add_option("--transform", a.transform, "data.transform: none, arcsinh or log1p");
  train->add_option("--normalize", a.normalize, "data.normalize: none or cpm (counts per million, before the transform)");
  train->add_option("--unknown-base", a.unknown_base, "data.unknown_base: zeros or quarter");
  train->add_option("--missing", a.missing, "data.missing: drop (default) or zero");
  train->add_option("--loss", a.loss, "loss.name: mse, poisson, multinomial, bce or cross_entropy");
  train->add_option("--epochs", a.epochs, "train.epochs");
  train->add_option("--batch-size", a.batch_size, "train.batch_size");
  train->add_option("--seed", a.seed, "train.seed");
  train->add_option("--schedule", a.schedule, "schedule.name: constant, step, cosine or warmup_cosine");
  train->add_option("--learning-rate", a.learning_rate, "schedule.learning_rate");
  train->add_option("--patience", a.patience, "early_stopping.patience (0: never stop)");
  train->add_flag("--reverse-complement", a.reverse_complement, "augment.reverse_complement = true");
  train->add_option("--max-shift", a.max_shift, "augment.max_shift: bp (whole target bins)");
  train->add_flag("--resume", a.resume, "Continue from OUT/last.ckpt when it exists (same config; epochs may grow)");
  train->add_option("--threads", a.threads, "CPU threads (overrides train.threads; results do not depend on it)");
  train->add_flag("-q,--quiet", a.quiet, "No progress on stderr");
  train->callback([arguments] { run_train(*arguments); });
}

}  // namespace epibook::cli
