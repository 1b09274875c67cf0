// The simulator: data with known ground truth, so every pitfall a chapter shows can be
// measured against the answer. It writes a genome (FASTA) with isochore-like GC
// variation and CpG islands, motifs planted from PWMs, per-cell-type signal tracks
// (bigWig) whose peaks follow the motifs active and accessible in that cell type, with
// count noise, an optional GC bias and a sequencing depth per sample; peaks
// (narrowPeak), a truth file (JSON), Illumina-like reads (FASTQ.gz) and a ChIP-seq
// treatment / control read set (BED) for peak calling.
//
// Everything is a pure function of (seed, options): each base, bin and read draws from
// epibook/random.h streams keyed by what it is and where, so a run gives the same bytes
// natively and in wasm. Chromosomes are generated in 1 Mb chunks, so memory is bounded
// by the planted sites, not the genome size.
//
// Sections: PWMs | options and presets | running a simulation
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "epibook/status.h"

namespace epibook {

// ---------------------------------------------------------------------------------
// A position weight matrix: for each motif position, the probabilities of A, C, G, T.
//
// Text format (assets/motifs/*.txt): '#' lines are comments, a line "name NAME" names
// the motif, then one line per position with four numbers (A C G T) that sum to 1
// (within 0.01; they are rescaled to exactly 1). Example:
//   # GATA-like: consensus AGATAA
//   name GATA-like
//   0.80 0.05 0.05 0.10
//   ...
struct Pwm {
  std::string name;
  std::vector<std::array<double, 4>> columns;  // [position][A, C, G, T]
  size_t length() const { return columns.size(); }
  friend bool operator==(const Pwm&, const Pwm&) = default;
};

Result<Pwm> parse_pwm(const std::string& text, const std::string& source_name);
Result<Pwm> read_pwm(const std::string& path);
std::string format_pwm(const Pwm& pwm);

// The motifs used when none are given: CTCF-like, GATA-like and AP-1-like matrices,
// the same as assets/motifs/*.txt.
std::vector<Pwm> default_motifs();

// How well `bases` (upper-case ACGT, the motif's length) match the PWM: the log-odds
// against a uniform background, scaled so the worst possible sequence scores 0 and the
// consensus 1. Bases other than ACGT score as the worst letter of their column.
double pwm_match_score(const Pwm& pwm, std::string_view bases);

// ---------------------------------------------------------------------------------
struct SimOptions {
  uint64_t seed = 1;
  // Chromosomes chr1, chr2, ... with these lengths.
  std::vector<uint64_t> chromosome_lengths = {400'000, 350'000, 250'000};

  // GC variation: isochore-like segments (lengths uniform in 0.5-1.5x the mean) with a
  // GC fraction uniform in [gc_low, gc_high]; CpG islands of fixed length and GC. Outside
  // islands a CpG decays to CpA with this chance, as methylated CpGs do in real genomes.
  uint64_t isochore_mean_length = 100'000;
  double gc_low = 0.35;
  double gc_high = 0.55;
  double cpg_islands_per_mb = 20;
  uint32_t cpg_island_length = 1'000;
  double cpg_island_gc = 0.65;
  double cpg_decay = 0.75;

  // Motifs: empty means default_motifs(). Sites are planted at this mean density
  // (exponential gaps past a minimum spacing); each picks a motif and a strand and
  // draws its bases from the PWM, so site scores vary as in real genomes.
  std::vector<Pwm> motifs;
  double motif_sites_per_mb = 300;

  // Cell types celltypeA, celltypeB, ...: each motif is active in a cell type with
  // `motif_active_fraction` chance, each domain of `accessible_domain_length` bases is
  // open with `accessible_fraction` chance. A site makes a peak in a cell type when its
  // motif is active there and it lies in an open domain.
  uint32_t cell_types = 3;
  double motif_active_fraction = 0.6;
  uint64_t accessible_domain_length = 20'000;
  double accessible_fraction = 0.6;
  // Open chromatin follows GC, as it does in real genomes (gene-dense, GC-rich
  // isochores are the open ones): a domain is open with chance accessible_fraction +
  // accessible_gc_slope x (GC of the segment at its start - (gc_low + gc_high) / 2),
  // clipped to [0, 1]. 0 (the default) makes openness independent of GC.
  double accessible_gc_slope = 0.0;

  // Signal tracks: counts per bin of `bin_size` bases. Expected count at depth 1 is
  // `background` plus, for each peak, `peak_height` x exp(4 (site score - 1)) (binding
  // strength grows exponentially with the match) x a Gaussian of sd `peak_sd` around the site. Counts are negative binomial (variance mu + mu^2 / dispersion).
  uint32_t bin_size = 25;
  double background = 2.0;
  double peak_height = 60.0;
  double peak_sd = 60.0;
  double dispersion = 10.0;
  // GC bias, the confounder: expected counts are multiplied by exp(gc_bias x 10 x
  // (GC of the fragment around the bin - 0.45)); 0 switches it off.
  double gc_bias = 0.0;
  uint32_t fragment_length = 200;
  // One track per cell type and depth: depth scales the expected counts.
  std::vector<double> depths = {1.0};
  // Biological-free replicates: each track is written this many times with the same
  // expected counts and independent count noise (celltypeA.rep1.bw, celltypeA.rep2.bw),
  // so one replicate predicting the other gives the best score any model could reach.
  uint32_t replicates = 1;
  // The noise-free truth beside the tracks: the expected counts themselves, one file per
  // cell type and depth (<cell>.expected.bw, <cell>.depth<D>x.expected.bw), the same
  // bins as the tracks. What any model could at best predict, and what averaging a
  // track over larger bins approaches.
  bool write_expected = false;

  // Illumina-like reads (FASTQ.gz, Phred+33) sampled from the genome; 0 writes none.
  uint64_t fastq_reads = 5'000;
  uint32_t fastq_read_length = 100;

  // ChIP-seq of the first cell type: treatment and control reads (BED) over the whole
  // genome, `chip_fraction_in_peaks` of treatment reads from its peaks; 0 reads writes none.
  uint64_t chip_reads = 40'000;
  uint64_t control_reads = 40'000;
  uint32_t chip_read_length = 36;
  double chip_fraction_in_peaks = 0.2;
  // Sticky regions: stretches where treatment and control both gain reads, as over an
  // amplified or repeated part of the genome. A genome-wide background calls them
  // peaks; a local background read from the control does not. Regions per Mb, their
  // length, and the read density inside them as a multiple of the background's.
  double chip_sticky_per_mb = 5.0;
  uint32_t chip_sticky_length = 2'000;
  double chip_sticky_enrichment = 4.0;
};

// Checks every option; the message names the option and the allowed range.
Status validate(const SimOptions& options);

// Named presets:
//   toy        1 Mb in 3 chromosomes, 3 cell types, one depth: seconds, for the browser
//   chapter    10 Mb, 4 cell types, two depths (1x and 0.25x) for chapter 6
//   genome200  200 Mb in 8 chromosomes, 4 cell types x 2 depths = 8 tracks, native only
Result<SimOptions> sim_preset(std::string_view name);
std::vector<std::string> sim_preset_names();

// ---------------------------------------------------------------------------------
// Where a run is, for progress lines: `done` of `total` bases (or reads).
struct SimProgress {
  std::string stage;
  uint64_t done = 0;
  uint64_t total = 0;
};
using SimProgressHandler = std::function<void(const SimProgress&)>;

struct SimSummary {
  uint64_t genome_bases = 0;
  uint64_t motif_sites = 0;
  uint64_t peaks = 0;                // (cell type, site) effects over all cell types
  std::vector<std::string> files;    // written, relative to the output directory
};

// Writes into `out_dir` (created if needed):
//   genome.fa, genome.fa.fai
//   <cell>.bw, or <cell>.depth<D>x.bw per depth when there are several, each as
//     <...>.rep<R>.bw when there are several replicates
//   <cell>.expected.bw (<cell>.depth<D>x.expected.bw) when write_expected: the counts'
//     expected values, no noise
//   <cell>.narrowPeak          the planted peaks of that cell type
//   truth.json                 layout, every planted motif and every effect
//   reads.fastq.gz             when fastq_reads > 0
//   chipseq/treat.bed, chipseq/control.bed, chipseq/truth_peaks.bed,
//   chipseq/sticky_regions.bed                                        when chip_reads > 0
// Each file appears under its name only when complete.
Result<SimSummary> simulate(const SimOptions& options, const std::string& out_dir,
                            const SimProgressHandler& progress = {});

// The names of the signal track files, in the order simulate() writes them.
std::vector<std::string> sim_track_files(const SimOptions& options);
// The expected-count files (write_expected), one per cell type and depth, in that order;
// empty when write_expected is off.
std::vector<std::string> sim_expected_files(const SimOptions& options);
std::string sim_cell_type_name(uint32_t index);  // 0 -> "celltypeA"

}  // namespace epibook
