// Check (b) of the auditor (audit.h): near-duplicate sequences across splits, found
// with MinHash sketches of canonical k-mers and banded locality-sensitive hashing, so
// that only windows likely to be similar are ever compared.
#include <algorithm>
#include <set>
#include <unordered_set>

#include "epibook/audit.h"
#include "epibook/random.h"
#include "epibook/statistics.h"

namespace epibook {
namespace {

// 2-bit code of a base, or 4 for anything that is not A/C/G/T.
uint8_t base_code(char c) {
  switch (c) {
    case 'A': case 'a': return 0;
    case 'C': case 'c': return 1;
    case 'G': case 'g': return 2;
    case 'T': case 't': return 3;
    default: return 4;
  }
}

// Calls visit(canonical k-mer) for every k-mer without N, left to right. A k-mer and
// its reverse complement have the same canonical form: the smaller of the two codes.
template <typename Visit>
void for_each_canonical_kmer(std::string_view sequence, uint32_t k, Visit&& visit) {
  const uint64_t mask = k == 32 ? ~uint64_t{0} : (uint64_t{1} << (2 * k)) - 1;
  const uint32_t top_shift = 2 * (k - 1);
  uint64_t forward = 0, reverse = 0;
  uint32_t valid = 0;
  for (char c : sequence) {
    const uint8_t code = base_code(c);
    if (code == 4) {
      valid = 0;
      continue;
    }
    forward = ((forward << 2) | code) & mask;
    reverse = (reverse >> 2) | (static_cast<uint64_t>(3 - code) << top_shift);
    if (++valid >= k) visit(std::min(forward, reverse));
  }
}

// The band keys of a sketch, one per band, mixed with the band's number so that equal
// rows in different bands do not collide.
uint64_t band_key(const MinHashSketch& sketch, uint32_t band, uint32_t rows) {
  uint64_t key = mix64(band);
  for (uint32_t r = 0; r < rows; ++r) key = mix64(key ^ sketch[band * rows + r]);
  return key;
}

struct BandEntry {
  uint64_t key;
  uint32_t window;
  friend bool operator<(const BandEntry& a, const BandEntry& b) {
    return a.key != b.key ? a.key < b.key : a.window < b.window;
  }
};

// Every band's (key, window) list sorted by key: a bucket is a run of equal keys.
std::vector<std::vector<BandEntry>> band_buckets(std::span<const MinHashSketch> sketches, const MinHashOptions& o) {
  const uint32_t rows = o.hashes / o.bands;
  std::vector<std::vector<BandEntry>> bands(o.bands);
  for (uint32_t b = 0; b < o.bands; ++b) {
    for (size_t w = 0; w < sketches.size(); ++w) {
      if (!sketches[w].empty()) bands[b].push_back(BandEntry{band_key(sketches[w], b, rows), static_cast<uint32_t>(w)});
    }
    std::sort(bands[b].begin(), bands[b].end());
  }
  return bands;
}

}  // namespace

Status validate_minhash_options(const MinHashOptions& o) {
  if (o.k < 1 || o.k > 32) return invalid_argument("MinHash: k must be 1 to 32");
  if (o.bands == 0 || o.hashes == 0 || o.hashes % o.bands != 0) {
    return invalid_argument("MinHash: the sketch size (" + std::to_string(o.hashes) +
                            ") must be a positive multiple of the number of bands (" + std::to_string(o.bands) + ")");
  }
  if (!(o.jaccard > 0 && o.jaccard <= 1)) return invalid_argument("MinHash: the Jaccard threshold must lie in (0, 1]");
  if (o.max_comparisons == 0) return invalid_argument("MinHash: max comparisons must be at least 1");
  return Status::ok();
}

MinHashSketch minhash_sketch(std::string_view sequence, const MinHashOptions& o) {
  // One-permutation hashing: one hash per k-mer, whose top bits pick a bin; each bin
  // keeps its minimum. `hashes` times cheaper than one hash function per sketch entry.
  constexpr uint64_t kEmpty = ~uint64_t{0};
  const uint64_t key = mix64(o.seed ^ 0x5bd1e995ULL);
  MinHashSketch bins(o.hashes, kEmpty);
  bool any = false;
  for_each_canonical_kmer(sequence, o.k, [&](uint64_t kmer) {
    any = true;
    const uint64_t h = mix64(kmer ^ key);
    const auto bin = static_cast<size_t>(((h >> 32) * o.hashes) >> 32);
    bins[bin] = std::min(bins[bin], h);
  });
  if (!any) return {};
  // Rotation densification: an empty bin takes the next non-empty bin's minimum (to
  // the right, wrapping), mixed with the distance, so that two sequences with the same
  // k-mers fill their empty bins the same way.
  MinHashSketch sketch(bins);
  for (size_t j = 0; j < bins.size(); ++j) {
    if (bins[j] != kEmpty) continue;
    size_t distance = 1;
    while (bins[(j + distance) % bins.size()] == kEmpty) ++distance;
    sketch[j] = mix64(bins[(j + distance) % bins.size()] + distance);
  }
  return sketch;
}

double estimated_jaccard(const MinHashSketch& a, const MinHashSketch& b) {
  if (a.empty() || b.empty() || a.size() != b.size()) return 0;
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

double exact_kmer_jaccard(std::string_view a, std::string_view b, uint32_t k) {
  std::unordered_set<uint64_t> set_a, set_b;
  for_each_canonical_kmer(a, k, [&](uint64_t kmer) { set_a.insert(kmer); });
  for_each_canonical_kmer(b, k, [&](uint64_t kmer) { set_b.insert(kmer); });
  size_t shared = 0;
  for (uint64_t kmer : set_a) shared += set_b.count(kmer);
  const size_t together = set_a.size() + set_b.size() - shared;
  return together == 0 ? 0 : static_cast<double>(shared) / static_cast<double>(together);
}

DuplicateFindings find_cross_split_duplicates(std::span<const MinHashSketch> sketches, std::span<const Split> splits,
                                              std::span<const Region> windows, const MinHashOptions& o,
                                              size_t max_examples) {
  auto overlapping = [&windows](size_t a, size_t b) {
    return !windows.empty() && windows[a].chrom == windows[b].chrom && windows[a].start < windows[b].end &&
           windows[b].start < windows[a].end;
  };
  DuplicateFindings findings;
  findings.windows_sketched = sketches.size();
  for (const MinHashSketch& s : sketches) findings.windows_without_kmers += s.empty() ? 1 : 0;
  const std::vector<std::vector<BandEntry>> bands = band_buckets(sketches, o);
  // Where each window sits in each band's sorted list.
  std::vector<std::vector<uint32_t>> position(o.bands, std::vector<uint32_t>(sketches.size(), 0));
  for (uint32_t b = 0; b < o.bands; ++b) {
    for (size_t p = 0; p < bands[b].size(); ++p) position[b][bands[b][p].window] = static_cast<uint32_t>(p);
  }
  std::set<std::tuple<double, size_t, size_t>> pairs;  // (-jaccard, first, second)
  for (size_t w = 0; w < sketches.size(); ++w) {
    if (sketches[w].empty()) continue;
    std::unordered_set<uint32_t> compared;
    bool found = false, capped = false;
    uint64_t visits = 0;  // bucket entries looked at, own split included
    for (uint32_t b = 0; b < o.bands && !found && !capped; ++b) {
      const std::vector<BandEntry>& list = bands[b];
      const uint64_t key = list[position[b][w]].key;
      auto it = std::lower_bound(list.begin(), list.end(), BandEntry{key, 0});
      for (; it != list.end() && it->key == key && !found; ++it) {
        const uint32_t other = it->window;
        // A huge family of one split's repeats must not make the scan quadratic.
        if (++visits > uint64_t{8} * o.max_comparisons) {
          capped = true;
          break;
        }
        if (splits[other] == splits[w] || overlapping(w, other) || !compared.insert(other).second) continue;
        if (compared.size() > o.max_comparisons) {
          capped = true;
          break;
        }
        ++findings.comparisons;
        const double jaccard = estimated_jaccard(sketches[w], sketches[other]);
        if (jaccard >= o.jaccard) {
          found = true;
          pairs.insert({-jaccard, std::min<size_t>(w, other), std::max<size_t>(w, other)});
        }
      }
    }
    findings.windows_with_duplicate += found ? 1 : 0;
    findings.windows_capped += capped ? 1 : 0;
  }
  for (const auto& [negative_jaccard, first, second] : pairs) {
    if (findings.examples.size() == max_examples) break;
    findings.examples.push_back(DuplicatePair{first, second, -negative_jaccard});
  }
  return findings;
}

SequenceFeatures sequence_features(std::span<const std::string> sequences, const MinHashOptions& options) {
  SequenceFeatures features;
  for (const std::string& sequence : sequences) {
    features.sketches.push_back(minhash_sketch(sequence, options));
    features.gc.push_back(gc_fraction(sequence));
  }
  return features;
}

Result<SequenceFeatures> sequence_features(const FastaReader& genome, std::span<const Region> windows,
                                           const MinHashOptions& options,
                                           const std::function<void(uint64_t, uint64_t)>& progress) {
  EPIBOOK_RETURN_IF_ERROR(validate_minhash_options(options));
  SequenceFeatures features;
  features.sketches.reserve(windows.size());
  features.gc.reserve(windows.size());
  for (size_t i = 0; i < windows.size(); ++i) {
    EPIBOOK_ASSIGN_OR_RETURN(std::string sequence, genome.fetch(windows[i], LetterCase::kUpper));
    features.sketches.push_back(minhash_sketch(sequence, options));
    features.gc.push_back(gc_fraction(sequence));
    if (progress && ((i + 1) % 1024 == 0 || i + 1 == windows.size())) progress(i + 1, windows.size());
  }
  return features;
}

}  // namespace epibook
