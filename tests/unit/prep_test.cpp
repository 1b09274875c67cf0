// Preparation for a model: transforms invert, labels follow the threshold and rules,
// windows tile as documented, options check each other, and a dataset built from an
// in-memory track has the targets, labels and counts worked out by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "epibook/prep.h"
#include "epibook/random.h"

namespace epibook {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

TEST(Transform, ArcsinhMatchesDefinitionAndKeepsNaN) {
  std::vector<float> values = {0.0f, 1.0f, 100.0f, -3.0f, kNaN};
  arcsinh_in_place(values);
  EXPECT_FLOAT_EQ(values[0], 0.0f);
  EXPECT_FLOAT_EQ(values[1], static_cast<float>(std::log(1.0 + std::sqrt(2.0))));
  EXPECT_FLOAT_EQ(values[2], static_cast<float>(std::log(100.0 + std::sqrt(100.0 * 100.0 + 1.0))));
  EXPECT_FLOAT_EQ(values[3], static_cast<float>(-std::log(3.0 + std::sqrt(10.0))));
  EXPECT_TRUE(std::isnan(values[4]));
}

TEST(Transform, ArcsinhIsNearlyLinearNearZeroAndCompressesExtremes) {
  std::vector<float> values = {0.01f, 1000.0f};
  arcsinh_in_place(values);
  EXPECT_NEAR(values[0], 0.01f, 1e-6f);
  EXPECT_LT(values[1], 8.0f);  // ln(2000) = 7.6
}

TEST(Transform, TransformThenInverseGivesTheInput) {
  CounterRng rng(3);
  std::vector<float> input(2000);
  for (float& v : input) v = static_cast<float>(rng.next_double() * 300.0);
  input[5] = kNaN;
  for (SignalTransform transform : {SignalTransform::kNone, SignalTransform::kArcsinh, SignalTransform::kLog1p}) {
    std::vector<float> values = input;
    apply_transform(transform, values);
    invert_transform(transform, values);
    for (size_t i = 0; i < input.size(); ++i) {
      if (std::isnan(input[i])) {
        EXPECT_TRUE(std::isnan(values[i]));
        continue;
      }
      EXPECT_NEAR(values[i], input[i], 2e-6 * std::max(1.0f, input[i])) << signal_transform_name(transform);
    }
  }
}

TEST(Transform, NamesParseBackAndUnknownNamesFail) {
  for (SignalTransform t : {SignalTransform::kNone, SignalTransform::kArcsinh, SignalTransform::kLog1p}) {
    auto parsed = parse_signal_transform(signal_transform_name(t));
    ASSERT_TRUE(parsed.is_ok());
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_FALSE(parse_signal_transform("sqrt").is_ok());
  EXPECT_DOUBLE_EQ(invert_transform_value(SignalTransform::kLog1p, transform_value(SignalTransform::kLog1p, 4.0)), 4.0);
}

TEST(Threshold, LabelsPeakAtOrAboveBackgroundBelowMissingForNaN) {
  const std::vector<int8_t> labels = threshold_labels(std::vector<float>{0.5f, 1.5f, 2.0f, kNaN}, 1.5);
  EXPECT_EQ(labels, (std::vector<int8_t>{kBackgroundLabel, kPeakLabel, kPeakLabel, kMissingLabel}));
}

TEST(WindowLabel, RulesDecideAsDocumented) {
  const std::vector<float> bins = {0.1f, 3.0f, 0.2f, kNaN};  // one of three bins with data is a peak
  const std::vector<float> fine = bins;
  const LabelRule any;
  EXPECT_EQ(window_label(bins, fine, 1.0, any), kPeakLabel);
  EXPECT_EQ(window_label(bins, fine, 1.0, LabelRule{LabelRule::Kind::kFractionOfBins, 0.3}), kPeakLabel);
  EXPECT_EQ(window_label(bins, fine, 1.0, LabelRule{LabelRule::Kind::kFractionOfBins, 0.5}), kBackgroundLabel);
  EXPECT_EQ(window_label(bins, fine, 1.0, LabelRule{LabelRule::Kind::kMeanOfBins, 0}), kPeakLabel);  // mean 1.1
  EXPECT_EQ(window_label(bins, fine, 1.2, LabelRule{LabelRule::Kind::kMeanOfBins, 0}), kBackgroundLabel);
  const std::vector<float> no_data = {kNaN, kNaN};
  EXPECT_EQ(window_label(no_data, no_data, 1.0, any), kMissingLabel);
}

TEST(WindowLabel, MaxRuleSeesASummitThatBinAveragingDilutes) {
  const std::vector<float> bins = {0.5f, 0.6f};         // 32 bp means stay below 1
  const std::vector<float> input = {0.1f, 2.5f, 0.2f};  // one 25 bp bin reaches it
  EXPECT_EQ(window_label(bins, input, 1.0, LabelRule{}), kBackgroundLabel);
  EXPECT_EQ(window_label(bins, input, 1.0, LabelRule{LabelRule::Kind::kMaxInput, 0}), kPeakLabel);
}

TEST(LabelRule, ParsesTextAndRejectsBadFractions) {
  for (const char* text : {"any", "mean", "max", "fraction:0.25"}) {
    auto rule = parse_label_rule(text);
    ASSERT_TRUE(rule.is_ok()) << text;
    EXPECT_EQ(label_rule_text(*rule), text);
  }
  EXPECT_FALSE(parse_label_rule("fraction:0").is_ok());
  EXPECT_FALSE(parse_label_rule("fraction:1.5").is_ok());
  EXPECT_FALSE(parse_label_rule("fraction:").is_ok());
  EXPECT_FALSE(parse_label_rule("median").is_ok());
}

TEST(TileWindows, DropsTheShortTailByDefault) {
  auto windows = tile_windows(std::vector<Region>{{"chr1", 100, 2600}}, 1000, 1000);
  ASSERT_TRUE(windows.is_ok());
  EXPECT_EQ(*windows, (std::vector<Region>{{"chr1", 100, 1100}, {"chr1", 1100, 2100}}));
}

TEST(TileWindows, AlignEndAddsAWindowEndingAtTheRegionEnd) {
  auto windows = tile_windows(std::vector<Region>{{"chr1", 100, 2600}}, 1000, 1000, WindowTail::kAlignToEnd);
  ASSERT_TRUE(windows.is_ok());
  EXPECT_EQ(*windows, (std::vector<Region>{{"chr1", 100, 1100}, {"chr1", 1100, 2100}, {"chr1", 1600, 2600}}));
  auto exact = tile_windows(std::vector<Region>{{"chr1", 0, 2000}}, 1000, 1000, WindowTail::kAlignToEnd);
  ASSERT_TRUE(exact.is_ok());
  EXPECT_EQ(exact->size(), 2u) << "no extra window when the tiling already ends at the region's end";
}

TEST(TileWindows, StrideBelowWidthOverlapsAndShortRegionsGiveNothing) {
  auto windows = tile_windows(std::vector<Region>{{"chr1", 0, 2000}, {"chr2", 0, 999}}, 1000, 500);
  ASSERT_TRUE(windows.is_ok());
  EXPECT_EQ(*windows, (std::vector<Region>{{"chr1", 0, 1000}, {"chr1", 500, 1500}, {"chr1", 1000, 2000}}));
  EXPECT_FALSE(tile_windows(std::vector<Region>{{"chr1", 0, 2000}}, 0, 500).is_ok());
  EXPECT_FALSE(tile_windows(std::vector<Region>{{"chr1", 0, 2000}}, 1000, 0).is_ok());
}

TEST(PrepOptions, Tutorial1PresetIsTheBooksPipeline) {
  auto options = prep_preset("tutorial1");
  ASSERT_TRUE(options.is_ok());
  EXPECT_EQ(options->window, 1024u);
  EXPECT_EQ(options->bin, 32u);
  EXPECT_EQ(options->input_bin, 25u);
  EXPECT_EQ(options->transform, SignalTransform::kArcsinh);
  EXPECT_DOUBLE_EQ(std::sinh(options->threshold), 2.0);
  EXPECT_TRUE(validate_prep_options(*options).is_ok());
  EXPECT_FALSE(prep_preset("tutorial9").is_ok());
}

TEST(PrepOptions, InconsistentOptionsAreRejectedWithTheReason) {
  PrepOptions options;
  options.window = 1000;
  Status status = validate_prep_options(options);
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("window 1,000 bp is not a multiple of bin 32 bp"), std::string::npos);
  options = PrepOptions{};
  options.split = SplitMethod::kChromosome;
  EXPECT_FALSE(validate_prep_options(options).is_ok()) << "a chromosome split with no chromosomes";
  options.split = SplitMethod::kHash;
  options.test_chroms = {"chrX"};
  EXPECT_FALSE(validate_prep_options(options).is_ok()) << "chromosomes named for a hash split";
}

// An in-memory track of 25 bp steps: value of 25 bp bin k is values[k], NaN where k is
// in `gaps`. Chromosome "chrA" of 2,000 bp.
SignalSource stepped_source(const std::vector<float>& steps, uint64_t length) {
  SignalSource source;
  source.name = "memory.bw";
  source.chrom_length = [length](std::string_view chrom) -> std::optional<uint64_t> {
    if (chrom == "chrA") return length;
    return std::nullopt;
  };
  source.values_batch = [steps](std::span<const Region> regions, std::span<float> out) {
    size_t offset = 0;
    for (const Region& region : regions) {
      for (uint64_t base = region.start; base < region.end; ++base) out[offset++] = steps[base / 25];
    }
    return Status::ok();
  };
  return source;
}

TEST(PrepareDataset, StepTrackGivesHandComputedTargetsLabelsAndCounts) {
  std::vector<float> steps(80, 0.0f);  // 2,000 bp of background
  steps[3] = 10.0f;                     // bases 75-99: a peak inside window 0
  for (int k = 44; k < 48; ++k) steps[k] = kNaN;  // bases 1,100-1,199: no data
  const SignalSource source = stepped_source(steps, 2000);
  PrepOptions options;
  options.window = 128;
  options.stride = 128;
  options.bin = 32;
  options.transform = SignalTransform::kNone;
  options.threshold = 5.0;
  options.fractions = SplitFractions{1.0, 0.0, 0.0};
  auto dataset = prepare_dataset(source, std::vector<Region>{{"chrA", 0, 1280}}, options);
  ASSERT_TRUE(dataset.is_ok()) << dataset.status().message();
  ASSERT_EQ(dataset->windows.size(), 10u);
  EXPECT_EQ(dataset->bins_per_window, 4u);
  // Window 0, bin 2 covers bases 64-95: 21 bases of the 10.0 step (75-95) and 11 of 0.
  EXPECT_FLOAT_EQ(dataset->targets[2], 10.0f * 21 / 32);
  EXPECT_FLOAT_EQ(dataset->targets[3], 10.0f * 4 / 32);
  EXPECT_EQ(dataset->bin_labels[2], kPeakLabel);
  EXPECT_EQ(dataset->bin_labels[3], kBackgroundLabel);
  EXPECT_EQ(dataset->labels[0], kPeakLabel);
  // Window 8 is [1024, 1152): bins [1088, 1120) half NaN, [1120, 1152) all NaN.
  EXPECT_EQ(dataset->bin_labels[8 * 4 + 3], kMissingLabel);
  EXPECT_TRUE(std::isnan(dataset->targets[8 * 4 + 3]));
  EXPECT_EQ(dataset->labels[8], kBackgroundLabel);
  EXPECT_EQ(dataset->total.windows, 10u);
  EXPECT_EQ(dataset->total.peaks, 1u);
  EXPECT_EQ(dataset->per_split[0].windows, 10u);
  EXPECT_DOUBLE_EQ(dataset->total.peak_fraction(), 0.1);
}

TEST(PrepareDataset, ArcsinhTargetsAreTransformedBeforeRebinning) {
  std::vector<float> steps(80, 0.0f);
  steps[0] = 3.0f;  // bases 0-24
  const SignalSource source = stepped_source(steps, 2000);
  PrepOptions options;
  options.window = 64;
  options.stride = 64;
  options.transform = SignalTransform::kArcsinh;
  auto dataset = prepare_dataset(source, std::vector<Region>{{"chrA", 0, 64}}, options);
  ASSERT_TRUE(dataset.is_ok()) << dataset.status().message();
  EXPECT_FLOAT_EQ(dataset->targets[0], static_cast<float>(std::asinh(3.0) * 25 / 32));
}

TEST(PrepareDataset, WindowOffTheInputGridMatchesPerBaseMeans) {
  CounterRng rng(5);
  std::vector<float> steps(80);
  for (float& v : steps) v = static_cast<float>(rng.next_double() * 4);
  const SignalSource source = stepped_source(steps, 1990);  // the last 25 bp bin is 15 bp
  PrepOptions options;
  options.window = 96;
  options.stride = 96;
  options.transform = SignalTransform::kNone;
  auto dataset = prepare_dataset(source, std::vector<Region>{{"chrA", 1013, 1990}}, options);
  ASSERT_TRUE(dataset.is_ok()) << dataset.status().message();
  for (size_t w = 0; w < dataset->windows.size(); ++w) {
    std::vector<float> per_base;
    for (uint64_t b = dataset->windows[w].start; b < dataset->windows[w].end; ++b) per_base.push_back(steps[b / 25]);
    auto expected = bin_mean(per_base, 32);
    ASSERT_TRUE(expected.is_ok());
    for (size_t b = 0; b < 3; ++b) EXPECT_NEAR(dataset->targets[w * 3 + b], (*expected)[b], 1e-5) << w << "," << b;
  }
}

TEST(PrepareDataset, RegionsOffTheSourceAreNamedInTheError) {
  const SignalSource source = stepped_source(std::vector<float>(80, 0.0f), 2000);
  PrepOptions options;
  auto missing = prepare_dataset(source, std::vector<Region>{{"chrB", 0, 1024}}, options);
  ASSERT_FALSE(missing.is_ok());
  EXPECT_EQ(missing.status().message(), "chrB:0-1,024: chromosome chrB is not in memory.bw");
  auto past_end = prepare_dataset(source, std::vector<Region>{{"chrA", 0, 4096}}, options);
  ASSERT_FALSE(past_end.is_ok());
  EXPECT_NE(past_end.status().message().find("runs past the end of chrA (2,000 bp in memory.bw)"), std::string::npos);
  auto too_short = prepare_dataset(source, std::vector<Region>{{"chrA", 0, 1000}}, options);
  ASSERT_FALSE(too_short.is_ok());
  EXPECT_NE(too_short.status().message().find("no 1,024 bp window fits"), std::string::npos);
}

TEST(PrepareDataset, ReaderErrorsPassThrough) {
  SignalSource source = stepped_source(std::vector<float>(80, 0.0f), 2000);
  source.values_batch = [](std::span<const Region>, std::span<float>) {
    return corrupt("memory.bw: data block at byte 1,234 does not inflate");
  };
  auto dataset = prepare_dataset(source, std::vector<Region>{{"chrA", 0, 1024}}, PrepOptions{});
  ASSERT_FALSE(dataset.is_ok());
  EXPECT_NE(dataset.status().message().find("byte 1,234"), std::string::npos);
}

TEST(ContentHash, PiecesHashLikeTheWholeWithStableHash) {
  const std::string bytes = "bigWig bytes \x01\x02\xff and more";
  ContentHash hash;
  hash.update(std::string_view(bytes).substr(0, 7));
  hash.update(std::string_view(bytes).substr(7));
  EXPECT_EQ(hash.finish(), stable_hash(bytes));
  EXPECT_EQ(hex64(0x1234abcdULL), "000000001234abcd");
}

TEST(Manifest, RecordsOptionsInputAndCountsPerSplit) {
  std::vector<float> steps(80, 0.0f);
  steps[3] = 10.0f;
  PrepOptions options;
  options.window = 128;
  options.stride = 128;
  options.split = SplitMethod::kChromosome;
  options.test_chroms = {"chrA"};
  auto dataset = prepare_dataset(stepped_source(steps, 2000), std::vector<Region>{{"chrA", 0, 1280}}, options);
  ASSERT_TRUE(dataset.is_ok()) << dataset.status().message();
  const PrepInput input{"memory.bw", 4096, 0xfeedULL, {"chrA:0-1280"}};
  const auto manifest = nlohmann::json::parse(prep_manifest_json(*dataset, options, input));
  EXPECT_EQ(manifest["epibook_version"], EPIBOOK_VERSION);
  EXPECT_EQ(manifest["input"]["content_hash"], "000000000000feed");
  EXPECT_EQ(manifest["input"]["size"], 4096);
  EXPECT_EQ(manifest["options"]["window"], 128);
  EXPECT_EQ(manifest["options"]["split"], "chrom");
  EXPECT_EQ(manifest["options"]["test_chroms"][0], "chrA");
  EXPECT_EQ(manifest["splits"]["test"]["windows"], 10);
  EXPECT_EQ(manifest["splits"]["train"]["windows"], 0);
  EXPECT_TRUE(manifest["splits"]["train"]["peak_fraction"].is_null());
  EXPECT_DOUBLE_EQ(manifest["splits"]["test"]["peak_fraction"].get<double>(), 0.1);
}

}  // namespace
}  // namespace epibook
