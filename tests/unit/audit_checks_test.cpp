// The auditor's building blocks (audit.h): reading split windows, cross-split contacts
// held to a brute-force search, MinHash sketches held to exact k-mer Jaccard, the KS
// statistic and its p-value, and normalisation records.
#include <gtest/gtest.h>

#include <cmath>

#include "audit_test_genome.h"
#include "epibook/audit.h"
#include "epibook/statistics.h"

namespace epibook {
namespace {

TEST(ParseSplitWindows, ReadsSplitAndOptionalLabelColumns) {
  auto labelled = parse_split_windows("# made by hand\nchr1\t0\t100\ttrain\t1\nchr1\t100\t200\tval\t0\n"
                                      "chr2\t5\t10\ttest\t-1\n", "w.bed");
  ASSERT_TRUE(labelled.is_ok()) << labelled.status().message();
  EXPECT_EQ(labelled->windows.size(), 3u);
  EXPECT_EQ(labelled->splits, (std::vector<Split>{Split::kTrain, Split::kValidation, Split::kTest}));
  EXPECT_EQ(labelled->labels, (std::vector<int8_t>{1, 0, -1}));
  auto unlabelled = parse_split_windows("chr1\t0\t100\ttrain\n", "windows.bed");  // epibook prep's layout
  ASSERT_TRUE(unlabelled.is_ok());
  EXPECT_TRUE(unlabelled->labels.empty());
}

TEST(ParseSplitWindows, ErrorsNameTheSourceLineAndProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {"chr1\t0\t100\ttrain\nchr1\t0\t100\tholdout\n", "w.bed: line 2: split 'holdout' is not train, validation or test"},
      {"chr1\t0\t100\n", "w.bed: line 1: expected chrom, start, end and split in tab-separated columns"},
      {"chr1\t100\t50\ttest\n", "w.bed: line 1: end 50 is not after start 100"},
      {"chr1\t1e3\t2000\ttest\n", "w.bed: line 1: start '1e3' is not a whole number"},
      {"chr1\t0\t100\ttrain\t1\nchr1\t100\t200\ttest\n", "w.bed: line 2: has no label column but earlier lines do"},
      {"chr1\t0\t100\ttrain\t2\n", "w.bed: line 1: label '2' is not 1 (peak), 0 (background) or -1 (no data)"},
      {"# nothing\n", "w.bed: no windows"},
  };
  for (const auto& [text, message] : cases) {
    auto parsed = parse_split_windows(text, "w.bed");
    ASSERT_FALSE(parsed.is_ok()) << text;
    EXPECT_EQ(parsed.status().message(), message);
  }
}

TEST(ParseSplitWindows, MutatedTextNeverCrashesAndErrorsNameTheLine) {
  const std::string valid = "chr1\t0\t100\ttrain\t1\nchr1\t100\t200\tvalidation\t0\nchr2\t5\t10\ttest\t-1\n";
  CounterRng rng(3);
  int refused = 0;
  for (int round = 0; round < 500; ++round) {
    const std::string text = testing::mutate_text(valid, "\t\n-0159abt#", rng);
    auto parsed = parse_split_windows(text, "w.bed");
    if (parsed.is_ok()) continue;
    ++refused;
    const std::string& m = parsed.status().message();
    EXPECT_TRUE(m.rfind("w.bed: line ", 0) == 0 || m == "w.bed: no windows") << m;
  }
  EXPECT_GT(refused, 100);
}

// Every cross-split pair, by comparing all pairs.
std::pair<uint64_t, uint64_t> brute_force_contacts(const SplitWindows& data, uint64_t adjacency) {
  uint64_t overlapping = 0, adjacent = 0;
  for (size_t i = 0; i < data.windows.size(); ++i) {
    bool overlaps = false, near = false;
    for (size_t j = 0; j < data.windows.size(); ++j) {
      const Region &a = data.windows[i], &b = data.windows[j];
      if (i == j || data.splits[i] == data.splits[j] || a.chrom != b.chrom) continue;
      if (a.start < b.end && b.start < a.end) overlaps = true;
      else if ((b.start >= a.end ? b.start - a.end : a.start - b.end) <= adjacency) near = true;
    }
    overlapping += overlaps;
    adjacent += !overlaps && near;
  }
  return {overlapping, adjacent};
}

TEST(CrossSplitContacts, AgreeWithComparingEveryPair) {
  CounterRng rng(12);
  for (int round = 0; round < 40; ++round) {
    SplitWindows data;
    const int n = 5 + static_cast<int>(rng.next_below(60));
    for (int i = 0; i < n; ++i) {
      const uint64_t start = rng.next_below(5000), length = 1 + rng.next_below(400);
      data.windows.push_back(Region{rng.next_below(3) == 0 ? "chr2" : "chr1", start, start + length});
      data.splits.push_back(static_cast<Split>(rng.next_below(3)));
    }
    const uint64_t adjacency = rng.next_below(3) * 50;
    const ContactFindings found = find_cross_split_contacts(data, adjacency, 1000);
    const auto [overlapping, adjacent] = brute_force_contacts(data, adjacency);
    EXPECT_EQ(found.overlapping_windows, overlapping) << "round " << round;
    EXPECT_EQ(found.adjacent_windows, adjacent) << "round " << round;
    for (const SplitContact& c : found.examples) {
      EXPECT_LT(c.first, c.second);
      EXPECT_NE(data.splits[c.first], data.splits[c.second]);
    }
  }
}

TEST(MinHash, ReverseComplementHasTheSameSketch) {
  CounterRng rng(1);
  const std::string sequence = testing::random_bases(rng, 2000, 0.4);
  const MinHashOptions options;
  EXPECT_EQ(minhash_sketch(sequence, options), minhash_sketch(testing::reverse_complement(sequence), options));
  EXPECT_DOUBLE_EQ(exact_kmer_jaccard(sequence, testing::reverse_complement(sequence), 21), 1.0);
}

TEST(MinHash, EstimateFollowsTheExactJaccard) {
  CounterRng rng(2);
  const MinHashOptions options;
  for (size_t shared : {200u, 500u, 800u, 1000u}) {
    const std::string a = testing::random_bases(rng, 1000, 0.5);
    const std::string b = a.substr(0, shared) + testing::random_bases(rng, 1000 - shared, 0.5);
    const double exact = exact_kmer_jaccard(a, b, options.k);
    const double estimate = estimated_jaccard(minhash_sketch(a, options), minhash_sketch(b, options));
    // 128 hashes: standard error at most 0.045.
    EXPECT_NEAR(estimate, exact, 0.15) << shared << " bases shared";
  }
}

TEST(MinHash, SkipsKmersWithNAndGivesAnEmptySketchWithoutAny) {
  const MinHashOptions options;
  EXPECT_TRUE(minhash_sketch(std::string(500, 'N'), options).empty());
  EXPECT_TRUE(minhash_sketch("ACGTACGT", options).empty());  // shorter than k
  EXPECT_EQ(estimated_jaccard({}, {}), 0.0);
  CounterRng rng(4);
  const std::string a = testing::random_bases(rng, 300, 0.5);
  std::string b = a;
  b[150] = 'N';  // removes the 21 k-mers over it, nothing else
  EXPECT_NEAR(exact_kmer_jaccard(a, b, 21), 259.0 / 280.0, 1e-12);
}

TEST(MinHash, OptionsAreChecked) {
  MinHashOptions options;
  options.k = 33;
  EXPECT_FALSE(validate_minhash_options(options).is_ok());
  options = MinHashOptions{};
  options.hashes = 100;  // not a multiple of 32 bands
  EXPECT_FALSE(validate_minhash_options(options).is_ok());
  options = MinHashOptions{};
  options.jaccard = 0;
  EXPECT_FALSE(validate_minhash_options(options).is_ok());
}

TEST(CrossSplitDuplicates, OnlyPairsInDifferentSplitsAndApartOnTheGenomeCount) {
  CounterRng rng(6);
  const std::string repeat = testing::random_bases(rng, 1000, 0.5);
  const std::vector<std::string> sequences = {repeat, repeat, testing::random_bases(rng, 1000, 0.5), repeat};
  const MinHashOptions options;
  const SequenceFeatures features = sequence_features(sequences, options);
  const std::vector<Split> same = {Split::kTrain, Split::kTrain, Split::kTest, Split::kTrain};
  EXPECT_EQ(find_cross_split_duplicates(features.sketches, same, {}, options).windows_with_duplicate, 0u);
  const std::vector<Split> split = {Split::kTrain, Split::kTrain, Split::kTest, Split::kTest};
  const DuplicateFindings found = find_cross_split_duplicates(features.sketches, split, {}, options);
  EXPECT_EQ(found.windows_with_duplicate, 3u);
  ASSERT_FALSE(found.examples.empty());
  EXPECT_DOUBLE_EQ(found.examples.front().jaccard, 1.0);
  // The same pair overlapping on the genome is the overlap check's business.
  const std::vector<Region> places = {{"chr1", 0, 1000}, {"chr1", 5000, 6000}, {"chr1", 9000, 10000},
                                      {"chr1", 500, 1500}};
  const DuplicateFindings apart = find_cross_split_duplicates(features.sketches, split, places, options);
  EXPECT_EQ(apart.windows_with_duplicate, 2u);  // windows 1 and 3
}

TEST(KsStatistic, IsTheLargestGapBetweenTheEmpiricalCdfs) {
  EXPECT_DOUBLE_EQ(ks_statistic(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 3}), 0.0);
  EXPECT_DOUBLE_EQ(ks_statistic(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5}), 1.0);
  // scipy.stats.ks_2samp([1,2,3,4], [3,4,5,6,7]).statistic == 0.6
  EXPECT_DOUBLE_EQ(ks_statistic(std::vector<double>{1, 2, 3, 4}, std::vector<double>{3, 4, 5, 6, 7}), 0.6);
  EXPECT_DOUBLE_EQ(ks_statistic(std::vector<double>{1, std::nan(""), 2}, std::vector<double>{1, 2}), 0.0);
  EXPECT_DOUBLE_EQ(ks_statistic(std::vector<double>{}, std::vector<double>{1}), 0.0);
}

