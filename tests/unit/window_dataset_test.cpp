// The window dataset's specification (epibook/dataset.h): each row's one-hot inputs and
// targets equal a direct recomputation (FASTA fetch, BigWigReader values, the transform
// and bin-mean formulas written out here), rows with missing targets drop exactly where
// the formula gives NaN, streaming gather == in-memory fill == chunked fill to the bit,
// and every bad input is refused with a message naming the line, the file and the fix.
#include "epibook/dataset.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "epibook/bigwig.h"
#include "epibook/bigwig_writer.h"
#include "epibook/fasta.h"
#include "epibook/random.h"

namespace epibook {
namespace {

const std::vector<BigWigChrom> kChroms = {{"chrA", 0, 5000}, {"chrB", 1, 3000}};

// Bases from counter draws, with a run of N and a soft-masked (lower-case) stretch.
std::string simulated_fasta() {
  CounterRng rng(21);
  std::string text;
  for (const BigWigChrom& chrom : kChroms) {
    text += ">" + chrom.name + "\n";
    for (uint32_t i = 0; i < chrom.length; ++i) {
      char base = "ACGT"[rng.next_below(4)];
      if (i >= 1000 && i < 1030) base = 'N';
      if (i >= 2000 && i < 2100) base = static_cast<char>(base - 'A' + 'a');
      text += base;
      if (i % 60 == 59 || i + 1 == chrom.length) text += "\n";
    }
  }
  return text;
}

// 10 bp steps of varying value; every 37th step has no data.
std::vector<ChromIntervals> simulated_signal(uint64_t salt, const std::vector<BigWigChrom>& chroms) {
  CounterRng rng(salt);
  std::vector<ChromIntervals> signal;
  for (const BigWigChrom& chrom : chroms) {
    ChromIntervals track{chrom.name, {}};
    for (uint32_t start = 0; start + 10 <= chrom.length; start += 10) {
      const uint64_t draw = rng.next_u64();
      if ((start / 10) % 37 == 3) continue;
      track.intervals.push_back({start, start + 10, static_cast<float>(draw % 1000) / 8.0f});
    }
    signal.push_back(std::move(track));
  }
  return signal;
}

// 200 bp windows every 150 bp over chrA and the first 2,500 bp of chrB, as the BED of
// `epibook regions`: split cycles train, validation, test; every fourth label is -1.
std::string windows_bed() {
  std::string text = "# chrom start end split label\n";
  int i = 0;
  auto add = [&](const std::string& chrom, uint64_t end) {
    for (uint64_t s = 0; s + 200 <= end; s += 150, ++i) {
      const char* split = i % 3 == 0 ? "train" : i % 3 == 1 ? "validation" : "test";
      const int label = i % 4 == 3 ? -1 : i % 2;
      text += chrom + "\t" + std::to_string(s) + "\t" + std::to_string(s + 200) + "\t" + split + "\t" +
              std::to_string(label) + "\n";
    }
  };
  add("chrA", 5000);
  add("chrB", 2500);
  return text;
}

std::vector<float> naive_one_hot(const std::string& bases, float unknown) {
  std::vector<float> out(4 * bases.size(), 0.0f);
  const std::string order = "ACGT";
  for (size_t j = 0; j < bases.size(); ++j) {
    const size_t c = order.find(static_cast<char>(std::toupper(static_cast<unsigned char>(bases[j]))));
    for (size_t k = 0; k < 4; ++k) {
      if (c == std::string::npos) out[k * bases.size() + j] = unknown;
      else if (k == c) out[k * bases.size() + j] = 1.0f;
    }
  }
  return out;
}

// The target formula written out: transform each base in double, then the mean of the
// bases with data in each bin (NaN when none has), summed in double in base order.
std::vector<float> expected_bins(std::vector<float> per_base, SignalTransform transform, uint32_t bin) {
  for (float& v : per_base) {
    const double x = v;
    v = static_cast<float>(transform == SignalTransform::kArcsinh ? std::asinh(x)
                           : transform == SignalTransform::kLog1p ? std::log1p(x)
                                                                  : x);
  }
  std::vector<float> bins;
  for (size_t start = 0; start < per_base.size(); start += bin) {
    double sum = 0;
    int count = 0;
    for (size_t j = start; j < start + bin; ++j) {
      if (!std::isnan(per_base[j])) sum += per_base[j], ++count;
    }
    bins.push_back(count == 0 ? NAN : static_cast<float>(sum / count));
  }
  return bins;
}

bool same_bits(const float* a, const float* b, size_t n) { return std::memcmp(a, b, n * sizeof(float)) == 0; }

class WindowDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto index = build_fai_from_memory(simulated_fasta(), "genome.fa");
    ASSERT_TRUE(index.is_ok()) << index.status().message();
    auto fasta = FastaReader::open(memory_source(simulated_fasta(), "genome.fa"), *index);
    ASSERT_TRUE(fasta.is_ok()) << fasta.status().message();
    fasta_ = std::make_unique<FastaReader>(std::move(fasta).value());
    BigWigWriteOptions small_blocks;
    small_blocks.items_per_slot = 64;
    for (uint64_t salt : {1, 2}) {
      std::vector<BigWigChrom> chroms = kChroms;
      if (salt == 2) chroms[1].length = 2500;  // this track's chrB is shorter than the FASTA's
      auto bytes = bigwig_bytes(chroms, simulated_signal(salt, chroms), small_blocks);
      ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
      auto reader = BigWigReader::open(memory_source(*bytes, "track" + std::to_string(salt) + ".bw"));
      ASSERT_TRUE(reader.is_ok()) << reader.status().message();
      readers_.push_back(std::make_unique<BigWigReader>(std::move(reader).value()));
    }
  }

