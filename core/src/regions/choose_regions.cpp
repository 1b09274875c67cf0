// The whole region-choice recipe (regions.h): peak windows and GC-matched negatives, or
// a labelled genome-wide tiling, minus exclusion lists, each window split. This is what
// `epibook regions` runs; its BED output is what `epibook audit` reads.
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "epibook/regions.h"
#include "epibook/statistics.h"

namespace epibook {
namespace {

// Reads sequences window by window and reports progress in bases.
class SequenceScan {
 public:
  SequenceScan(const FastaReader& genome, uint64_t total_bases, const RegionProgress& progress)
      : genome_(genome), total_(total_bases), progress_(progress) {}

  Result<std::string> fetch(const Region& window) {
    auto sequence = genome_.fetch(window, LetterCase::kUpper);
    done_ += window.length();
    if (progress_ && (done_ - reported_ >= (uint64_t{1} << 22) || done_ == total_)) {
      reported_ = done_;
      progress_(done_, total_);
    }
    return sequence;
  }

 private:
  const FastaReader& genome_;
  uint64_t total_, done_ = 0, reported_ = 0;
  const RegionProgress& progress_;
};

Result<std::vector<Region>> genome_tiles(const FastaIndex& index, const RegionOptions& options) {
  std::vector<Region> chromosomes;
  for (const FaiEntry& entry : index.entries) chromosomes.push_back(Region{entry.name, 0, entry.length});
  return tile_windows(chromosomes, options.width, options.stride == 0 ? options.width : options.stride);
}

// Peak windows, jittered, without repeats and without those touching an exclusion.
Result<std::vector<Region>> positive_windows(std::span<const BedRecord> peaks, const FastaIndex& index,
                                             const RegionIndex& excluded, const RegionOptions& options,
                                             RegionSummary& summary) {
  EPIBOOK_ASSIGN_OR_RETURN(PeakWindows centred, peak_windows(peaks, options.width, index));
  summary.peaks_on_short_chromosomes = centred.too_short_chromosome;
  std::vector<Region> windows = std::move(centred.windows);
  if (options.jitter > 0) {
    EPIBOOK_ASSIGN_OR_RETURN(windows, jitter_windows(windows, options.jitter, options.seed, index));
  }
  std::set<std::string> seen;
  std::vector<Region> kept;
  for (Region& window : windows) {
    if (!seen.insert(split_key(window)).second) {
      ++summary.duplicate_positives;
    } else if (excluded.overlaps(window)) {
      ++summary.positives_excluded;
    } else {
      kept.push_back(std::move(window));
    }
  }
  return kept;
}

Status check_peak_chromosomes(std::span<const BedRecord> peaks, const FastaIndex& index) {
  for (const BedRecord& peak : peaks) {
    if (index.find(peak.region.chrom) == nullptr) {
      return not_found(format_region(peak.region) + ": peak on chromosome " + peak.region.chrom +
                       ", which is not in the genome");
    }
  }
  return Status::ok();
}

Status choose_peaks_and_negatives(const FastaReader& genome, std::span<const BedRecord> peaks,
                                  const RegionIndex& excluded, const RegionIndex& peak_index,
                                  const RegionOptions& options, const RegionProgress& progress, RegionSet& out) {
  const FastaIndex& index = genome.index();
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<Region> positives,
                           positive_windows(peaks, index, excluded, options, out.summary));
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<Region> tiles, genome_tiles(index, options));
  const RegionIndex positive_index(positives);
  SequenceScan scan(genome, (positives.size() + tiles.size()) * uint64_t{options.width}, progress);

  std::vector<double> positive_gc;
  for (const Region& window : positives) {
    EPIBOOK_ASSIGN_OR_RETURN(std::string sequence, scan.fetch(window));
    positive_gc.push_back(gc_fraction(sequence));
    out.windows.push_back(ChosenWindow{window, kPeakLabel, Split::kTrain, positive_gc.back()});
  }
  std::vector<Region> candidates;
  std::vector<double> candidate_gc;
  for (const Region& tile : tiles) {
    if (peak_index.overlaps(tile) || positive_index.overlaps(tile) || excluded.overlaps(tile)) continue;
    EPIBOOK_ASSIGN_OR_RETURN(std::string sequence, scan.fetch(tile));
    if (unknown_base_fraction(sequence) > options.max_unknown_fraction) continue;
    candidates.push_back(tile);
    candidate_gc.push_back(gc_fraction(sequence));
  }
  out.summary.candidates = candidates.size();
  EPIBOOK_ASSIGN_OR_RETURN(
      GcMatch match, match_gc(positive_gc, candidate_gc, {options.negatives_per_positive, options.gc_bins, options.seed}));
  std::vector<double> negative_gc;
  for (size_t i : match.chosen) {
    out.windows.push_back(ChosenWindow{candidates[i], kBackgroundLabel, Split::kTrain, candidate_gc[i]});
    negative_gc.push_back(candidate_gc[i]);
  }
  out.summary.positives = positives.size();
  out.summary.negatives = match.chosen.size();
  out.summary.gc_borrowed = match.borrowed;
  out.summary.gc_shortfall = match.shortfall;
  out.summary.positive_negative_gc_ks = ks_statistic(positive_gc, negative_gc);
  return Status::ok();
}