TEST(KsPValue, FallsAsTheGapOrTheSamplesGrow) {
  EXPECT_DOUBLE_EQ(ks_p_value(0, 100, 100), 1.0);
  EXPECT_GT(ks_p_value(0.1, 100, 100), 0.5);
  EXPECT_LT(ks_p_value(0.1, 10000, 10000), 1e-10);
  EXPECT_GT(ks_p_value(0.2, 100, 100), ks_p_value(0.3, 100, 100));
  // Kolmogorov's distribution: Q(1.36) = 0.049 (the 5% critical value).
  const double en = std::sqrt(5000.0 * 5000.0 / 10000.0);
  EXPECT_NEAR(ks_p_value(1.358 / (en + 0.12 + 0.11 / en), 5000, 5000), 0.05, 0.001);
}

TEST(NormalisationDocument, RefusesBrokenJsonAndBadFittedOnValues) {
  auto broken = parse_normalisation_document("{\"mean\": ", "stats.json");
  ASSERT_FALSE(broken.is_ok());
  EXPECT_EQ(broken.status().message(), "stats.json: not valid JSON");
  auto bad = parse_normalisation_document(R"({"dnase": {"mean": 1, "fitted_on": 3}})", "stats.json");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().message(),
            "stats.json: /dnase: \"fitted_on\" must be a split name, a list of them or an object");
  auto negative = parse_normalisation_document(R"({"fitted_on": {"windows": [-1]}})", "s.json");
  EXPECT_FALSE(negative.is_ok());
}

TEST(NormalisationDocument, FindsRecordsAtAnyDepthNamedByNameOrPath) {
  auto document = parse_normalisation_document(
      R"({"tool": "loader", "tracks": [{"name": "atac", "mean": 1, "fitted_on": "train"},
          {"std": 2, "fitted_on": {"splits": ["validation"]}}]})",
      "stats.json");
  ASSERT_TRUE(document.is_ok()) << document.status().message();
  EXPECT_EQ(document->tool, "loader");
  ASSERT_EQ(document->records.size(), 2u);
  EXPECT_EQ(document->records[0].name, "atac");
  EXPECT_EQ(document->records[1].name, "/tracks[1]");
  EXPECT_EQ(document->records[1].splits, std::vector<std::string>{"validation"});
}

}  // namespace
}  // namespace epibook