  std::vector<SignalSource> tracks() const {
    std::vector<SignalSource> out;
    for (const auto& reader : readers_) out.push_back(bigwig_signal_source(*reader));
    return out;
  }

  Result<WindowDataset> dataset(const std::string& bed, const DatasetOptions& options) const {
    EPIBOOK_ASSIGN_OR_RETURN(GenomeWindows windows, parse_genome_windows(bed, "windows.bed"));
    return WindowDataset::create(fasta_.get(), tracks(), std::move(windows), options);
  }

  WindowDataset scanned_or_die(const DatasetOptions& options, uint64_t scan_chunk = 5) const {
    auto made = dataset(windows_bed(), options);
    EXPECT_TRUE(made.is_ok()) << made.status().message();
    WindowDataset data = std::move(made).value();
    while (true) {
      auto done = data.scan(scan_chunk);
      EXPECT_TRUE(done.is_ok()) << done.status().message();
      if (!done.is_ok() || *done) break;
    }
    return data;
  }

  static TrainingData filled(const WindowDataset& data, uint64_t chunk) {
    TrainingData all;
    EXPECT_TRUE(data.prepare(all).is_ok());
    for (uint64_t first = 0; first < data.rows(); first += chunk) {
      const Status status = data.fill_rows(first, chunk, all);
      EXPECT_TRUE(status.is_ok()) << status.message();
    }
    return all;
  }

  std::string error_of(const std::string& bed, const DatasetOptions& options = {}) const {
    auto made = dataset(bed, options);
    EXPECT_FALSE(made.is_ok());
    return made.is_ok() ? "" : made.status().message();
  }

  std::unique_ptr<FastaReader> fasta_;
  std::vector<std::unique_ptr<BigWigReader>> readers_;
};

