// `epibook audit`: the leakage report of a split (core: epibook/audit.h) on the windows
// of `epibook regions` or an `epibook prep` dataset, printed as a table (and written as
// JSON). Findings never change the exit code unless --fail-on-leak asks them to.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli_common.h"
#include "commands.h"
#include "epibook/audit.h"
#include "epibook/bigwig.h"
#include "epibook/npy.h"

namespace epibook::cli {
namespace {

namespace fs = std::filesystem;

struct AuditArguments {
  std::string windows, dataset, genome, bigwig, json;
  std::vector<std::string> stats;
  AuditOptions options;
  bool fail_on_leak = false;
  bool quiet = false;
};

Result<std::string> whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return not_found(path + ": cannot open it");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return io_error(path + ": read failed");
  return text.str();
}

Result<NpyArray> dataset_array(const fs::path& dir, const char* name, uint64_t windows) {
  EPIBOOK_ASSIGN_OR_RETURN(NpyArray array, read_npy((dir / name).string()));
  if (array.shape.empty() || array.shape[0] != windows) {
    return corrupt((dir / name).string() + ": its first dimension is not the " + with_thousands(windows) +
                   " windows of windows.bed");
  }
  return array;
}

// An `epibook prep` directory: windows.bed, labels.npy, targets.npy (depth: the mean of
// each window's bins) and manifest.json (a normalisation record, if it holds one).
Status read_dataset(const fs::path& dir, AuditInputs& inputs, std::vector<std::string>& stats) {
  EPIBOOK_ASSIGN_OR_RETURN(inputs.data, read_split_windows((dir / "windows.bed").string()));
  const uint64_t n = inputs.data.windows.size();
  if (inputs.data.labels.empty()) {
    EPIBOOK_ASSIGN_OR_RETURN(NpyArray labels, dataset_array(dir, "labels.npy", n));
    for (float label : labels.as_float32()) inputs.data.labels.push_back(static_cast<int8_t>(label));
  }
  EPIBOOK_ASSIGN_OR_RETURN(NpyArray targets, dataset_array(dir, "targets.npy", n));
  const std::vector<float> values = targets.as_float32();
  const uint64_t per_window = values.size() / n;
  for (uint64_t w = 0; w < n; ++w) {
    double sum = 0;
    uint64_t count = 0;
    for (uint64_t b = 0; b < per_window; ++b) {
      const float v = values[w * per_window + b];
      if (std::isnan(v)) continue;
      sum += v;
      ++count;
    }
    inputs.depth.push_back(count == 0 ? std::nan("") : sum / static_cast<double>(count));
  }
  stats.insert(stats.begin(), (dir / "manifest.json").string());
  return Status::ok();
}

AuditInputs gather_inputs(const AuditArguments& a) {
  AuditInputs inputs;
  std::vector<std::string> stats = a.stats;
  if (!a.dataset.empty()) {
    check(read_dataset(a.dataset, inputs, stats));
  } else {
    inputs.data = value_or_fail(read_split_windows(a.windows));
  }
  const std::vector<Region>& windows = inputs.data.windows;
  if (!a.genome.empty()) {
    const FastaReader genome = value_or_fail(FastaReader::open(a.genome));
    int reported_step = 0;
    auto progress = [&](uint64_t done, uint64_t total) {
      const int step = static_cast<int>(done * 10 / total);
      if (a.quiet || step == reported_step || total < 20000) return;
      reported_step = step;
      std::cerr << "epibook audit: sketched " << with_thousands(done) << " / " << with_thousands(total) << " windows\n";
    };
    inputs.sequence = value_or_fail(sequence_features(genome, windows, a.options.minhash, progress));
  }
  if (!a.bigwig.empty()) {
    const BigWigReader reader = value_or_fail(BigWigReader::open(a.bigwig));
    inputs.depth = value_or_fail(mean_signal_per_window(reader, windows));
  }
  for (const std::string& path : stats) {
    const std::string text = value_or_fail(whole_file(path));
    inputs.normalisation.push_back(value_or_fail(parse_normalisation_document(text, path)));
  }
  return inputs;
}

void run_audit(const AuditArguments& a) {
  if (a.windows.empty() == a.dataset.empty()) {
    fail(invalid_argument("audit: give either --windows (a BED with a split column) or --dataset (an epibook prep "
                          "directory)"));
  }
  check(validate_audit_options(a.options));
  const AuditInputs inputs = gather_inputs(a);
  const LeakageReport report = value_or_fail(audit_splits(inputs, a.options));
  if (!a.json.empty()) check(write_file_atomically(a.json, leakage_report_json(report, inputs.data, a.options)));
  std::cout << leakage_report_table(report) << std::flush;
  if (a.fail_on_leak && report.has_leak()) {
    fail(invalid_argument("leakage found (--fail-on-leak): see the FAIL rows above"));
  }
}

}  // namespace

void add_audit_command(CLI::App& app) {
  auto arguments = std::make_shared<AuditArguments>();
  AuditArguments& a = *arguments;
  MinHashOptions& m = a.options.minhash;
  CLI::App* cmd = app.add_subcommand(
      "audit",
      "Report leakage between train, validation and test: windows of different splits that\n"
      "overlap or touch, near-duplicate sequences across splits (MinHash of canonical k-mers, so\n"
      "reverse-complement copies count), statistics fitted outside train (\"fitted_on\" records in\n"
      "JSON files), peak fraction per split, and GC and depth distributions per split (KS test).\n"
      "Prints a table with PASS / WARN / FAIL per check; the exit code is 0 even with findings\n"
      "unless --fail-on-leak is given.");
  cmd->add_option("--windows", a.windows, "Windows as BED: chrom, start, end, split [, label] (epibook regions)");
  cmd->add_option("--dataset", a.dataset,
                  "An epibook prep directory: windows.bed, labels.npy, targets.npy (depth), manifest.json");
  cmd->add_option("--genome", a.genome, "Genome FASTA: enables the near-duplicate and GC checks");
  cmd->add_option("--bigwig", a.bigwig, "Signal bigWig: depth = mean signal per window (replaces a dataset's targets)");
  cmd->add_option("--stats", a.stats, "Normalisation statistics or manifests (JSON) to check; repeatable");
  cmd->add_option("--json", a.json, "Write the full report as JSON to this file");
  cmd->add_option("--adjacency", a.options.adjacency_bp,
                  "Windows of different splits this close (bp) count as adjacent (default 0: touching)");
  cmd->add_option("--kmer", m.k, "k-mer length of the sketches (default 21)")->check(CLI::Range(1, 32));
  cmd->add_option("--jaccard", m.jaccard, "Estimated Jaccard at which two windows are near-duplicates (default 0.5)");
  cmd->add_option("--sketch-seed", m.seed, "Seed of the MinHash functions (default 7)");
  cmd->add_option("--peak-gap-warn", a.options.peak_gap_warn, "Peak fraction gap between splits to WARN (default 0.05)");
  cmd->add_option("--peak-gap-fail", a.options.peak_gap_fail, "... and to FAIL (default 0.15)");
  cmd->add_option("--ks-warn", a.options.ks_warn, "KS statistic between splits to WARN (default 0.1)");
  cmd->add_option("--ks-fail", a.options.ks_fail, "... and to FAIL (default 0.25)");
  cmd->add_flag("--fail-on-leak", a.fail_on_leak, "Exit with code 1 when any check FAILs");
  cmd->add_flag("-q,--quiet", a.quiet, "No progress on stderr");
  cmd->callback([arguments] { run_audit(*arguments); });
}

}  // namespace epibook::cli
