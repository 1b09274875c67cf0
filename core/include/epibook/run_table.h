// Reading run directories back: the one reader of the run format (manifest.json and
// metrics.jsonl, as `epibook train` and a lab's "Download run" write them) that
// `epibook runs` uses to list, sort and compare the runs of a sweep. The book's run
// dashboard (web/static/runs.js) reads the same files in the page, independently.
//
// Sections: one run | many runs | sorting and comparing
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// One run.

// A metric over the epochs of a run: its last value, and its best one (lowest for
// losses and mse, highest for the rest) with the epoch (1-based, as `epibook train`
// prints it) where it was reached. Epochs where the value was null (NaN) are skipped.
struct RunMetric {
  std::string name;           // train_loss, validation_loss, or a validation metric (auroc, ...)
  std::optional<double> final;  // the last epoch's value (null there: none)
  std::optional<double> best;
  uint32_t best_epoch = 0;    // 0 when no epoch had a value
  std::vector<std::optional<double>> curve;  // per epoch
};

struct RunRecord {
  std::string path;            // the directory as found
  std::string name;            // its path relative to the folder it was found under
  std::string tool;            // "epibook train", "epibook lab"
  std::string epibook_version;
  uint64_t seed = 0;
  uint32_t epochs = 0;         // lines of metrics.jsonl
  uint64_t steps = 0;          // optimiser steps of the last epoch
  bool stopped_early = false;  // the last epoch says patience ran out
  std::string monitored;       // early_stopping.metric of the run's config
  // Every setting of manifest.json's config as "section.key" and its value as JSON
  // text, in the manifest's order; then the data's content hashes as
  // "data.content_hashes.<file>".
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<RunMetric> metrics;  // train_loss, validation_loss, then validation metrics in file order

  const RunMetric* metric(const std::string& metric_name) const;
  const std::string* setting(const std::string& key) const;
};

// True for metrics where lower is better (losses, mse).
bool lower_is_better(const std::string& metric);

// Reads DIR/manifest.json and DIR/metrics.jsonl. Errors name the file and, for a line
// that is not what the format says, its line number and the problem
// ("run/metrics.jsonl: line 3: \"epoch\" is missing").
Result<RunRecord> read_run_directory(const std::string& dir);
// The same from the files' text (a page, a test); `path` names them in errors.
Result<RunRecord> parse_run_record(const std::string& path, const std::string& manifest_json,
                                   const std::string& metrics_jsonl);

// ---------------------------------------------------------------------------------
// Many runs.

// Each argument is a run directory (it holds manifest.json and metrics.jsonl) or a
// folder searched for run directories at any depth (a sweep: runs/<cell>/<run>/),
// in path order. A folder with no run directory anywhere under it is an error naming it.
Result<std::vector<RunRecord>> read_runs(const std::vector<std::string>& arguments);

// ---------------------------------------------------------------------------------
// Sorting and comparing.

// The settings whose values are not the same in every run (a key missing from a run
// counts as a different value), in first-seen order. With one run: none.
std::vector<std::string> differing_settings(const std::vector<RunRecord>& runs);
// Every metric name of the runs, in first-seen order.
std::vector<std::string> metric_names(const std::vector<RunRecord>& runs);

// Sorts best first by a column: "M" (metric M's final value) or "best_M" (its best),
// or "epochs", "steps", "seed". Lower first for losses, higher for the rest; runs
// without the value go last; ties keep their order. An unknown column is an error
// listing the known ones.
Status sort_runs(std::vector<RunRecord>& runs, const std::string& column);

// The runs as JSON for scripts and the dashboard's check: {"runs": [...],
// "differing_settings": [...], "metrics": [...]}; each run has name, path, tool,
// epibook_version, seed, epochs, steps, stopped_early, monitored, settings (an
// object), final, best and best_epoch (objects by metric), curves.
std::string runs_json(const std::vector<RunRecord>& runs);
// A table, one row per run: name, the differing settings, the final value of each
// metric, the best value of the monitored metric and its epoch, epochs, stopped early, seed.
std::string runs_table(const std::vector<RunRecord>& runs);
// The differing settings side by side: a row per setting, a column per run (with
// `all`, every setting).
std::string settings_comparison(const std::vector<RunRecord>& runs, bool all);

}  // namespace epibook