TEST_F(WindowDatasetTest, BinnedSignalRows_EqualDirectReadsAndTheFormula_AndNaNBinsDropRows) {
  DatasetOptions options;
  options.bin = 10;  // aligned with the 10 bp steps: some bins have no data at all
  options.transform = SignalTransform::kArcsinh;
  options.unknown_base = UnknownBase::kQuarter;
  const WindowDataset data = scanned_or_die(options);
  ASSERT_EQ(data.track_count(), 2u);
  ASSERT_EQ(data.bins(), 20u);
  const TrainingData all = filled(data, 1000);
  ASSERT_EQ(all.inputs.shape(), nn::Shape({static_cast<int64_t>(data.rows()), 4, 200}));
  ASSERT_EQ(all.targets.shape(), nn::Shape({static_cast<int64_t>(data.rows()), 2, 20}));
  const GenomeWindows windows = parse_genome_windows(windows_bed(), "windows.bed").value();
  uint64_t row = 0;
  for (size_t w = 0; w < windows.regions.size(); ++w) {
    const Region& region = windows.regions[w];
    std::vector<float> targets;
    for (const auto& reader : readers_) {
      const std::vector<float> bins = expected_bins(reader->values(region).value(), options.transform, 10);
      targets.insert(targets.end(), bins.begin(), bins.end());
    }
    const bool complete = std::none_of(targets.begin(), targets.end(), [](float v) { return std::isnan(v); });
    if (!complete) continue;  // the row is dropped, as load_training_data drops NaN targets
    ASSERT_LT(row, data.rows());
    ASSERT_EQ(data.window_of_row(row), w);
    const std::vector<float> one_hot = naive_one_hot(fasta_->fetch(region).value(), 0.25f);
    EXPECT_TRUE(same_bits(all.inputs.data() + row * 800, one_hot.data(), 800)) << "row " << row;
    EXPECT_TRUE(same_bits(all.targets.data() + row * 40, targets.data(), 40)) << "row " << row;
    EXPECT_EQ(all.split[row], windows.split[w]);
    ++row;
  }
  EXPECT_EQ(row, data.rows());
  EXPECT_GT(data.rows(), 5u);
  EXPECT_LT(data.rows(), windows.regions.size());  // some windows really were dropped
}

TEST_F(WindowDatasetTest, OneValuePerTrack_IsTheWindowMean_AndMissingAsZeroKeepsEveryWindow) {
  DatasetOptions options;
  options.transform = SignalTransform::kLog1p;
  options.missing_as_zero = true;
  const WindowDataset data = scanned_or_die(options);
  ASSERT_EQ(data.rows(), data.window_count());
  const TrainingData all = filled(data, 7);
  ASSERT_EQ(all.targets.shape(), nn::Shape({static_cast<int64_t>(data.rows()), 2}));
  for (uint64_t row = 0; row < data.rows(); ++row) {
    for (uint32_t t = 0; t < 2; ++t) {
      const std::vector<float> mean = expected_bins(readers_[t]->values(data.regions()[row]).value(), options.transform, 200);
      const float expected = std::isnan(mean[0]) ? 0.0f : mean[0];
      EXPECT_TRUE(same_bits(all.targets.data() + row * 2 + t, &expected, 1)) << "row " << row << " track " << t;
    }
  }
}

TEST_F(WindowDatasetTest, LabelTarget_IsTheFilesLabel_WithMinusOneDroppedOrZeroed) {
  DatasetOptions options;
  options.target = TargetKind::kLabel;
  const GenomeWindows windows = parse_genome_windows(windows_bed(), "windows.bed").value();
  const WindowDataset data = scanned_or_die(options);
  EXPECT_EQ(data.track_count(), 0u);
  const TrainingData all = filled(data, 1000);
  ASSERT_EQ(all.targets.shape(), nn::Shape({static_cast<int64_t>(data.rows()), 1}));
  uint64_t row = 0;
  for (size_t w = 0; w < windows.labels.size(); ++w) {
    if (windows.labels[w] < 0) continue;
    ASSERT_EQ(data.window_of_row(row), w);
    EXPECT_EQ(all.targets[static_cast<int64_t>(row)], static_cast<float>(windows.labels[w]));
    const std::vector<float> one_hot = naive_one_hot(fasta_->fetch(windows.regions[w]).value(), 0.0f);
    EXPECT_TRUE(same_bits(all.inputs.data() + row * 800, one_hot.data(), 800)) << "row " << row;
    ++row;
  }
  EXPECT_EQ(row, data.rows());

  options.missing_as_zero = true;
  const WindowDataset zeroed = scanned_or_die(options);
  ASSERT_EQ(zeroed.rows(), windows.regions.size());
  const TrainingData with_zeros = filled(zeroed, 1000);
  for (size_t w = 0; w < windows.labels.size(); ++w) {
    EXPECT_EQ(with_zeros.targets[static_cast<int64_t>(w)], windows.labels[w] < 0 ? 0.0f : windows.labels[w]);
  }
}

