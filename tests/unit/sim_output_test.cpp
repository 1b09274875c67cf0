// The simulator's outputs checked against its own truth file: planted motifs are in
// the FASTA where truth.json says, GC follows the planned segments, CpGs decay outside
// islands, peak heights follow the planted contributions, the GC bias confounds the
// signal only when switched on, depth scales the counts, reads carry realistic quality
// and errors, and ChIP-seq treatment reads pile up in the truth peaks. Small genomes,
// run natively and in wasm.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "epibook/bed.h"
#include "epibook/bigwig.h"
#include "epibook/fasta.h"
#include "epibook/fastq.h"
#include "epibook/sim.h"
#include "support/test_support.h"

namespace epibook {
namespace {

using nlohmann::json;

SimOptions small_options() {
  SimOptions options;
  options.chromosome_lengths = {120'000, 80'000};
  options.isochore_mean_length = 40'000;
  options.fastq_reads = 400;
  options.chip_reads = 6'000;
  options.control_reads = 6'000;
  return options;
}

std::string simulate_into(const std::string& name, const SimOptions& options) {
  const std::string dir = testing::scratch_dir(name);
  Result<SimSummary> summary = simulate(options, dir);
  EXPECT_TRUE(summary.is_ok()) << summary.status().message();
  return dir;
}

json read_truth(const std::string& dir) { return json::parse(testing::read_file(dir + "/truth.json")); }

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= static_cast<double>(x.size());
  my /= static_cast<double>(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

double gc_fraction(std::string_view bases) {
  double gc = 0;
  for (char c : bases) gc += (c == 'G' || c == 'C') ? 1 : 0;
  return gc / static_cast<double>(bases.size());
}

// The mean count within 50 bp of a truth peak's summit (four 25 bp bins).
double mean_near_summit(const BigWigReader& track, const json& peak) {
  const uint64_t summit = peak["summit"];
  const std::vector<float> values = *track.values({peak["chrom"], summit - 50, summit + 50});
  double sum = 0;
  for (float v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

// Each bin's count beside the GC of the fragment-sized window around it.
void counts_and_gc(const std::string& dir, const SimOptions& options, std::vector<double>& counts,
                   std::vector<double>& gc) {
  Result<FastaReader> fasta = FastaReader::open(dir + "/genome.fa");
  Result<BigWigReader> track = BigWigReader::open(dir + "/celltypeA.bw");
  ASSERT_TRUE(fasta.is_ok() && track.is_ok());
  const std::string chr1 = *fasta->fetch({"chr1", 0, options.chromosome_lengths[0]});
  std::vector<float> values = *track->values({"chr1", 0, options.chromosome_lengths[0]});
  for (uint64_t start = 200; start + 225 < chr1.size(); start += options.bin_size) {
    counts.push_back(values[start]);
    gc.push_back(gc_fraction(std::string_view(chr1).substr(start + 12 - 100, 200)));
  }
}

TEST(SimOutput, PlantedMotifs_ArePresentAtTheirTruthPositions) {
  const SimOptions options = small_options();
  const std::string dir = simulate_into("sim_motifs", options);
  const json truth = read_truth(dir);
  Result<FastaReader> fasta = FastaReader::open(dir + "/genome.fa");
  ASSERT_TRUE(fasta.is_ok()) << fasta.status().message();
  const std::vector<Pwm> motifs = default_motifs();
  ASSERT_GT(truth["planted_motifs"].size(), 40u);
  for (const json& site : truth["planted_motifs"]) {
    const Region where{site["chrom"], site["start"], site["end"]};
    const std::string bases = *fasta->fetch(where);
    EXPECT_EQ(bases, site["bases"].get<std::string>()) << format_region(where);
    // The score is the PWM's on the motif's own strand.
    std::string motif_strand = bases;
    if (site["strand"] == "-") {
      motif_strand.assign(bases.rbegin(), bases.rend());
      for (char& c : motif_strand) c = c == 'A' ? 'T' : c == 'C' ? 'G' : c == 'G' ? 'C' : 'A';
    }
    const auto motif = std::find_if(motifs.begin(), motifs.end(), [&](const Pwm& p) { return p.name == site["motif"]; });
    ASSERT_NE(motif, motifs.end());
    EXPECT_NEAR(pwm_match_score(*motif, motif_strand), site["score"].get<double>(), 1e-5);
  }
}

TEST(SimOutput, GcOfEachSegment_IsNearItsTarget_AndCpgsDecayOutsideIslands) {
  SimOptions options = small_options();
  options.cpg_islands_per_mb = 40;
  const std::string dir = simulate_into("sim_gc", options);
  const json truth = read_truth(dir);
  Result<FastaReader> fasta = FastaReader::open(dir + "/genome.fa");
  ASSERT_TRUE(fasta.is_ok());
  std::vector<bool> in_island;
  int checked = 0;
  for (const json& segment : truth["gc_segments"]) {
    const Region where{segment["chrom"], segment["start"], segment["end"]};
    if (where.length() < 10'000) continue;
    const std::string bases = *fasta->fetch(where);
    // Leave the islands out: they have their own GC.
    std::string outside;
    uint64_t position = where.start;
    for (char c : bases) {
      bool island = false;
      for (const json& i : truth["cpg_islands"]) {
        island = island || (i["chrom"] == where.chrom && position >= i["start"] && position < i["end"]);
      }
      if (!island) outside.push_back(c);
      ++position;
    }
    EXPECT_NEAR(gc_fraction(outside), segment["gc"].get<double>(), 0.015) << format_region(where);
    ++checked;
  }
  EXPECT_GE(checked, 3);

  // CpG observed / expected: about 1 in islands, depleted (by the decay) elsewhere.
  auto cpg_ratio = [](const std::string& s) {
    double c = 0, g = 0, cg = 0;
    for (size_t i = 0; i < s.size(); ++i) {
      c += s[i] == 'C';
      g += s[i] == 'G';
      if (i + 1 < s.size()) cg += s[i] == 'C' && s[i + 1] == 'G';
    }
    return cg * static_cast<double>(s.size()) / (c * g);
  };
  ASSERT_GT(truth["cpg_islands"].size(), 2u);
  std::string islands;
  for (const json& i : truth["cpg_islands"]) islands += *fasta->fetch({i["chrom"], i["start"], i["end"]});
  EXPECT_GT(cpg_ratio(islands), 0.85);
  EXPECT_GT(gc_fraction(islands), 0.6);
  EXPECT_LT(cpg_ratio(*fasta->fetch({"chr2", 0, 80'000})), 0.45);
}

TEST(SimOutput, PeakHeights_FollowThePlantedContributions) {
  const SimOptions options = small_options();
  const std::string dir = simulate_into("sim_peaks", options);
  const json truth = read_truth(dir);
  Result<BigWigReader> track = BigWigReader::open(dir + "/celltypeA.bw");
  ASSERT_TRUE(track.is_ok()) << track.status().message();
  std::vector<double> observed, planted;
  for (const json& effect : truth["effects"]) {
    if (effect["cell_type"] != "celltypeA") continue;
    observed.push_back(mean_near_summit(*track, effect["peak"]));
    planted.push_back(effect["contribution"]);
  }
  ASSERT_GT(observed.size(), 15u);
  EXPECT_GT(pearson(observed, planted), 0.7);
  // Away from every peak, only background remains.
  double mean = 0;
  const std::vector<float> quiet = *track->values({"chr1", 0, 120'000});
  std::vector<bool> near_peak(quiet.size(), false);
  for (const json& effect : truth["effects"]) {
    if (effect["peak"]["chrom"] != "chr1") continue;
    for (uint64_t p = effect["peak"]["start"].get<uint64_t>() - 120; p < effect["peak"]["end"].get<uint64_t>() + 120 && p < quiet.size(); ++p) near_peak[p] = true;
  }
  double bases = 0;
  for (size_t p = 0; p < quiet.size(); ++p) {
    if (!near_peak[p]) mean += quiet[p], ++bases;
  }
  EXPECT_NEAR(mean / bases, options.background, 0.15 * options.background);
  // narrowPeak files list the planted peaks of each cell type.
  Result<std::vector<BedRecord>> peaks = read_bed(dir + "/celltypeA.narrowPeak");
  ASSERT_TRUE(peaks.is_ok()) << peaks.status().message();
  EXPECT_EQ(peaks->size(), planted.size());
}

TEST(SimOutput, GcBias_MakesSignalFollowGc_OnlyWhenSwitchedOn) {
  SimOptions options = small_options();
  options.fastq_reads = 0;
  options.chip_reads = 0;
  options.motif_sites_per_mb = 0;  // background only: any GC correlation is the bias
  std::vector<double> counts_off, gc_off, counts_on, gc_on;
  counts_and_gc(simulate_into("sim_gc_off", options), options, counts_off, gc_off);
  options.gc_bias = 1.0;
  counts_and_gc(simulate_into("sim_gc_on", options), options, counts_on, gc_on);
  ASSERT_GT(counts_off.size(), 4'000u);
  EXPECT_LT(std::fabs(pearson(counts_off, gc_off)), 0.05);
  EXPECT_GT(pearson(counts_on, gc_on), 0.25);
}

// With a steep slope a domain is open exactly when its segment is GC-richer than the
// middle of the range (by more than 0.6 / slope), closed when poorer; with 0, openness
// ignores GC. Read back from truth.json's segments and open domains.
TEST(SimOutput, AccessibleGcSlope_OpensTheGcRichDomains_OnlyWhenSwitchedOn) {
  SimOptions options = small_options();
  options.fastq_reads = 0;
  options.chip_reads = 0;
  options.isochore_mean_length = 30'000;
  options.accessible_domain_length = 5'000;
  auto open_and_gc = [&](const std::string& name, std::vector<double>& open, std::vector<double>& gc) {
    const json truth = read_truth(simulate_into(name, options));
    for (const json& segment : truth["gc_segments"]) {
      for (uint64_t start = 0; start < 200'000; start += options.accessible_domain_length) {
        if (segment["chrom"] != "chr1" || start < segment["start"].get<uint64_t>() || start >= segment["end"].get<uint64_t>()) continue;
        bool is_open = false;
        for (const json& run : truth["cell_types"][0]["open_domains"]) {
          if (run[0] == "chr1" && run[1].get<uint64_t>() <= start && start < run[2].get<uint64_t>()) is_open = true;
        }
        open.push_back(is_open ? 1 : 0);
        gc.push_back(segment["gc"].get<double>());
      }
    }
  };
  std::vector<double> open_off, gc_off, open_on, gc_on;
  open_and_gc("sim_open_gc_off", open_off, gc_off);
  options.accessible_gc_slope = 100;
  open_and_gc("sim_open_gc_on", open_on, gc_on);
  ASSERT_EQ(open_on.size(), 24u);  // chr1's 120 kb in 5 kb domains
  const double middle = (options.gc_low + options.gc_high) / 2;
  size_t decided = 0;
  for (size_t i = 0; i < open_on.size(); ++i) {
    if (gc_on[i] > middle + 0.004) EXPECT_EQ(open_on[i], 1) << "domain " << i << " gc " << gc_on[i];
    if (gc_on[i] < middle - 0.006) EXPECT_EQ(open_on[i], 0) << "domain " << i << " gc " << gc_on[i];
    decided += std::fabs(gc_on[i] - middle) > 0.006 ? 1 : 0;
  }
  EXPECT_GT(decided, 12u);
  EXPECT_GT(pearson(open_on, gc_on), 0.6);
  EXPECT_LT(pearson(open_off, gc_off), 0.6);
}

TEST(SimOutput, Depths_ScaleTheCountsOfOneExperiment) {
  SimOptions options = small_options();
  options.depths = {1.0, 0.25};
  options.fastq_reads = 0;
  options.chip_reads = 0;
  const std::string dir = simulate_into("sim_depths", options);
  ASSERT_EQ(sim_track_files(options)[0], "celltypeA.depth1x.bw");
  ASSERT_EQ(sim_track_files(options)[1], "celltypeA.depth0.25x.bw");
  Result<BigWigReader> deep = BigWigReader::open(dir + "/celltypeA.depth1x.bw");
  Result<BigWigReader> shallow = BigWigReader::open(dir + "/celltypeA.depth0.25x.bw");
  ASSERT_TRUE(deep.is_ok() && shallow.is_ok());
  const double ratio = deep->header().summary.sum / shallow->header().summary.sum;
  EXPECT_NEAR(ratio, 4.0, 0.2);
  // Same peaks: the summits of the deep track are high where the shallow one's are.
  const json truth = read_truth(dir);
  std::vector<double> at_deep, at_shallow;
  for (const json& effect : truth["effects"]) {
    if (effect["cell_type"] != "celltypeA") continue;
    at_deep.push_back(mean_near_summit(*deep, effect["peak"]));
    at_shallow.push_back(mean_near_summit(*shallow, effect["peak"]));
  }
  EXPECT_GT(pearson(at_deep, at_shallow), 0.5);
}

// Replicates share the expected counts and nothing else: away from peaks (where the
// expected count is the constant background) the two replicates are uncorrelated and
// their difference has the variance of two independent negative binomials,
// 2 (mu + mu^2 / dispersion); at the summits they agree.
TEST(SimOutput, Replicates_ShareTheExpectedCounts_WithIndependentNoise) {
  SimOptions options = small_options();
  options.replicates = 2;
  options.fastq_reads = 0;
  options.chip_reads = 0;
  const std::string dir = simulate_into("sim_replicates", options);
  ASSERT_EQ(sim_track_files(options).size(), 2u * options.cell_types);
  ASSERT_EQ(sim_track_files(options)[0], "celltypeA.rep1.bw");
  ASSERT_EQ(sim_track_files(options)[1], "celltypeA.rep2.bw");
  Result<BigWigReader> one = BigWigReader::open(dir + "/celltypeA.rep1.bw");
  Result<BigWigReader> two = BigWigReader::open(dir + "/celltypeA.rep2.bw");
  ASSERT_TRUE(one.is_ok() && two.is_ok());
  EXPECT_NEAR(one->header().summary.sum / two->header().summary.sum, 1.0, 0.03);

  const json truth = read_truth(dir);
  const std::vector<float> a = *one->values({"chr1", 0, 120'000});
  const std::vector<float> b = *two->values({"chr1", 0, 120'000});
  std::vector<bool> near_peak(a.size(), false);
  for (const json& effect : truth["effects"]) {
    if (effect["peak"]["chrom"] != "chr1") continue;
    const uint64_t from = effect["peak"]["start"].get<uint64_t>();
    for (uint64_t p = from > 300 ? from - 300 : 0; p < effect["peak"]["end"].get<uint64_t>() + 300 && p < a.size(); ++p) {
      near_peak[p] = true;
    }
  }
  std::vector<double> quiet_a, quiet_b;
  double differences = 0, squares = 0;
  for (size_t p = 0; p < a.size(); p += options.bin_size) {  // one value per bin
    if (near_peak[p]) continue;
    quiet_a.push_back(a[p]);
    quiet_b.push_back(b[p]);
    differences += a[p] - b[p];
    squares += (a[p] - b[p]) * (a[p] - b[p]);
  }
  ASSERT_GT(quiet_a.size(), 2'000u);
  const double n = static_cast<double>(quiet_a.size());
  const double variance = squares / n - (differences / n) * (differences / n);
  const double mu = options.background;
  EXPECT_NEAR(variance, 2.0 * (mu + mu * mu / options.dispersion), 0.1 * 2.0 * (mu + mu * mu / options.dispersion));
  EXPECT_LT(std::fabs(pearson(quiet_a, quiet_b)), 0.06);
  EXPECT_NE(quiet_a, quiet_b);

  std::vector<double> at_one, at_two;
  for (const json& effect : truth["effects"]) {
    if (effect["cell_type"] != "celltypeA") continue;
    at_one.push_back(mean_near_summit(*one, effect["peak"]));
    at_two.push_back(mean_near_summit(*two, effect["peak"]));
  }
  EXPECT_GT(pearson(at_one, at_two), 0.7);
}

// The expected-count track is the truth the replicates sample: away from peaks it is
// exactly depth x background; everywhere, each replicate's count minus it has mean 0 and
// the negative binomial's variance mu + mu^2 / dispersion (standardised: mean 0, variance
// 1), and the mean over the replicates tracks it closely at the summits.
TEST(SimOutput, ExpectedTrack_IsTheMeanTheReplicatesSample) {
  SimOptions options = small_options();
  options.replicates = 4;
  options.write_expected = true;
  options.depths = {0.5};
  options.fastq_reads = 0;
  options.chip_reads = 0;
  const std::string dir = simulate_into("sim_expected", options);
  ASSERT_EQ(sim_expected_files(options).size(), options.cell_types);
  ASSERT_EQ(sim_expected_files(options)[0], "celltypeA.expected.bw");
  Result<BigWigReader> truth_track = BigWigReader::open(dir + "/celltypeA.expected.bw");
  ASSERT_TRUE(truth_track.is_ok()) << truth_track.status().message();
  const std::vector<float> mu = *truth_track->values({"chr1", 0, 120'000});
  std::vector<std::vector<float>> reps;
  for (int r = 1; r <= 4; ++r) {
    Result<BigWigReader> rep = BigWigReader::open(dir + "/celltypeA.rep" + std::to_string(r) + ".bw");
    ASSERT_TRUE(rep.is_ok());
    reps.push_back(*rep->values({"chr1", 0, 120'000}));
  }
  const double background = 0.5 * options.background;
  uint64_t at_background = 0;
  double z_sum = 0, z_squares = 0, n = 0;
  std::vector<double> high_mu, high_mean;
  for (size_t p = 0; p < mu.size(); p += options.bin_size) {
    if (mu[p] == static_cast<float>(background)) ++at_background;
    ASSERT_GE(mu[p], static_cast<float>(background) * 0.999f);
    const double variance = mu[p] + double(mu[p]) * mu[p] / options.dispersion;
    double mean = 0;
    for (const auto& rep : reps) {
      const double z = (rep[p] - mu[p]) / std::sqrt(variance);
      z_sum += z;
      z_squares += z * z;
      n += 1;
      mean += rep[p] / 4.0;
    }
    if (mu[p] > 5 * background) {
      high_mu.push_back(mu[p]);
      high_mean.push_back(mean);
    }
  }
  EXPECT_GT(at_background, mu.size() / options.bin_size / 2);
  EXPECT_NEAR(z_sum / n, 0.0, 0.02);
  EXPECT_NEAR(z_squares / n, 1.0, 0.05);
  ASSERT_GT(high_mu.size(), 50u);
  EXPECT_GT(pearson(high_mu, high_mean), 0.8);
}

TEST(SimOutput, FastqReads_HaveDecayingQualityAndErrorsAtTheStatedRate) {
  const SimOptions options = small_options();
  const std::string dir = simulate_into("sim_fastq", options);
  Result<std::vector<FastqRecord>> reads = read_fastq(dir + "/reads.fastq.gz");
  ASSERT_TRUE(reads.is_ok()) << reads.status().message();
  ASSERT_EQ(reads->size(), options.fastq_reads);
  const QualitySummary summary = summarize_quality(*reads);
  EXPECT_GT(summary.positions[10].mean, 33);
  EXPECT_LT(summary.positions[99].mean, 26);
  EXPECT_GT(summary.positions[10].mean - summary.positions[99].mean, 8);
  // Compare each read with the genome it came from ("chr1:start-end:strand").
  Result<FastaReader> fasta = FastaReader::open(dir + "/genome.fa");
  ASSERT_TRUE(fasta.is_ok());
  double expected_errors = 0, errors = 0;
  for (const FastqRecord& read : *reads) {
    const std::string origin = read.name.substr(read.name.find(' ') + 1);
    const char strand = origin.back();
    Result<Region> region = parse_region(origin.substr(0, origin.size() - 2));
    ASSERT_TRUE(region.is_ok()) << origin;
    std::string truth = *fasta->fetch(*region);
    if (strand == '-') {
      truth.assign(truth.rbegin(), truth.rend());
      for (char& c : truth) c = c == 'A' ? 'T' : c == 'C' ? 'G' : c == 'G' ? 'C' : 'A';
    }
    for (size_t i = 0; i < truth.size(); ++i) {
      errors += truth[i] != read.sequence[i];
      expected_errors += phred_error_probability(read.quality[i]);
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_NEAR(errors / expected_errors, 1.0, 0.15) << "errors " << errors << ", stated " << expected_errors;
}

TEST(SimOutput, ChipseqTreatmentReads_PileUpInTheTruthPeaks) {
  SimOptions options = small_options();
  options.chip_sticky_per_mb = 0;
  const std::string dir = simulate_into("sim_chip", options);
  Result<std::vector<BedRecord>> truth = read_bed(dir + "/chipseq/truth_peaks.bed");
  Result<std::vector<BedRecord>> treat = read_bed(dir + "/chipseq/treat.bed");
  Result<std::vector<BedRecord>> control = read_bed(dir + "/chipseq/control.bed");
  ASSERT_TRUE(truth.is_ok() && treat.is_ok() && control.is_ok());
  EXPECT_NEAR(static_cast<double>(treat->size()), 6'000, 300);
  EXPECT_EQ(control->size(), 6'000u);
  auto fraction_in_peaks = [&](const std::vector<BedRecord>& reads) {
    double inside = 0;
    for (const BedRecord& read : reads) {
      for (const BedRecord& peak : *truth) {
        // The fragment's middle: reads are its first bases on +, its last on -.
        const uint64_t half = options.fragment_length / 2;
        const uint64_t middle = read.strand == '+' ? read.region.start + half : read.region.end - half;
        if (read.region.chrom == peak.region.chrom && middle >= peak.region.start && middle < peak.region.end) {
          inside += 1;
          break;
        }
      }
    }
    return inside / static_cast<double>(reads.size());
  };
  EXPECT_GT(fraction_in_peaks(*treat), 3 * fraction_in_peaks(*control));
}

// Sticky regions stand for amplified or repeated DNA: treatment and control both hold
// about `enrichment` times the background's fragment density there, away from any peak.
TEST(SimOutput, StickyRegions_RaiseTreatmentAndControlAlikeAwayFromPeaks) {
  SimOptions options = small_options();
  options.chromosome_lengths = {400'000, 200'000};
  options.chip_sticky_per_mb = 10;
  const std::string dir = simulate_into("sim_sticky", options);
  Result<std::vector<BedRecord>> sticky = read_bed(dir + "/chipseq/sticky_regions.bed");
  Result<std::vector<BedRecord>> truth = read_bed(dir + "/chipseq/truth_peaks.bed");
  ASSERT_TRUE(sticky.is_ok() && truth.is_ok());
  ASSERT_EQ(sticky->size(), 6u) << "10 per Mb over 600 kb";
  for (const BedRecord& region : *sticky) {
    EXPECT_EQ(region.region.length(), options.chip_sticky_length);
    for (const BedRecord& peak : *truth) {
      EXPECT_FALSE(peak.region.chrom == region.region.chrom && peak.region.start < region.region.end &&
                   region.region.start < peak.region.end)
          << format_region(region.region) << " overlaps the planted peak " << format_region(peak.region);
    }
  }
  const double genome = 600'000;
  for (const char* file : {"treat.bed", "control.bed"}) {
    Result<std::vector<BedRecord>> reads = read_bed(dir + "/chipseq/" + file);
    ASSERT_TRUE(reads.is_ok());
    // Fragment middles inside the regions, against the density expected from background alone.
    double inside = 0;
    for (const BedRecord& read : *reads) {
      const uint64_t half = options.fragment_length / 2;
      const uint64_t middle = read.strand == '+' ? read.region.start + half : read.region.end - half;
      for (const BedRecord& region : *sticky) {
        if (read.region.chrom == region.region.chrom && middle >= region.region.start && middle < region.region.end) inside += 1;
      }
    }
    const double background = std::string(file) == "treat.bed" ? options.chip_reads * (1 - options.chip_fraction_in_peaks)
                                                                : static_cast<double>(options.control_reads);
    const double expected_background = background / genome * options.chip_sticky_length * sticky->size();
    EXPECT_NEAR(inside / expected_background, options.chip_sticky_enrichment, 0.8) << file;
  }
}

TEST(SimOutput, BadOptions_AreRefusedNamingTheOption) {
  SimOptions options = small_options();
  options.gc_low = 0.6;
  options.gc_high = 0.5;
  Result<SimSummary> result = simulate(options, testing::scratch_dir("sim_bad"));
  ASSERT_FALSE(result.is_ok());
  EXPECT_EQ(result.status().message(), "simulation option gc_high is 0.5; it must be between 0.6 and 1");
  options = small_options();
  options.depths = {1.0, 1.0};
  EXPECT_FALSE(validate(options).is_ok());
  options = small_options();
  options.accessible_gc_slope = 1000;
  EXPECT_EQ(validate(options).message(), "simulation option accessible_gc_slope is 1000; it must be between -100 and 100");
  EXPECT_EQ(sim_preset("huge").status().message(), "unknown simulation preset 'huge' (known: toy, chapter, genome200)");
}

}  // namespace
}  // namespace epibook
