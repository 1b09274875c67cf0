// Chapter 12's pitfalls as plain functions (pitfall_cases.h): each side's windows and
// splits made with the core's region choice and splits, audited by audit_splits and
// scored with the k-mer model.
#include "pitfall_cases.h"

#include <algorithm>
#include <cmath>

#include "epibook/metrics.h"
#include "epibook/split.h"
#include "epibook/statistics.h"

namespace epibook::labs {

namespace {

constexpr std::array<const char*, 6> kNames = {"dependent", "preprocessing", "validation-balance",
                                               "confounding", "imbalance", "distribution"};
constexpr uint32_t kWidth = 200;
constexpr uint64_t kSeed = 1;
// Oversampling (the imbalance pitfall): each peak window is copied this many times in all.
constexpr int kCopies = 8;
// The distribution pitfall's test set: chr3's tiles at or above this GC fraction.
constexpr double kGcRichTest = 0.45;

// 2 bits per base; -1 for anything but A, C, G, T.
int base_code(char c) {
  switch (c) {
    case 'A': case 'a': return 0;
    case 'C': case 'c': return 1;
    case 'G': case 'g': return 2;
    case 'T': case 't': return 3;
    default: return -1;
  }
}

// Calls f(code) for the canonical code (the smaller of the k-mer's and its reverse
// complement's) of every k-mer of `sequence` without an N.
template <typename F>
void for_each_canonical_kmer(const std::string& sequence, uint32_t k, F&& f) {
  const uint64_t mask = (uint64_t{1} << (2 * k)) - 1;
  uint64_t forward = 0, reverse = 0;
  uint32_t valid = 0;
  for (char c : sequence) {
    const int code = base_code(c);
    if (code < 0) {
      valid = 0;
      continue;
    }
    forward = ((forward << 2) | static_cast<uint64_t>(code)) & mask;
    reverse = (reverse >> 2) | (static_cast<uint64_t>(3 - code) << (2 * (k - 1)));
    if (++valid >= k) f(std::min(forward, reverse));
  }
}

// The windows of a side, row by row.
struct Rows {
  std::vector<Region> windows;
  std::vector<Split> splits;
  std::vector<int8_t> labels;
  std::vector<double> gc;
  void add(const ChosenWindow& w, Split split) {
    windows.push_back(w.region);
    splits.push_back(split);
    labels.push_back(w.label);
    gc.push_back(w.gc);
  }
};

RegionOptions region_options(RegionMode mode, double negatives, uint32_t gc_bins, uint32_t stride = 0) {
  RegionOptions o;
  o.mode = mode;
  o.width = kWidth;
  o.stride = stride;
  o.negatives_per_positive = negatives;
  o.gc_bins = gc_bins;
  o.seed = kSeed;
  o.split = SplitMethod::kChromosome;
  o.validation_chroms = {"chr2"};
  o.test_chroms = {"chr3"};
  return o;
}

Result<RegionSet> choose(const PitfallGenome& g, const RegionOptions& o) { return choose_regions(*g.genome, g.peaks, {}, o); }

// A split for each row drawn at random from the row's number, as a library's
// "shuffle the rows, then cut 60 / 20 / 20" does: copies of one window land anywhere.
Split random_row_split(size_t row) {
  SplitFractions fractions;
  fractions.train = 0.6;
  fractions.validation = 0.2;
  fractions.test = 0.2;
  return split_for_unit_value(split_unit_value("row " + std::to_string(row), kSeed), fractions);
}

SplitScores score_split(const Rows& rows, const std::vector<float>& scores, Split split) {
  std::vector<float> s, labels, gc;
  for (size_t i = 0; i < rows.windows.size(); ++i) {
    if (rows.splits[i] != split || rows.labels[i] < 0) continue;
    s.push_back(scores[i]);
    labels.push_back(static_cast<float>(rows.labels[i]));
    gc.push_back(static_cast<float>(rows.gc[i]));
  }
  SplitScores out;
  out.windows = s.size();
  uint64_t peaks_called = 0, background_called = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (labels[i] > 0.5f) {
      ++out.peaks;
      peaks_called += s[i] > 0 ? 1 : 0;
    } else {
      background_called += s[i] > 0 ? 0 : 1;
    }
  }
  if (s.empty()) return out;
  const uint64_t background = out.windows - out.peaks;
  out.peak_fraction = static_cast<double>(out.peaks) / static_cast<double>(out.windows);
  auto value = [](const Result<double>& r) { return r.is_ok() ? *r : NAN; };
  out.auroc = value(auroc(s, labels));
  out.auprc = value(auprc(s, labels));
  out.gc_auroc = value(auroc(gc, labels));
  out.accuracy = static_cast<double>(peaks_called + background_called) / static_cast<double>(out.windows);
  out.peak_recall = out.peaks ? static_cast<double>(peaks_called) / static_cast<double>(out.peaks) : NAN;
  const double background_recall = background ? static_cast<double>(background_called) / static_cast<double>(background) : NAN;
  out.balanced_accuracy = (out.peak_recall + background_recall) / 2;
  return out;
}

// The rows of each pitfall and what the model's counts were fitted on ("train" or "all").
struct Design {
  Rows rows;
  std::vector<uint8_t> fitted_on;  // per row
  std::string fitted_on_name = "train";
  std::string text;
  std::string check;
};

Result<Design> design_of(const PitfallGenome& g, Pitfall pitfall, bool fixed) {
  Design d;
  auto train_only = [&d] {
    d.fitted_on.clear();
    for (Split s : d.rows.splits) d.fitted_on.push_back(s == Split::kTrain ? 1 : 0);
  };
  switch (pitfall) {
    case Pitfall::kDependent: {
      // Tiles every 100 bp, so each base lies in two windows; split per window at random
      // (the pitfall) or by chromosome (the fix).
      EPIBOOK_ASSIGN_OR_RETURN(const RegionSet tiles, choose(g, region_options(RegionMode::kTiling, 1, 20, 100)));
      std::vector<Region> regions;
      for (const ChosenWindow& w : tiles.windows) regions.push_back(w.region);
      std::vector<Split> splits;
      if (fixed) {
        for (const ChosenWindow& w : tiles.windows) splits.push_back(w.split);
      } else {
        EPIBOOK_ASSIGN_OR_RETURN(splits, split_by_hash(regions, kSeed, SplitFractions{0.6, 0.2, 0.2}));
      }
      for (size_t i = 0; i < tiles.windows.size(); ++i) d.rows.add(tiles.windows[i], splits[i]);
      d.text = fixed ? "200 bp tiles every 100 bp, split by chromosome (validation chr2, test chr3)"
                     : "200 bp tiles every 100 bp, each tile split at random (60 / 20 / 20)";
      d.check = "overlap";
      train_only();
      break;
    }
    case Pitfall::kPreprocessing: {
      EPIBOOK_ASSIGN_OR_RETURN(const RegionSet set, choose(g, region_options(RegionMode::kPeaksAndGcMatchedNegatives, 3, 20)));
      for (const ChosenWindow& w : set.windows) d.rows.add(w, w.split);
      if (fixed) {
        train_only();
      } else {
        d.fitted_on.assign(d.rows.windows.size(), 1);
        d.fitted_on_name = "all";
      }
      d.text = std::string("peaks and 3 GC-matched negatives each, split by chromosome; 8-mer counts of ") +
               (fixed ? "the training windows" : "all windows");
      d.check = "normalisation";
      break;
    }
    case Pitfall::kValidationBalance: {
      // Train and test: every tile of chr1 and of chr3, peaks as rare as in the genome.
      // Validation: chr2's peaks with three GC-matched negatives each (the pitfall) or
      // every tile of chr2, drawn as the test is (the fix).
      EPIBOOK_ASSIGN_OR_RETURN(const RegionSet set, choose(g, region_options(RegionMode::kPeaksAndGcMatchedNegatives, 3, 20)));
      EPIBOOK_ASSIGN_OR_RETURN(const RegionSet tiles, choose(g, region_options(RegionMode::kTiling, 1, 20)));
      for (const ChosenWindow& w : tiles.windows) {
        if (w.split != Split::kValidation || fixed) d.rows.add(w, w.split);
      }
      if (!fixed) {
        for (const ChosenWindow& w : set.windows) {
          if (w.split == Split::kValidation) d.rows.add(w, w.split);
        }
      }
      d.text = fixed ? "every 200 bp tile; train chr1, validation chr2, test chr3"
                     : "every 200 bp tile of chr1 (train) and chr3 (test); validation: chr2's peaks + 3 GC-matched negatives each";
      d.check = "label-balance";
      train_only();
      break;
    }
    case Pitfall::kConfounding: {
      // Negatives at random (one GC bin) carry the GC shortcut; matched ones do not. The
      // test is matched either way; train and validation follow the side.
      EPIBOOK_ASSIGN_OR_RETURN(const RegionSet matched, choose(g, region_options(RegionMode::kPeaksAndGcMatchedNegatives, 3, 20)));
      EPIBOOK_ASSIGN_OR_RETURN(const RegionSet random, choose(g, region_options(RegionMode::kPeaksAndGcMatchedNegatives, 3, 1)));
      for (const ChosenWindow& w : (fixed ? matched : random).windows) {
        if (w.split != Split::kTest) d.rows.add(w, w.split);
      }
      for (const ChosenWindow& w : matched.windows) {
        if (w.split == Split::kTest) d.rows.add(w, w.split);
      }
      d.text = fixed ? "peaks + 3 GC-matched negatives each in every split"
                     : "train and validation: peaks + 3 random negatives each; test: GC-matched negatives";
      d.check = "gc";
      train_only();
      break;
    }
    case Pitfall::kImbalance: {
      // Peaks and ten negatives each. The pitfall balances the classes by copying each
      // peak window to kCopies rows, then splits the rows at random; the fix splits by
      // chromosome and copies nothing (the model weighs each class by its own total,
      // which is what class weights do).
      EPIBOOK_ASSIGN_OR_RETURN(const RegionSet set, choose(g, region_options(RegionMode::kPeaksAndGcMatchedNegatives, 10, 20)));
      for (const ChosenWindow& w : set.windows) {
        const int copies = w.label == 1 && !fixed ? kCopies : 1;
        for (int c = 0; c < copies; ++c) d.rows.add(w, fixed ? w.split : random_row_split(d.rows.windows.size()));
      }
      d.text = fixed ? "peaks + 10 GC-matched negatives each, split by chromosome, no copies"
                     : "peaks + 10 GC-matched negatives each, each peak copied " + std::to_string(kCopies) +
                           " times, then the rows split at random (60 / 20 / 20)";
      d.check = "overlap";
      train_only();
      break;
    }
    case Pitfall::kDistribution: {
      // Every tile, split by chromosome; the pitfall keeps only chr3's GC-rich tiles as
      // the test (as a test chromosome or a region type unlike the training genome would).
      EPIBOOK_ASSIGN_OR_RETURN(const RegionSet tiles, choose(g, region_options(RegionMode::kTiling, 1, 20)));
      for (const ChosenWindow& w : tiles.windows) {
        if (!fixed && w.split == Split::kTest && !(w.gc >= kGcRichTest)) continue;
        d.rows.add(w, w.split);
      }
      d.text = std::string("every 200 bp tile, split by chromosome; test: ") +
               (fixed ? "every tile of chr3" : "chr3's tiles with GC of 0.45 or more");
      d.check = "gc";
      train_only();
      break;
    }
  }
  return d;
}

}  // namespace

