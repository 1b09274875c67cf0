// Simulated reads: Illumina-like FASTQ (Phred+33) for the read-quality lab, and a
// ChIP-seq treatment / control pair as BED for the peak-calling lab, where MACS2 and the
// book's own Poisson caller can be scored against the planted peaks.
#include <algorithm>
#include <cmath>

#include "sim/count_noise.h"
#include "sim/output_file.h"
#include "sim/run_plan.h"

namespace epibook::sim {
namespace {

constexpr uint64_t kFastqBatchReads = 4096;

// A chromosome and a start for a fragment of `length` bases, uniform over the genome.
std::pair<uint32_t, uint64_t> uniform_position(const RunPlan& plan, uint64_t length, CounterRng& rng) {
  uint64_t target = rng.next_below(plan.genome_bases);
  for (const ChromLayout& layout : plan.layouts) {
    if (target < layout.length) {
      const uint64_t room = layout.length > length ? layout.length - length : 0;
      return {layout.index, std::min(target, room)};
    }
    target -= layout.length;
  }
  return {0, 0};
}

// ---------------------------------------------------------------------------------
// Quality along an Illumina read: high at first (a little lower on the first bases,
// while the chemistry settles), then falling faster towards the end as phasing builds
// up; each read has its own offset, and a few reads end in a run of Q2 ('#'), the
// Illumina marker for an unreliable read end.
std::vector<uint8_t> draw_qualities(uint32_t length, CounterRng& rng) {
  std::vector<uint8_t> quality(length);
  const double read_offset = 1.5 * draw_normal(rng);
  const bool q2_tail = rng.next_double() < 0.04;
  const uint32_t tail_start = q2_tail ? static_cast<uint32_t>(length * (0.6 + 0.4 * rng.next_double())) : length;
  for (uint32_t i = 0; i < length; ++i) {
    const double along = length > 1 ? static_cast<double>(i) / (length - 1) : 0.0;
    const double settle = i < 3 ? 3.0 - i : 0.0;
    const double mean = 37.5 - 14.0 * along * along * std::sqrt(along) - settle + read_offset;
    const double q = std::floor(mean + 2.5 * draw_normal(rng) + 0.5);
    quality[i] = i >= tail_start ? 2 : static_cast<uint8_t>(std::clamp(q, 2.0, 41.0));
  }
  return quality;
}

// Sequencing errors: each base is miscalled with the chance its quality states.
void add_errors(std::string& bases, const std::vector<uint8_t>& quality, CounterRng& rng) {
  static constexpr char kBases[] = {'A', 'C', 'G', 'T'};
  for (size_t i = 0; i < bases.size(); ++i) {
    const double error = std::exp(-static_cast<double>(quality[i]) * std::log(10.0) / 10.0);
    if (rng.next_double() >= error) continue;
    char other = kBases[rng.next_below(3)];
    if (other == bases[i]) other = 'T';
    bases[i] = other;
  }
}

std::string fastq_record(const RunPlan& plan, uint64_t number, CounterRng& rng) {
  const uint32_t length = plan.options.fastq_read_length;
  const auto [chrom, start] = uniform_position(plan, length, rng);
  const bool reverse = (rng.next_u64() & 1) != 0;
  const ChromLayout& layout = plan.layouts[chrom];
  std::string bases = chromosome_bases(plan.options, layout, start, start + length);
  if (reverse) bases = reverse_complement(bases);
  const std::vector<uint8_t> quality = draw_qualities(length, rng);
  add_errors(bases, quality, rng);
  std::string record = "@simread" + std::to_string(number + 1) + " " + layout.name + ":" + std::to_string(start) + "-" +
                       std::to_string(start + length) + ":" + (reverse ? "-" : "+") + "\n" + bases + "\n+\n";
  for (uint8_t q : quality) record.push_back(static_cast<char>(q + 33));
  record.push_back('\n');
  return record;
}

// ---------------------------------------------------------------------------------
struct ReadPlacement {
  uint32_t chrom = 0;
  uint64_t start = 0;
  uint64_t end = 0;
  char strand = '+';
  friend bool operator<(const ReadPlacement& a, const ReadPlacement& b) {
    if (a.chrom != b.chrom) return a.chrom < b.chrom;
    if (a.start != b.start) return a.start < b.start;
    if (a.end != b.end) return a.end < b.end;
    return a.strand < b.strand;
  }
};

// The sequenced end of a fragment: its first bases on the + strand, its last on the -.
ReadPlacement read_from_fragment(const RunPlan& plan, uint32_t chrom, int64_t fragment_start, CounterRng& rng) {
  const SimOptions& o = plan.options;
  const int64_t length = static_cast<int64_t>(plan.layouts[chrom].length);
  const int64_t fragment = o.fragment_length;
  fragment_start = std::clamp<int64_t>(fragment_start, 0, std::max<int64_t>(0, length - fragment));
  const int64_t fragment_end = std::min(length, fragment_start + fragment);
  ReadPlacement read;
  read.chrom = chrom;
  read.strand = (rng.next_u64() & 1) ? '-' : '+';
  const int64_t read_length = std::min<int64_t>(o.chip_read_length, fragment_end - fragment_start);
  read.start = static_cast<uint64_t>(read.strand == '+' ? fragment_start : fragment_end - read_length);
  read.end = read.start + static_cast<uint64_t>(read_length);
  return read;
}

void add_background_reads(const RunPlan& plan, uint64_t count, uint64_t stream, std::vector<ReadPlacement>& reads) {
  for (uint64_t r = 0; r < count; ++r) {
    CounterRng rng(plan.options.seed, stream + r);
    const auto [chrom, start] = uniform_position(plan, plan.options.fragment_length, rng);
    reads.push_back(read_from_fragment(plan, chrom, static_cast<int64_t>(start), rng));
  }
}

// Treatment reads in the first cell type's peaks: each peak gets a Poisson share of
// `count` in proportion to its contribution, fragments centred around the site.
void add_peak_reads(const RunPlan& plan, uint64_t count, std::vector<ReadPlacement>& reads) {
  double total = 0;
  for (const auto& effects : plan.effects) {
    for (const Effect& e : effects) total += e.cell == 0 ? e.contribution : 0.0;
  }
  if (total <= 0) return;
  const uint64_t stream = stable_hash("chip-peak-reads", plan.options.seed);
  for (const auto& effects : plan.effects) {
    for (const Effect& effect : effects) {
      if (effect.cell != 0) continue;
      const PlantedSite& site = plan.site_of(effect);
      CounterRng rng(plan.options.seed, stream + site.id * 4096);
      const uint64_t n = draw_poisson(static_cast<double>(count) * effect.contribution / total, rng);
      for (uint64_t r = 0; r < n; ++r) {
        const double center = static_cast<double>(site.center()) + plan.options.peak_sd * draw_normal(rng);
        const int64_t start = static_cast<int64_t>(std::floor(center)) - plan.options.fragment_length / 2;
        reads.push_back(read_from_fragment(plan, effect.chrom, start, rng));
      }
    }
  }
}

// Sticky regions, placed uniformly on their own stream and kept off the planted peaks
// (so a peak found in one is false by construction), sorted by position.
struct StickyRegion {
  uint32_t chrom = 0;
  Region region;
};

std::vector<StickyRegion> sticky_regions(const RunPlan& plan) {
  const SimOptions& o = plan.options;
  std::vector<Region> peaks;
  for (const auto& effects : plan.effects) {
    for (const Effect& effect : effects) {
      if (effect.cell == 0) peaks.push_back(peak_region(plan, effect));
    }
  }
  const uint64_t count = static_cast<uint64_t>(std::llround(o.chip_sticky_per_mb * static_cast<double>(plan.genome_bases) / 1e6));
  const uint64_t stream = stable_hash("chip-sticky-regions", o.seed);
  std::vector<StickyRegion> regions;
  for (uint64_t i = 0; i < count; ++i) {
    CounterRng rng(o.seed, stream + i);
    for (int attempt = 0; attempt < 1000; ++attempt) {
      const auto [chrom, start] = uniform_position(plan, o.chip_sticky_length, rng);
      const Region region{plan.layouts[chrom].name, start, start + o.chip_sticky_length};
      const auto touches = [&](const Region& other) {
        return other.chrom == region.chrom && other.start < region.end + o.fragment_length &&
               region.start < other.end + o.fragment_length;
      };
      const auto touches_sticky = [&](const StickyRegion& other) { return touches(other.region); };
      if (std::none_of(peaks.begin(), peaks.end(), touches) &&
          std::none_of(regions.begin(), regions.end(), touches_sticky)) {
        regions.push_back({chrom, region});
        break;
      }
    }
  }
  std::sort(regions.begin(), regions.end(), [](const StickyRegion& a, const StickyRegion& b) {
    return std::pair(a.chrom, a.region.start) < std::pair(b.chrom, b.region.start);
  });
  return regions;
}

// Extra fragments inside each sticky region, so that its density is `enrichment` times
// that of `background_reads` spread over the genome.
void add_sticky_reads(const RunPlan& plan, const std::vector<StickyRegion>& regions, uint64_t background_reads,
                      uint64_t stream, std::vector<ReadPlacement>& reads) {
  const SimOptions& o = plan.options;
  const double density = static_cast<double>(background_reads) / static_cast<double>(plan.genome_bases);
  const double expected = (o.chip_sticky_enrichment - 1.0) * density * o.chip_sticky_length;
  for (size_t i = 0; i < regions.size(); ++i) {
    CounterRng rng(o.seed, stream + i * 4096);
    const uint64_t n = draw_poisson(expected, rng);
    const uint64_t room = o.chip_sticky_length - o.fragment_length;
    for (uint64_t r = 0; r < n; ++r) {
      const uint64_t start = regions[i].region.start + rng.next_below(room + 1);
      reads.push_back(read_from_fragment(plan, regions[i].chrom, static_cast<int64_t>(start), rng));
    }
  }
}

Status write_reads_bed(const RunPlan& plan, std::vector<ReadPlacement> reads, const std::string& path) {
  std::sort(reads.begin(), reads.end());
  EPIBOOK_ASSIGN_OR_RETURN(OutputFile file, OutputFile::create(path));
  std::string text;
  for (const ReadPlacement& read : reads) {
    text += plan.layouts[read.chrom].name + "\t" + std::to_string(read.start) + "\t" + std::to_string(read.end) +
            "\t.\t0\t" + read.strand + "\n";
    if (text.size() > (1 << 20)) {
      EPIBOOK_RETURN_IF_ERROR(file.write(text));
      text.clear();
    }
  }
  EPIBOOK_RETURN_IF_ERROR(file.write(text));
  return file.commit();
}

}  // namespace

Status write_fastq_reads(const RunPlan& plan, const std::string& path, const SimProgressHandler& progress) {
  EPIBOOK_ASSIGN_OR_RETURN(OutputFile file, OutputFile::create(path, /*gzip=*/true));
  const uint64_t stream = stable_hash("fastq-reads", plan.options.seed);
  const uint64_t total = plan.options.fastq_reads;
  std::string text;
  for (uint64_t r = 0; r < total; ++r) {
    CounterRng rng(plan.options.seed, stream + r);
    text += fastq_record(plan, r, rng);
    if ((r + 1) % kFastqBatchReads == 0 || r + 1 == total) {
      EPIBOOK_RETURN_IF_ERROR(file.write(text));
      text.clear();
      if (progress) progress({"reads", r + 1, total});
    }
  }
  return file.commit();
}

Status write_chipseq_reads(const RunPlan& plan, const std::string& dir) {
  const SimOptions& o = plan.options;
  const uint64_t in_peaks = static_cast<uint64_t>(std::llround(o.chip_fraction_in_peaks * static_cast<double>(o.chip_reads)));
  std::vector<ReadPlacement> treatment;
  add_peak_reads(plan, in_peaks, treatment);
  add_background_reads(plan, o.chip_reads - in_peaks, stable_hash("chip-background-reads", o.seed), treatment);
  const std::vector<StickyRegion> sticky = sticky_regions(plan);
  add_sticky_reads(plan, sticky, o.chip_reads - in_peaks, stable_hash("chip-sticky-treatment", o.seed), treatment);
  EPIBOOK_RETURN_IF_ERROR(write_reads_bed(plan, std::move(treatment), dir + "/treat.bed"));

  std::vector<ReadPlacement> control;
  add_background_reads(plan, o.control_reads, stable_hash("chip-control-reads", o.seed), control);
  add_sticky_reads(plan, sticky, o.control_reads, stable_hash("chip-sticky-control", o.seed), control);
  EPIBOOK_RETURN_IF_ERROR(write_reads_bed(plan, std::move(control), dir + "/control.bed"));

  std::vector<BedRecord> sticky_records;
  for (const StickyRegion& s : sticky) {
    BedRecord record;
    record.region = s.region;
    record.name = "sticky";
    sticky_records.push_back(std::move(record));
  }
  EPIBOOK_RETURN_IF_ERROR(write_bed(dir + "/sticky_regions.bed", sticky_records));

  std::vector<BedRecord> truth;
  for (const auto& effects : plan.effects) {
    for (const Effect& effect : effects) {
      if (effect.cell != 0) continue;
      BedRecord record;
      record.region = peak_region(plan, effect);
      record.name = plan.motifs[plan.site_of(effect).motif].name;
      record.score = std::round(effect.contribution * 1000.0) / 1000.0;
      record.strand = plan.site_of(effect).strand;
      truth.push_back(std::move(record));
    }
  }
  return write_bed(dir + "/truth_peaks.bed", truth);
}

}  // namespace epibook::sim
