// SimOptions: checks and the named presets (see epibook/sim.h). The presets are the
// sizes the book uses: a toy the browser simulates in well under a second, a chapter
// set with two sequencing depths, and a 200 Mb genome for the native full-size run.
#include <cmath>
#include <cstdio>

#include "epibook/region.h"
#include "epibook/sim.h"

namespace epibook {
namespace {

Status check_range(const char* option, double value, double low, double high) {
  if (std::isfinite(value) && value >= low && value <= high) return Status::ok();
  char message[160];
  std::snprintf(message, sizeof message, "simulation option %s is %g; it must be between %g and %g", option, value,
                low, high);
  return invalid_argument(message);
}

Status check_fraction(const char* option, double value) { return check_range(option, value, 0.0, 1.0); }

}  // namespace

Status validate(const SimOptions& o) {
  if (o.chromosome_lengths.empty() || o.chromosome_lengths.size() > 1000) {
    return invalid_argument("simulation option chromosome_lengths needs 1 to 1,000 chromosomes");
  }
  for (uint64_t length : o.chromosome_lengths) {
    if (length < 1'000 || length > (uint64_t{1} << 31)) {
      return invalid_argument("simulation option chromosome_lengths: " + with_thousands(length) +
                              " bp is outside 1,000 .. 2,147,483,648 bp");
    }
  }
  EPIBOOK_RETURN_IF_ERROR(check_range("isochore_mean_length", static_cast<double>(o.isochore_mean_length), 1e3, 1e9));
  EPIBOOK_RETURN_IF_ERROR(check_fraction("gc_low", o.gc_low));
  EPIBOOK_RETURN_IF_ERROR(check_range("gc_high", o.gc_high, o.gc_low, 1.0));
  EPIBOOK_RETURN_IF_ERROR(check_range("cpg_islands_per_mb", o.cpg_islands_per_mb, 0, 500));
  EPIBOOK_RETURN_IF_ERROR(check_range("cpg_island_length", o.cpg_island_length, 0, 1e6));
  EPIBOOK_RETURN_IF_ERROR(check_fraction("cpg_island_gc", o.cpg_island_gc));
  EPIBOOK_RETURN_IF_ERROR(check_fraction("cpg_decay", o.cpg_decay));
  for (const Pwm& pwm : o.motifs) {
    if (pwm.columns.empty()) return invalid_argument("motif '" + pwm.name + "' has no positions");
  }
  EPIBOOK_RETURN_IF_ERROR(check_range("motif_sites_per_mb", o.motif_sites_per_mb, 0, 5'000));
  EPIBOOK_RETURN_IF_ERROR(check_range("cell_types", o.cell_types, 1, 26));
  EPIBOOK_RETURN_IF_ERROR(check_fraction("motif_active_fraction", o.motif_active_fraction));
  EPIBOOK_RETURN_IF_ERROR(check_range("accessible_domain_length", static_cast<double>(o.accessible_domain_length), 1, 1e9));
  EPIBOOK_RETURN_IF_ERROR(check_fraction("accessible_fraction", o.accessible_fraction));
  EPIBOOK_RETURN_IF_ERROR(check_range("accessible_gc_slope", o.accessible_gc_slope, -100, 100));
  EPIBOOK_RETURN_IF_ERROR(check_range("bin_size", o.bin_size, 1, 10'000));
  EPIBOOK_RETURN_IF_ERROR(check_range("background", o.background, 0, 1e6));
  EPIBOOK_RETURN_IF_ERROR(check_range("peak_height", o.peak_height, 0, 1e6));
  EPIBOOK_RETURN_IF_ERROR(check_range("peak_sd", o.peak_sd, 1, 1e4));
  EPIBOOK_RETURN_IF_ERROR(check_range("dispersion", o.dispersion, 0.01, 1e6));
  EPIBOOK_RETURN_IF_ERROR(check_range("gc_bias", o.gc_bias, -5, 5));
  EPIBOOK_RETURN_IF_ERROR(check_range("fragment_length", o.fragment_length, 1, 10'000));
  if (o.depths.empty() || o.depths.size() > 8) return invalid_argument("simulation option depths needs 1 to 8 depths");
  for (size_t i = 0; i < o.depths.size(); ++i) {
    EPIBOOK_RETURN_IF_ERROR(check_range("depths", o.depths[i], 1e-3, 1e3));
    for (size_t j = 0; j < i; ++j) {
      if (o.depths[j] == o.depths[i]) return invalid_argument("simulation option depths lists a depth twice");
    }
  }
  EPIBOOK_RETURN_IF_ERROR(check_range("replicates", o.replicates, 1, 8));
  EPIBOOK_RETURN_IF_ERROR(check_range("fastq_reads", static_cast<double>(o.fastq_reads), 0, 1e9));
  EPIBOOK_RETURN_IF_ERROR(check_range("fastq_read_length", o.fastq_read_length, 10, 1'000));
  EPIBOOK_RETURN_IF_ERROR(check_range("chip_reads", static_cast<double>(o.chip_reads), 0, 1e8));
  EPIBOOK_RETURN_IF_ERROR(check_range("control_reads", static_cast<double>(o.control_reads), 0, 1e8));
  EPIBOOK_RETURN_IF_ERROR(check_range("chip_read_length", o.chip_read_length, 10, o.fragment_length));
  EPIBOOK_RETURN_IF_ERROR(check_fraction("chip_fraction_in_peaks", o.chip_fraction_in_peaks));
  EPIBOOK_RETURN_IF_ERROR(check_range("chip_sticky_per_mb", o.chip_sticky_per_mb, 0, 1'000));
  EPIBOOK_RETURN_IF_ERROR(check_range("chip_sticky_length", o.chip_sticky_length, o.fragment_length, 1'000'000));
  EPIBOOK_RETURN_IF_ERROR(check_range("chip_sticky_enrichment", o.chip_sticky_enrichment, 1, 1'000));
  for (uint64_t length : o.chromosome_lengths) {
    if (o.fastq_reads > 0 && length <= o.fastq_read_length) {
      return invalid_argument("simulation option fastq_read_length: reads must be shorter than every chromosome");
    }
  }
  return Status::ok();
}

std::vector<std::string> sim_preset_names() { return {"toy", "chapter", "genome200"}; }

Result<SimOptions> sim_preset(std::string_view name) {
  SimOptions options;
  if (name == "toy") return options;
  if (name == "chapter") {
    options.chromosome_lengths = {3'000'000, 2'500'000, 2'500'000, 2'000'000};
    options.cell_types = 4;
    options.depths = {1.0, 0.25};
    options.fastq_reads = 20'000;
    options.chip_reads = 200'000;
    options.control_reads = 200'000;
    return options;
  }
  if (name == "genome200") {
    options.chromosome_lengths = {40'000'000, 35'000'000, 30'000'000, 27'000'000,
                                  23'000'000, 20'000'000, 15'000'000, 10'000'000};
    options.isochore_mean_length = 300'000;
    options.cell_types = 4;
    options.depths = {1.0, 0.25};
    options.fastq_reads = 1'000'000;
    options.chip_reads = 0;
    options.control_reads = 0;
    return options;
  }
  std::string known;
  for (const std::string& preset : sim_preset_names()) known += (known.empty() ? "" : ", ") + preset;
  return invalid_argument("unknown simulation preset '" + std::string(name) + "' (known: " + known + ")");
}

std::string sim_cell_type_name(uint32_t index) {
  return std::string("celltype") + static_cast<char>('A' + index % 26);
}

std::vector<std::string> sim_track_files(const SimOptions& options) {
  std::vector<std::string> files;
  for (uint32_t cell = 0; cell < options.cell_types; ++cell) {
    for (double depth : options.depths) {
      std::string base = sim_cell_type_name(cell);
      if (options.depths.size() > 1) {
        char label[48];
        std::snprintf(label, sizeof label, ".depth%gx", depth);
        base += label;
      }
      for (uint32_t replicate = 1; replicate <= options.replicates; ++replicate) {
        files.push_back(options.replicates == 1 ? base + ".bw" : base + ".rep" + std::to_string(replicate) + ".bw");
      }
    }
  }
  return files;
}

std::vector<std::string> sim_expected_files(const SimOptions& options) {
  std::vector<std::string> files;
  if (!options.write_expected) return files;
  for (uint32_t cell = 0; cell < options.cell_types; ++cell) {
    for (double depth : options.depths) {
      std::string base = sim_cell_type_name(cell);
      if (options.depths.size() > 1) {
        char label[48];
        std::snprintf(label, sizeof label, ".depth%gx", depth);
        base += label;
      }
      files.push_back(base + ".expected.bw");
    }
  }
  return files;
}

}  // namespace epibook
