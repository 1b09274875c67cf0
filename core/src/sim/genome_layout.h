// Private to core/src/sim: the plan of one simulated chromosome (GC segments, CpG
// islands, planted motif sites, open domains) and the bases it implies. A chromosome's
// plan is small (a few entries per 100 kb); its bases are produced on demand for any
// range, each base a pure function of (seed, chromosome, position), so the genome can
// be streamed in chunks and reads can be cut from anywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "epibook/random.h"
#include "epibook/sim.h"

namespace epibook::sim {

struct GcSegment {
  uint64_t start = 0;
  uint64_t end = 0;
  double gc = 0;  // the GC fraction the segment's bases are drawn for
};

struct Span {
  uint64_t start = 0;
  uint64_t end = 0;
};

struct PlantedSite {
  uint64_t start = 0;
  uint32_t motif = 0;      // index into the run's motifs
  char strand = '+';
  std::string bases;       // as they read on the + strand of the genome
  double score = 0;        // pwm_match_score of the motif-strand bases, 0..1
  uint64_t id = 0;         // genome-wide, in planting order
  uint64_t end() const { return start + bases.size(); }
  uint64_t center() const { return start + bases.size() / 2; }
};

struct ChromLayout {
  uint32_t index = 0;
  std::string name;
  uint64_t length = 0;
  std::vector<GcSegment> segments;   // cover [0, length) in order
  std::vector<Span> islands;         // sorted, disjoint
  std::vector<PlantedSite> sites;    // sorted, disjoint
};

// Random streams, one per purpose and chromosome, so adding a purpose never shifts
// the draws of another.
CounterRng stream_for(const SimOptions& options, std::string_view purpose, uint32_t chrom_index);

std::string chrom_name(uint32_t index);  // 0 -> "chr1"

// Plans chromosome `index`; site ids continue from `first_site_id`.
ChromLayout plan_chromosome(const SimOptions& options, const std::vector<Pwm>& motifs, uint32_t index,
                            uint64_t first_site_id);

// The bases of [start, end) (upper case ACGT), planted sites included.
std::string chromosome_bases(const SimOptions& options, const ChromLayout& layout, uint64_t start, uint64_t end);

// Whether `position` lies in an open domain of cell type `cell`.
bool is_accessible(const SimOptions& options, const ChromLayout& layout, uint32_t cell, uint64_t position);

// Whether motif `motif` is active in cell type `cell` (every cell type has at least one).
bool is_motif_active(const SimOptions& options, uint32_t cell, uint32_t motif, uint32_t motif_count);

char complement(char base);
std::string reverse_complement(std::string_view bases);

}  // namespace epibook::sim