TEST_F(WindowDatasetTest, StreamingGather_EqualsInMemoryFill_ToTheBit) {
  DatasetOptions options;
  options.bin = 25;
  options.transform = SignalTransform::kArcsinh;
  const WindowDataset data = scanned_or_die(options);
  const TrainingData all = filled(data, 1000);
  // A shuffled order with repeats, as a trainer's batches would ask for rows.
  CounterRng rng(3);
  std::vector<uint32_t> rows;
  for (int i = 0; i < 40; ++i) rows.push_back(static_cast<uint32_t>(rng.next_below(data.rows())));
  nn::Tensor inputs, targets;
  ASSERT_TRUE(data.gather(rows, inputs, targets).is_ok());
  ASSERT_EQ(inputs.shape(), nn::Shape({40, 4, 200}));
  ASSERT_EQ(targets.shape(), nn::Shape({40, 2, 8}));
  nn::Tensor expected_inputs, expected_targets;
  gather_rows(all.inputs, rows, expected_inputs);
  gather_rows(all.targets, rows, expected_targets);
  EXPECT_TRUE(same_bits(inputs.data(), expected_inputs.data(), static_cast<size_t>(inputs.size())));
  EXPECT_TRUE(same_bits(targets.data(), expected_targets.data(), static_cast<size_t>(targets.size())));
  EXPECT_EQ(data.fingerprint(6).value(), data_fingerprint(all));
}

TEST_F(WindowDatasetTest, ChunkedFill_EqualsOneShotFill_AndTheScanChunkChangesNothing) {
  DatasetOptions options;
  options.bin = 10;
  const WindowDataset data = scanned_or_die(options, 1000);
  const WindowDataset scanned_in_threes = scanned_or_die(options, 3);
  ASSERT_EQ(data.rows(), scanned_in_threes.rows());
  const TrainingData once = filled(data, data.rows());
  const TrainingData chunked = filled(scanned_in_threes, 3);
  ASSERT_EQ(once.inputs.shape(), chunked.inputs.shape());
  EXPECT_TRUE(same_bits(once.inputs.data(), chunked.inputs.data(), static_cast<size_t>(once.inputs.size())));
  EXPECT_TRUE(same_bits(once.targets.data(), chunked.targets.data(), static_cast<size_t>(once.targets.size())));
  EXPECT_EQ(once.split, chunked.split);
  EXPECT_EQ(data_fingerprint(once), data_fingerprint(chunked));
  // The fingerprint sees the content: one changed value changes it.
  TrainingData changed = filled(data, 1000);
  changed.targets[5] += 1.0f;
  EXPECT_NE(data_fingerprint(changed), data_fingerprint(once));
}

TEST_F(WindowDatasetTest, WindowsFromChooseRegions_GiveTheSameDataAsTheirBedText) {
  std::vector<ChosenWindow> chosen;
  RegionSet set;
  const GenomeWindows parsed = parse_genome_windows(windows_bed(), "windows.bed").value();
  for (size_t w = 0; w < parsed.regions.size(); ++w) {
    if (parsed.labels[w] < 0) continue;  // choose_regions labels are 0 or 1
    set.windows.push_back({parsed.regions[w], parsed.labels[w], static_cast<Split>(parsed.split[w]), 0.5});
  }
  DatasetOptions options;
  options.bin = 50;
  auto from_memory = WindowDataset::create(fasta_.get(), tracks(), genome_windows_from(set.windows), options);
  auto from_text = dataset(format_region_set_bed(set), options);
  ASSERT_TRUE(from_memory.is_ok()) << from_memory.status().message();
  ASSERT_TRUE(from_text.is_ok()) << from_text.status().message();
  ASSERT_TRUE(from_memory->scan(UINT64_MAX).value());
  ASSERT_TRUE(from_text->scan(UINT64_MAX).value());
  EXPECT_EQ(from_memory->fingerprint().value(), from_text->fingerprint().value());
}