const char* pitfall_name(Pitfall pitfall) { return kNames[static_cast<size_t>(pitfall)]; }

Result<Pitfall> parse_pitfall(const std::string& name) {
  for (size_t i = 0; i < kNames.size(); ++i) {
    if (name == kNames[i]) return static_cast<Pitfall>(i);
  }
  return invalid_argument("pitfall: \"" + name + "\" is not one of " + pitfall_names());
}

std::string pitfall_names() {
  std::string names;
  for (const char* n : kNames) names += (names.empty() ? "" : ", ") + std::string(n);
  return names;
}

void KmerModel::fit(const std::vector<std::string>& sequences, const std::vector<int8_t>& labels,
                    const std::vector<uint8_t>& fitted_on) {
  const size_t codes = size_t{1} << (2 * k_);
  peak_counts_.assign(codes, 0);
  background_counts_.assign(codes, 0);
  double peak_total = 0, background_total = 0;
  for (size_t i = 0; i < sequences.size(); ++i) {
    if (!fitted_on[i] || labels[i] < 0) continue;
    std::vector<uint32_t>& counts = labels[i] == 1 ? peak_counts_ : background_counts_;
    double& total = labels[i] == 1 ? peak_total : background_total;
    for_each_canonical_kmer(sequences[i], k_, [&](uint64_t code) {
      ++counts[code];
      total += 1;
    });
  }
  // Laplace smoothing: one pseudo-count per canonical code (about half of all codes are
  // canonical; the constant cancels in every comparison of windows).
  peak_log_total_ = std::log(peak_total + static_cast<double>(codes) / 2);
  background_log_total_ = std::log(background_total + static_cast<double>(codes) / 2);
}