Status choose_tiles(const FastaReader& genome, const RegionIndex& excluded, const RegionIndex& peak_index,
                    const RegionOptions& options, const RegionProgress& progress, RegionSet& out) {
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<Region> tiles, genome_tiles(genome.index(), options));
  SequenceScan scan(genome, tiles.size() * uint64_t{options.width}, progress);
  for (const Region& tile : tiles) {
    if (excluded.overlaps(tile)) continue;
    EPIBOOK_ASSIGN_OR_RETURN(std::string sequence, scan.fetch(tile));
    if (unknown_base_fraction(sequence) > options.max_unknown_fraction) continue;
    const bool peak = peak_index.overlaps(tile);
    out.windows.push_back(ChosenWindow{tile, peak ? kPeakLabel : kBackgroundLabel, Split::kTrain,
                                       gc_fraction(sequence)});
    ++(peak ? out.summary.positives : out.summary.negatives);
  }
  return Status::ok();
}

void sort_in_genome_order(std::vector<ChosenWindow>& windows, const FastaIndex& index) {
  std::map<std::string, size_t, std::less<>> rank;
  for (size_t i = 0; i < index.entries.size(); ++i) rank[index.entries[i].name] = i;
  std::sort(windows.begin(), windows.end(), [&rank](const ChosenWindow& a, const ChosenWindow& b) {
    const size_t ra = rank.at(a.region.chrom), rb = rank.at(b.region.chrom);
    if (ra != rb) return ra < rb;
    if (a.region.start != b.region.start) return a.region.start < b.region.start;
    return a.region.end < b.region.end;
  });
}

}  // namespace

Result<RegionSet> choose_regions(const FastaReader& genome, std::span<const BedRecord> peaks,
                                 std::span<const Region> exclusions, const RegionOptions& options,
                                 const RegionProgress& progress) {
  EPIBOOK_RETURN_IF_ERROR(validate_region_options(options));
  EPIBOOK_RETURN_IF_ERROR(check_peak_chromosomes(peaks, genome.index()));
  std::vector<Region> peak_regions;
  for (const BedRecord& peak : peaks) peak_regions.push_back(peak.region);
  const RegionIndex peak_index(peak_regions);
  const RegionIndex excluded(exclusions);

  RegionSet out;
  out.summary.peaks = peaks.size();
  if (options.mode == RegionMode::kTiling) {
    EPIBOOK_RETURN_IF_ERROR(choose_tiles(genome, excluded, peak_index, options, progress, out));
  } else {
    if (peaks.empty()) return invalid_argument("region choice: peaks mode needs at least one peak");
    EPIBOOK_RETURN_IF_ERROR(choose_peaks_and_negatives(genome, peaks, excluded, peak_index, options, progress, out));
  }
  if (out.windows.empty()) {
    return invalid_argument("region choice: no window is left (every candidate is excluded, N-rich or off the genome)");
  }
  sort_in_genome_order(out.windows, genome.index());
  std::vector<Region> regions;
  for (const ChosenWindow& w : out.windows) regions.push_back(w.region);
  EPIBOOK_ASSIGN_OR_RETURN(std::vector<Split> splits, split_windows(regions, options));
  for (size_t i = 0; i < splits.size(); ++i) out.windows[i].split = splits[i];
  return out;
}

std::string format_region_set_bed(const RegionSet& set) {
  std::ostringstream bed;
  for (const ChosenWindow& w : set.windows) {
    bed << w.region.chrom << '\t' << w.region.start << '\t' << w.region.end << '\t' << split_name(w.split) << '\t'
        << static_cast<int>(w.label) << '\n';
  }
  return bed.str();
}

}  // namespace epibook
