// Private to core/src/sim: everything decided before any output is written (the
// chromosomes' plans and which planted sites make peaks in which cell type), shared
// by the writers of tracks, truth, peaks and reads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "epibook/bed.h"
#include "epibook/sim.h"
#include "sim/genome_layout.h"

namespace epibook::sim {

// A planted site that makes a peak in a cell type: `contribution` is the expected
// count above background at the summit bin, at depth 1 and before GC bias.
struct Effect {
  uint32_t chrom = 0;
  size_t site = 0;  // index into layouts[chrom].sites
  uint32_t cell = 0;
  double contribution = 0;
};

struct RunPlan {
  SimOptions options;
  std::vector<Pwm> motifs;
  std::vector<ChromLayout> layouts;
  std::vector<std::vector<Effect>> effects;  // per chromosome, by site then cell
  uint64_t genome_bases = 0;

  const PlantedSite& site_of(const Effect& effect) const { return layouts[effect.chrom].sites[effect.site]; }
};

RunPlan plan_run(const SimOptions& options);

// The peak region of an effect: the site's centre +- 2 peak sd, within the chromosome.
Region peak_region(const RunPlan& plan, const Effect& effect);
// The planted peaks of one cell type as narrowPeak records.
std::vector<BedRecord> cell_type_peaks(const RunPlan& plan, uint32_t cell);

// Writers of the other outputs (truth_output.cpp, read_sets.cpp).
Status write_truth(const RunPlan& plan, const std::string& path);
Status write_fastq_reads(const RunPlan& plan, const std::string& path, const SimProgressHandler& progress);
Status write_chipseq_reads(const RunPlan& plan, const std::string& dir);

std::string json_number(double value);

}  // namespace epibook::sim
