// `epibook runs`: the run directories of `epibook train` (or a lab's "Download run")
// read back as one table, so a sweep can be read without a browser: a row per run
// with the settings that differ between runs and each metric's final value, sorted
// by any column; the differing settings side by side; or all of it as JSON.
#include <iostream>

#include "cli_common.h"
#include "commands.h"
#include "epibook/run_table.h"

namespace epibook::cli {
namespace {

struct RunsArguments {
  std::vector<std::string> dirs;
  std::string sort;
  bool json = false;
  bool compare = false;
  bool all = false;
};

void run_runs(const RunsArguments& a) {
  std::vector<RunRecord> runs = value_or_fail(read_runs(a.dirs));
  if (!a.sort.empty()) check(sort_runs(runs, a.sort));
  if (a.json) {
    std::cout << runs_json(runs);
  } else if (a.compare || a.all) {
    std::cout << settings_comparison(runs, a.all);
  } else {
    std::cout << runs_table(runs);
  }
  std::cout << std::flush;
}

}  // namespace

void add_runs_command(CLI::App& app) {
  auto arguments = std::make_shared<RunsArguments>();
  CLI::App* runs = app.add_subcommand(
      "runs",
      "List and compare training runs: each DIR is a run directory of `epibook train` (manifest.json,\n"
      "metrics.jsonl) or a folder searched for them at any depth (a sweep's runs/). Prints a row per\n"
      "run: the settings that differ between the runs, the last epoch's value of every metric, the\n"
      "best value of the monitored metric (early_stopping.metric) and its epoch, the epochs run,\n"
      "whether early stopping ended the run, the seed. Losses and mse are better lower, the other\n"
      "metrics higher. The book's run dashboard (runs.html) reads the same files.");
  auto& a = *arguments;
  runs->add_option("dirs", a.dirs, "Run directories, or folders holding them")->required();
  runs->add_option("--sort", a.sort,
                   "Best first by a column: a metric (its last value, e.g. auroc, validation_loss),\n"
                   "best_<metric> (its best value over the epochs), epochs, steps, seed or name");
  runs->add_flag("--json", a.json,
                 "Print JSON: per run its settings, final, best and best_epoch per metric, and the\n"
                 "curves (one value per epoch, null where none); plus differing_settings and metrics");
  runs->add_flag("--compare", a.compare, "Print the settings that differ between the runs, side by side");
  runs->add_flag("--all-settings", a.all, "Like --compare, with every setting, the same ones too");
  runs->callback([arguments] { run_runs(*arguments); });
}

}  // namespace epibook::cli
