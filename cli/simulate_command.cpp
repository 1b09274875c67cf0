// `epibook simulate`: the simulator (epibook/sim.h) from the command line. A preset
// gives every option a value; flags given on the command line replace them. Progress
// goes to stderr; the core writes every file atomically.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli_common.h"
#include "commands.h"
#include "epibook/region.h"
#include "epibook/sim.h"

namespace epibook::cli {
namespace {

struct SimulateArguments {
  std::string preset = "toy";
  std::string out;
  std::optional<uint64_t> seed;
  std::vector<uint64_t> chromosome_lengths;
  std::optional<uint32_t> cell_types;
  std::vector<double> depths;
  std::optional<uint32_t> replicates;
  bool expected = false;
  std::optional<double> gc_bias;
  std::optional<double> accessible_gc_slope;
  std::optional<double> motif_density;
  std::vector<std::string> motif_files;
  std::optional<uint32_t> bin_size;
  std::optional<double> peak_sd;
  std::optional<uint64_t> fastq_reads;
  std::optional<uint32_t> read_length;
  std::optional<uint64_t> chip_reads;
  bool quiet = false;
};

SimOptions options_from(const SimulateArguments& a) {
  SimOptions options = value_or_fail(sim_preset(a.preset));
  override_with(options.seed, a.seed);
  if (!a.chromosome_lengths.empty()) options.chromosome_lengths = a.chromosome_lengths;
  override_with(options.cell_types, a.cell_types);
  if (!a.depths.empty()) options.depths = a.depths;
  override_with(options.replicates, a.replicates);
  if (a.expected) options.write_expected = true;
  override_with(options.gc_bias, a.gc_bias);
  override_with(options.accessible_gc_slope, a.accessible_gc_slope);
  override_with(options.motif_sites_per_mb, a.motif_density);
  override_with(options.bin_size, a.bin_size);
  override_with(options.peak_sd, a.peak_sd);
  override_with(options.fastq_reads, a.fastq_reads);
  override_with(options.fastq_read_length, a.read_length);
  if (a.chip_reads) options.chip_reads = options.control_reads = *a.chip_reads;
  for (const std::string& path : a.motif_files) options.motifs.push_back(value_or_fail(read_pwm(path)));
  return options;
}

void run_simulate(const SimulateArguments& a) {
  const SimOptions options = options_from(a);
  const auto began = std::chrono::steady_clock::now();
  std::string last_stage;
  uint64_t last_step = 0;
  SimProgressHandler progress;
  if (!a.quiet) {
    // A line per stage and every 10% of it.
    progress = [&](const SimProgress& p) {
      const uint64_t step = p.total > 0 ? p.done * 10 / p.total : 10;
      if (p.stage == last_stage && step == last_step) return;
      last_stage = p.stage;
      last_step = step;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      std::fprintf(stderr, "epibook simulate: %s %s / %s (%.1f s)\n", p.stage.c_str(), with_thousands(p.done).c_str(),
                   with_thousands(p.total).c_str(), seconds);
    };
  }
  const SimSummary summary = value_or_fail(simulate(options, a.out, progress));
  if (a.quiet) return;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::fprintf(stderr, "epibook simulate: %s bp, %s planted motifs, %s peaks over %u cell types in %.1f s\n",
               with_thousands(summary.genome_bases).c_str(), with_thousands(summary.motif_sites).c_str(),
               with_thousands(summary.peaks).c_str(), options.cell_types, seconds);
  for (const std::string& file : summary.files) std::fprintf(stderr, "  %s/%s\n", a.out.c_str(), file.c_str());
}

}  // namespace

void add_simulate_command(CLI::App& app) {
  auto a = std::make_shared<SimulateArguments>();
  CLI::App* command = app.add_subcommand(
      "simulate",
      "Simulate a genome with ground truth: FASTA with isochore-like GC variation and CpG\n"
      "islands; motifs planted from PWMs; per-cell-type signal tracks (bigWig, counts per bin)\n"
      "whose peaks follow the motifs active and accessible in each cell type, with negative\n"
      "binomial noise, an optional GC bias and a sequencing depth per track; peaks\n"
      "(narrowPeak); truth.json listing every planted motif and effect; Illumina-like reads\n"
      "(FASTQ.gz, Phred+33); ChIP-seq treatment and control reads (BED) of the first cell type.\n"
      "The same seed and options give the same bytes on every machine and in the browser.\n"
      "Presets: toy (1 Mb, seconds), chapter (10 Mb, depths 1x and 0.25x), genome200\n"
      "(200 Mb, 8 tracks, streamed in 1 Mb chunks). Flags override the preset's values.");
  command->add_option("-o,--out", a->out, "Output directory (created if needed)")->required();
  command->add_option("--preset", a->preset, "toy, chapter or genome200")->capture_default_str();
  command->add_option("--seed", a->seed, "Random seed (default: the preset's, 1)");
  command->add_option("--chromosome-lengths", a->chromosome_lengths,
                      "Lengths of chr1, chr2, ... in bp, comma-separated")
      ->delimiter(',');
  command->add_option("--cell-types", a->cell_types, "Number of cell types (1-26)");
  command->add_option("--depths", a->depths, "Sequencing depth of each track per cell type, e.g. 1,0.25")
      ->delimiter(',');
  command->add_option("--replicates", a->replicates,
                      "Replicates of each track: the same expected counts, independent count noise "
                      "(<cell>.rep1.bw, <cell>.rep2.bw, ...)");
  command->add_flag("--expected", a->expected,
                    "Also write the expected counts, no noise (<cell>.expected.bw): the truth a track samples");
  command->add_option("--gc-bias", a->gc_bias,
                      "GC bias (the confounder): log fold change of counts per 10 GC points; 0 is off");
  command->add_option("--accessible-gc-slope", a->accessible_gc_slope,
                      "Open chromatin follows GC: a domain's chance to be open rises by this much per unit of "
                      "its segment's GC above the middle of the GC range; 0 (default) is off");
  command->add_option("--motif-density", a->motif_density, "Planted motif sites per Mb");
  command->add_option("--motif", a->motif_files,
                      "PWM file(s) to plant instead of the defaults (format: assets/motifs/*.txt)");
  command->add_option("--bin-size", a->bin_size, "Bases per signal bin");
  command->add_option("--peak-sd", a->peak_sd,
                      "Width of a planted peak: the standard deviation in bp of its Gaussian (default 60)");
  command->add_option("--reads", a->fastq_reads, "Simulated FASTQ reads (0: none)");
  command->add_option("--read-length", a->read_length, "FASTQ read length");
  command->add_option("--chip-reads", a->chip_reads, "ChIP-seq treatment and control reads each (0: none)");
  command->add_flag("-q,--quiet", a->quiet, "No progress on stderr");
  command->callback([a] { run_simulate(*a); });
}

}  // namespace epibook::cli
