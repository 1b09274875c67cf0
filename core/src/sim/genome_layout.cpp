// Planning a simulated chromosome and producing its bases (see genome_layout.h).
// GC: bases are drawn per position for the GC of their segment; outside CpG islands a
// G after a C then decays to A with the decay chance, and the drawing GC is raised so
// the decayed bases still have the segment's GC on average.
#include "sim/genome_layout.h"

#include <algorithm>
#include <cmath>

namespace epibook::sim {
namespace {

double unit(uint64_t draw) { return static_cast<double>(draw >> 11) * 0x1.0p-53; }

// The GC to draw with so that after CpG decay the GC is `target`: decay removes
// decay x (g/2)^2 of G, so solve g - decay g^2 / 4 = target for g.
double drawing_gc(double target, double decay) {
  if (decay <= 0) return target;
  return (1.0 - std::sqrt(1.0 - decay * target)) / (decay / 2.0);
}

char draw_base(double u, double gc) {
  if (u < gc) return u < gc * 0.5 ? 'C' : 'G';
  return u < gc + (1.0 - gc) * 0.5 ? 'A' : 'T';
}

std::vector<GcSegment> plan_segments(const SimOptions& options, uint32_t index, uint64_t length) {
  CounterRng rng = stream_for(options, "gc-segments", index);
  std::vector<GcSegment> segments;
  uint64_t start = 0;
  while (start < length) {
    const double scale = 0.5 + rng.next_double();
    const uint64_t size = std::max<uint64_t>(1, static_cast<uint64_t>(static_cast<double>(options.isochore_mean_length) * scale));
    const double gc = options.gc_low + (options.gc_high - options.gc_low) * rng.next_double();
    const uint64_t end = std::min(length, start + size);
    segments.push_back({start, end, gc});
    start = end;
  }
  return segments;
}

std::vector<Span> plan_islands(const SimOptions& options, uint32_t index, uint64_t length) {
  std::vector<Span> islands;
  const uint64_t size = options.cpg_island_length;
  if (size == 0 || length <= size) return islands;
  CounterRng rng = stream_for(options, "cpg-islands", index);
  // Stochastic rounding keeps the density right on chromosomes shorter than 1 Mb.
  const double expected = static_cast<double>(length) / 1e6 * options.cpg_islands_per_mb;
  const uint64_t count = static_cast<uint64_t>(expected + rng.next_double());
  std::vector<Span> drawn;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t start = rng.next_below(length - size);
    drawn.push_back({start, start + size});
  }
  std::sort(drawn.begin(), drawn.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
  for (const Span& island : drawn) {
    if (islands.empty() || island.start >= islands.back().end) islands.push_back(island);
  }
  return islands;
}

// A site's bases drawn column by column from its PWM, on the motif's strand.
std::string draw_motif_bases(const Pwm& pwm, CounterRng& rng) {
  static constexpr char kBases[] = {'A', 'C', 'G', 'T'};
  std::string bases;
  for (const auto& column : pwm.columns) {
    const double u = rng.next_double();
    double cumulative = 0;
    char chosen = 'T';
    for (size_t b = 0; b < 4; ++b) {
      cumulative += column[b];
      if (u < cumulative) {
        chosen = kBases[b];
        break;
      }
    }
    bases.push_back(chosen);
  }
  return bases;
}

std::vector<PlantedSite> plan_sites(const SimOptions& options, const std::vector<Pwm>& motifs, uint32_t index,
                                    uint64_t length, uint64_t first_id) {
  std::vector<PlantedSite> sites;
  if (motifs.empty() || options.motif_sites_per_mb <= 0) return sites;
  size_t longest = 0;
  for (const Pwm& pwm : motifs) longest = std::max(longest, pwm.length());
  const double min_gap = static_cast<double>(longest + 20);
  const double mean_extra = std::max(0.0, 1e6 / options.motif_sites_per_mb - min_gap);
  CounterRng rng = stream_for(options, "motif-sites", index);
  double position = 0;
  while (true) {
    // Exponential gaps past the minimum spacing: a Poisson process that never overlaps.
    position += min_gap + std::floor(-std::log(1.0 - rng.next_double()) * mean_extra);
    PlantedSite site;
    site.motif = static_cast<uint32_t>(rng.next_below(motifs.size()));
    site.strand = (rng.next_u64() & 1) ? '-' : '+';
    const Pwm& pwm = motifs[site.motif];
    const std::string motif_strand = draw_motif_bases(pwm, rng);
    site.start = static_cast<uint64_t>(position);
    if (site.start + pwm.length() > length) break;
    site.score = pwm_match_score(pwm, motif_strand);
    site.bases = site.strand == '+' ? motif_strand : reverse_complement(motif_strand);
    site.id = first_id + sites.size();
    sites.push_back(std::move(site));
  }
  return sites;
}

}  // namespace

CounterRng stream_for(const SimOptions& options, std::string_view purpose, uint32_t chrom_index) {
  return CounterRng(options.seed, stable_hash(purpose, chrom_index));
}

std::string chrom_name(uint32_t index) { return "chr" + std::to_string(index + 1); }

char complement(char base) {
  switch (base) {
    case 'A': return 'T';
    case 'C': return 'G';
    case 'G': return 'C';
    case 'T': return 'A';
    default: return 'N';
  }
}

std::string reverse_complement(std::string_view bases) {
  std::string out(bases.rbegin(), bases.rend());
  for (char& c : out) c = complement(c);
  return out;
}

ChromLayout plan_chromosome(const SimOptions& options, const std::vector<Pwm>& motifs, uint32_t index,
                            uint64_t first_site_id) {
  ChromLayout layout;
  layout.index = index;
  layout.name = chrom_name(index);
  layout.length = options.chromosome_lengths[index];
  layout.segments = plan_segments(options, index, layout.length);
  layout.islands = plan_islands(options, index, layout.length);
  layout.sites = plan_sites(options, motifs, index, layout.length, first_site_id);
  return layout;
}

std::string chromosome_bases(const SimOptions& options, const ChromLayout& layout, uint64_t start, uint64_t end) {
  end = std::min(end, layout.length);
  std::string out;
  if (start >= end) return out;
  out.reserve(end - start);
  const CounterRng rng = stream_for(options, "bases", layout.index);
  const uint64_t first = start > 0 ? start - 1 : 0;  // the base before, for CpG decay
  auto segment = std::upper_bound(layout.segments.begin(), layout.segments.end(), first,
                                  [](uint64_t p, const GcSegment& s) { return p < s.end; });
  auto island = std::upper_bound(layout.islands.begin(), layout.islands.end(), first,
                                 [](uint64_t p, const Span& s) { return p < s.end; });
  double segment_gc = segment != layout.segments.end() ? drawing_gc(segment->gc, options.cpg_decay) : 0.5;
  char previous = 'N';
  for (uint64_t p = first; p < end; ++p) {
    while (segment != layout.segments.end() && p >= segment->end) {
      ++segment;
      if (segment != layout.segments.end()) segment_gc = drawing_gc(segment->gc, options.cpg_decay);
    }
    while (island != layout.islands.end() && p >= island->end) ++island;
    const bool in_island = island != layout.islands.end() && p >= island->start;
    const char raw = draw_base(unit(rng.at(2 * p)), in_island ? options.cpg_island_gc : segment_gc);
    char base = raw;
    if (raw == 'G' && previous == 'C' && !in_island && unit(rng.at(2 * p + 1)) < options.cpg_decay) base = 'A';
    previous = raw;
    if (p >= start) out.push_back(base);
  }
  // Planted sites replace the background bases they cover.
  auto site = std::upper_bound(layout.sites.begin(), layout.sites.end(), start,
                               [](uint64_t p, const PlantedSite& s) { return p < s.end(); });
  for (; site != layout.sites.end() && site->start < end; ++site) {
    for (uint64_t p = std::max(start, site->start); p < std::min(end, site->end()); ++p) {
      out[p - start] = site->bases[p - site->start];
    }
  }
  return out;
}

bool is_accessible(const SimOptions& options, const ChromLayout& layout, uint32_t cell, uint64_t position) {
  const uint64_t domain = position / options.accessible_domain_length;
  const CounterRng rng = stream_for(options, "open-domains", layout.index);
  double chance = options.accessible_fraction;
  if (options.accessible_gc_slope != 0) {
    const uint64_t domain_start = domain * options.accessible_domain_length;
    auto segment = std::upper_bound(layout.segments.begin(), layout.segments.end(), domain_start,
                                    [](uint64_t p, const GcSegment& s) { return p < s.end; });
    if (segment != layout.segments.end()) {
      const double middle = (options.gc_low + options.gc_high) / 2.0;
      chance = std::clamp(chance + options.accessible_gc_slope * (segment->gc - middle), 0.0, 1.0);
    }
  }
  return unit(rng.at(domain * 64 + cell)) < chance;
}

bool is_motif_active(const SimOptions& options, uint32_t cell, uint32_t motif, uint32_t motif_count) {
  const CounterRng rng = stream_for(options, "motif-activity", cell);
  bool any = false;
  for (uint32_t m = 0; m < motif_count; ++m) any = any || unit(rng.at(m)) < options.motif_active_fraction;
  if (!any) return motif == cell % motif_count;
  return unit(rng.at(motif)) < options.motif_active_fraction;
}

}  // namespace epibook::sim