TEST_F(WindowDatasetTest, Errors_NameTheLineTheFileAndWhatItHas) {
  EXPECT_EQ(error_of("chrA\t0\t200\ttrain\t1\nchr9\t0\t200\ttrain\t0\n"),
            "windows.bed line 2: chr9 is not in genome.fa (its sequences: chrA, chrB)");
  // chrB exists in the FASTA and in track1 up to 3,000 bp, but track2 stops at 2,500.
  EXPECT_EQ(error_of("chrA\t0\t200\ttrain\t1\n# a comment\nchrB\t2400\t2600\ttest\t0\n"),
            "windows.bed line 3: chrB:2,400-2,600 runs past the end of chrB (2,500 bp in track2.bw)");
  EXPECT_EQ(error_of("chrA\t0\t200\ttrain\t1\nchrA\t5000\t5200\ttrain\t1\n"),
            "windows.bed line 2: chrA:5,000-5,200 runs past the end of chrA (5,000 bp in genome.fa)");
  EXPECT_EQ(error_of("chrA\t0\t200\ttrain\t1\nchrA\t200\t500\tvalidation\t0\n"),
            "windows.bed line 2: chrA:200-500 is 300 bp, but windows.bed line 1 is 200 bp; every window must have "
            "one length");
  EXPECT_EQ(error_of(""), "windows.bed: no windows");
  EXPECT_EQ(error_of("# only a comment\n"), "windows.bed: no windows");
  DatasetOptions bin30;
  bin30.bin = 30;
  EXPECT_EQ(error_of("chrA\t0\t200\ttrain\t1\n", bin30),
            "data.bin 30 does not divide the window length 200 bp of windows.bed");
  DatasetOptions label;
  label.target = TargetKind::kLabel;
  EXPECT_EQ(error_of("chrA\t0\t200\ttrain\n", label),
            "windows.bed has no label column (column 5); data.target label needs one");
  EXPECT_NE(error_of("chrA\t0\t200\tholdout\t1\n").find("windows.bed: line 1"), std::string::npos);

  // A track missing a chromosome lists the ones it has.
  auto bytes = bigwig_bytes({{"chrA", 0, 5000}}, {ChromIntervals{"chrA", {{0, 10, 1.0f}}}}, BigWigWriteOptions{});
  ASSERT_TRUE(bytes.is_ok());
  auto chrA_only = BigWigReader::open(memory_source(*bytes, "chrA_only.bw"));
  ASSERT_TRUE(chrA_only.is_ok());
  auto windows = parse_genome_windows("chrB\t0\t200\ttrain\t1\n", "windows.bed");
  auto made = WindowDataset::create(fasta_.get(), {bigwig_signal_source(*chrA_only)}, std::move(windows).value(), {});
  ASSERT_FALSE(made.is_ok());
  EXPECT_EQ(made.status().message(), "windows.bed line 1: chrB is not in chrA_only.bw (its chromosomes: chrA)");

  // Windows built in memory are named by their position and region.
  GenomeWindows in_memory;
  in_memory.source = "lab windows";
  in_memory.regions = {{"chrA", 0, 200}, {"chrZ", 0, 200}};
  in_memory.split = {0, 0};
  made = WindowDataset::create(fasta_.get(), tracks(), in_memory, {});
  ASSERT_FALSE(made.is_ok());
  EXPECT_EQ(made.status().message(), "lab windows window 2 (chrZ:0-200): chrZ is not in genome.fa (its sequences: chrA, chrB)");

  // Signal needs a track, a dataset needs a genome, a track must be a bigWig.
  made = WindowDataset::create(fasta_.get(), {}, in_memory, {});
  EXPECT_EQ(made.status().message(), "data.target signal needs at least one track (bigWig)");
  made = WindowDataset::create(nullptr, tracks(), in_memory, {});
  EXPECT_EQ(made.status().message(), "a window dataset needs a genome (FASTA) for its one-hot inputs");
  auto not_bigwig = BigWigReader::open(memory_source("track\tchrA\t0\t10\t1.5\n", "signal.bedGraph"));
  ASSERT_FALSE(not_bigwig.is_ok());
  EXPECT_NE(not_bigwig.status().message().find("signal.bedGraph"), std::string::npos);
  EXPECT_NE(not_bigwig.status().message().find("not a bigWig file"), std::string::npos);
}