double KmerModel::score(const std::string& sequence) const {
  double sum = 0;
  uint64_t n = 0;
  for_each_canonical_kmer(sequence, k_, [&](uint64_t code) {
    sum += std::log((peak_counts_[code] + 1.0) / (background_counts_[code] + 1.0));
    ++n;
  });
  return n ? sum / static_cast<double>(n) - (peak_log_total_ - background_log_total_) : 0.0;
}

Result<PitfallSide> run_pitfall_side(const PitfallGenome& genome, Pitfall pitfall, bool fixed) {
  EPIBOOK_ASSIGN_OR_RETURN(Design d, design_of(genome, pitfall, fixed));
  const Rows& rows = d.rows;
  std::vector<std::string> sequences;
  sequences.reserve(rows.windows.size());
  for (const Region& r : rows.windows) {
    EPIBOOK_ASSIGN_OR_RETURN(std::string s, genome.genome->fetch(r, LetterCase::kUpper));
    sequences.push_back(std::move(s));
  }
  KmerModel model;
  model.fit(sequences, rows.labels, d.fitted_on);
  std::vector<float> scores;
  scores.reserve(sequences.size());
  for (const std::string& s : sequences) scores.push_back(static_cast<float>(model.score(s)));

  PitfallSide side;
  side.design = d.text;
  side.data.windows = rows.windows;
  side.data.splits = rows.splits;
  side.data.labels = rows.labels;
  for (size_t i = 0; i < rows.windows.size(); ++i) side.data.lines.push_back(i + 1);
  side.gc = rows.gc;
  AuditInputs inputs;
  inputs.data = side.data;
  AuditOptions options;
  inputs.sequence = sequence_features(sequences, options.minhash);
  // The record of what the counts were fitted on, as a pipeline would write it beside them.
  const std::string record = std::string(R"({"tool": "pitfalls lab", "statistics": {"name": "8-mer counts", "fitted_on": ")") +
                             d.fitted_on_name + "\"}}";
  EPIBOOK_ASSIGN_OR_RETURN(NormalisationDocument document, parse_normalisation_document(record, "kmer-counts.json"));
  inputs.normalisation.push_back(std::move(document));
  EPIBOOK_ASSIGN_OR_RETURN(side.report, audit_splits(inputs, options));
  side.flagged_check = d.check;
  if (const AuditCheck* check = side.report.find(d.check)) {
    side.level = check->level;
    side.finding = check->summary;
  }
  side.validation = score_split(rows, scores, Split::kValidation);
  side.test = score_split(rows, scores, Split::kTest);
  return side;
}

}  // namespace epibook::labs
