// `epibook train`: a training run from a TOML config. TOML is parsed here (toml++ is
// native only) and handed to the core as JSON, the same form a lab's link carries;
// the core trains and writes the run directory, this file prints progress.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "cli_common.h"
#include "commands.h"
#include "epibook/train.h"

namespace epibook::cli {
namespace {

namespace fs = std::filesystem;

struct TrainArguments {
  std::string config;
  std::string out;
  bool resume = false;
  int threads = 0;
  bool quiet = false;
};

// The TOML line of `key` ("model.channels") when the table has it, for messages.
std::string line_of(const toml::table& table, const std::string& message) {
  const size_t end = message.find(' ');
  const std::string key = message.substr(0, end);
  const toml::node_view<const toml::node> node = table.at_path(key);
  if (!node) return "";
  return "line " + std::to_string(node.node()->source().begin.line) + ": ";
}

// Reads the config; relative data.dir is taken from the config file's folder.
TrainOptions read_config(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& error) {
    fail(invalid_argument(path + ": line " + std::to_string(error.source().begin.line) + ": " +
                          std::string(error.description())));
  }
  std::ostringstream json;
  json << toml::json_formatter{table};
  Result<TrainOptions> options = parse_train_options_json(json.str());
  if (!options.is_ok()) fail(invalid_argument(path + ": " + line_of(table, options.status().message()) + options.status().message()));
  TrainOptions o = *options;
  if (o.data.dir.empty()) fail(invalid_argument(path + ": data.dir is not set (the dataset directory)"));
  if (fs::path(o.data.dir).is_relative()) o.data.dir = (fs::path(path).parent_path() / o.data.dir).lexically_normal().string();
  const Status valid = validate_train_options(o);
  if (!valid.is_ok()) fail(invalid_argument(path + ": " + line_of(table, valid.message()) + valid.message()));
  return o;
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
  TrainOptions options = read_config(a.config);
  if (a.threads > 0) options.threads = a.threads;
  const std::string out = a.out.empty() ? (fs::path(a.config).replace_extension("").string() + ".run") : a.out;
  TrainProgress progress(a.quiet, options.epochs);
  RunProgress hooks;
  hooks.on_step = [&](uint32_t epoch, uint64_t batch, uint64_t batches, double loss) {
    progress.step(epoch, batch, batches, loss);
  };
  hooks.on_epoch = [&](const EpochRecord& record) { progress.epoch(record); };
  const RunSummary summary = value_or_fail(train_run(options, out, a.resume, hooks));
  std::cout << "wrote " << out << ": " << summary.epochs.size() << " epochs" << (summary.resumed ? " (resumed)" : "")
            << (summary.stopped_early ? ", stopped early" : "") << "; best epoch " << summary.best_epoch + 1
            << " in best.ckpt, last in last.ckpt, metrics.jsonl, manifest.json\n";
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto arguments = std::make_shared<TrainArguments>();
  CLI::App* train = app.add_subcommand(
      "train",
      "Train a model from a TOML config on a dataset of npy arrays (from `epibook prep` or the\n"
      "loader). Writes OUT/metrics.jsonl (one line per epoch), OUT/manifest.json (config, seed,\n"
      "data hashes, version), OUT/last.ckpt and OUT/best.ckpt (written atomically).\n"
      "Config tables and keys (all optional but data.dir; preset = \"quick\" at the top starts\n"
      "from a tiny model):\n"
      "  [data]      dir (relative to the config), inputs = \"inputs.npy\" [N, C, L] or [N, F],\n"
      "              targets = \"targets.npy\" [N, ...] (NaN or int8 -1: row dropped),\n"
      "              split = \"split.npy\" [N] int8 0 train / 1 validation / 2 test (\"\": all train)\n"
      "  [model]     conv_layers = 2, channels = 32, kernel_size = 9, dilation_growth = 1,\n"
      "              pool = 2, activation = relu|gelu|softplus|sigmoid,\n"
      "              head = global_avg_dense|flatten_dense|conv, outputs = 0 (from the targets)\n"
      "  [loss]      name = mse|poisson|bce|cross_entropy, weights = [] (bce pos_weight,\n"
      "              cross_entropy class weights)\n"
      "  [optimizer] name = adam|adamw|sgd, momentum, dampening, nesterov, sgd_weight_decay,\n"
      "              beta1, beta2, epsilon, adam_weight_decay\n"
      "  [schedule]  name = constant|step|cosine|warmup_cosine, learning_rate = 0.001, min,\n"
      "              total_steps (0: the whole run), step_size, gamma, warmup_steps\n"
      "  [train]     epochs = 10, batch_size = 64, seed = 1, threads = 1, clip_norm = 0 (off)\n"
      "  [early_stopping] metric = validation_loss|pearson|spearman|mse|auroc|auprc|best_f1|\n"
      "              accuracy, patience = 0 (never stop), min_delta = 0");
  auto& a = *arguments;
  train->add_option("-c,--config", a.config, "The run's TOML config")->required()->check(CLI::ExistingFile);
  train->add_option("-o,--out", a.out, "Run directory (default: the config's path without .toml, plus .run)");
  train->add_flag("--resume", a.resume, "Continue from OUT/last.ckpt when it exists (same config; epochs may grow)");
  train->add_option("--threads", a.threads, "CPU threads (overrides train.threads; results do not depend on it)");
  train->add_flag("-q,--quiet", a.quiet, "No progress on stderr");
  train->callback([arguments] { run_train(*arguments); });
}

}  // namespace epibook::cli