TEST_F(WindowDatasetTest, EveryWindowMissing_IsRefusedWithTheFix) {
  DatasetOptions options;
  options.bin = 10;
  // chrA:30-40 is a step without data (the fourth 10 bp step) in both tracks.
  auto made = dataset("chrA\t30\t40\ttrain\t1\n", options);
  ASSERT_TRUE(made.is_ok()) << made.status().message();
  auto done = made->scan(10);
  ASSERT_FALSE(done.is_ok());
  EXPECT_NE(done.status().message().find("data.missing zero"), std::string::npos) << done.status().message();
}

TEST_F(WindowDatasetTest, RowsBeforeTheScan_AreRefused) {
  DatasetOptions options;
  options.bin = 10;
  auto made = dataset(windows_bed(), options);
  ASSERT_TRUE(made.is_ok());
  TrainingData data;
  EXPECT_FALSE(made->prepare(data).is_ok());
  nn::Tensor inputs, targets;
  const std::vector<uint32_t> rows{0};
  EXPECT_FALSE(made->gather(rows, inputs, targets).is_ok());
}

// The trainer reading rows streamed from the dataset and the same rows filled into
// memory (what a lab does) gives the same losses and validation scores, bit for bit.
TEST_F(WindowDatasetTest, TrainerOnStreamedRows_EqualsTrainerOnTheFilledArrays_ToTheBit) {
  DatasetOptions options;
  options.transform = SignalTransform::kArcsinh;
  options.missing_as_zero = true;
  const WindowDataset data = scanned_or_die(options);
  const TrainingData all = filled(data, 9);
  TrainOptions o = *train_preset("quick");
  o.data.dir = "in memory";
  o.batch_size = 8;
  o.epochs = 2;
  auto run = [&](bool streamed) {
    auto model = build_model(o.model, data.input_shape(1), data.target_shape(1), o.seed);
    EXPECT_TRUE(model.is_ok()) << model.status().message();
    auto trainer = streamed ? Trainer::create(**model, data, o) : Trainer::create(**model, all, o);
    EXPECT_TRUE(trainer.is_ok()) << trainer.status().message();
    std::vector<double> curve;
    while (!(*trainer)->finished()) {
      auto record = (*trainer)->run_epoch();
      EXPECT_TRUE(record.is_ok()) << record.status().message();
      if (!record.is_ok()) break;
      curve.push_back(record->validation_loss.value_or(NAN));
    }
    for (double loss : (*trainer)->state().step_losses) curve.push_back(loss);
    return curve;
  };
  const std::vector<double> streamed = run(true);
  const std::vector<double> in_memory = run(false);
  ASSERT_GT(streamed.size(), 4u);
  ASSERT_EQ(streamed.size(), in_memory.size());
  EXPECT_EQ(std::memcmp(streamed.data(), in_memory.data(), streamed.size() * sizeof(double)), 0);
}

// Pinned natively; the wasm run of this suite must give the same bits (the fingerprint a
// lab puts in its run link must match the CLI's for the same data).
TEST_F(WindowDatasetTest, Fingerprint_IsPinnedSoNativeAndWasmAgree) {
  DatasetOptions options;
  options.bin = 25;
  options.transform = SignalTransform::kArcsinh;
  const WindowDataset data = scanned_or_die(options);
  EXPECT_EQ(data.fingerprint().value(), 0x42419d6aad3ba86eULL) << "the window dataset's rows moved";
}

}  // namespace
}  // namespace epibook
