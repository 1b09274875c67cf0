// The batched loader's specification: every array of a batch equals what a direct
// read of its window gives (values, bin means, one-hot bases), augmentation flips and
// shifts exactly as documented, and a seed fixes the batches on any thread count and in
// wasm (the pinned fingerprint is checked by the wasm run of this suite too).
#include "epibook/loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
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

// Bases from counter draws, with a run of N and lower-case (soft-masked) stretches.
std::string simulated_fasta() {
  CounterRng rng(11);
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

// 10 bp steps of varying value with every seventh step missing; `salt` makes tracks differ.
std::vector<ChromIntervals> simulated_signal(uint64_t salt, uint32_t chrB_length) {
  CounterRng rng(salt);
  std::vector<ChromIntervals> signal;
  for (const BigWigChrom& chrom : kChroms) {
    ChromIntervals track{chrom.name, {}};
    const uint32_t length = chrom.name == "chrB" ? chrB_length : chrom.length;
    for (uint32_t start = 0; start + 10 <= length; start += 10) {
      const uint64_t draw = rng.next_u64();
      if ((start / 10) % 7 == 3) continue;
      track.intervals.push_back({start, start + 10, static_cast<float>(draw % 1000) / 8.0f});
    }
    signal.push_back(std::move(track));
  }
  return signal;
}

std::string reverse_complement(const std::string& bases) {
  std::string out(bases.rbegin(), bases.rend());
  for (char& c : out) {
    switch (c) {
      case 'A': c = 'T'; break;
      case 'T': c = 'A'; break;
      case 'C': c = 'G'; break;
      case 'G': c = 'C'; break;
      default: break;
    }
  }
  return out;
}

// One-hot written the obvious way, as the reference for the loader's encoder.
std::vector<float> naive_one_hot(const std::string& bases, float unknown) {
  std::vector<float> out(4 * bases.size(), 0.0f);
  const std::string order = "ACGT";
  for (size_t j = 0; j < bases.size(); ++j) {
    const size_t c = order.find(static_cast<char>(std::toupper(static_cast<unsigned char>(bases[j]))));
    if (c == std::string::npos) {
      for (size_t k = 0; k < 4; ++k) out[k * bases.size() + j] = unknown;
    } else {
      out[c * bases.size() + j] = 1.0f;
    }
  }
  return out;
}

bool same_floats(std::span<const float> a, std::span<const float> b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) != std::isnan(b[i])) return false;
    if (!std::isnan(a[i]) && a[i] != b[i]) return false;
  }
  return true;
}

class LoaderBatches : public ::testing::Test {
 protected:
  void SetUp() override {
    auto index = build_fai_from_memory(simulated_fasta(), "genome.fa");
    ASSERT_TRUE(index.is_ok()) << index.status().message();
    auto fasta = FastaReader::open(memory_source(simulated_fasta(), "genome.fa"), *index);
    ASSERT_TRUE(fasta.is_ok()) << fasta.status().message();
    fasta_ = std::make_unique<FastaReader>(std::move(fasta).value());
    BigWigWriteOptions small_blocks;
    small_blocks.items_per_slot = 64;  // many blocks per window, as in a real file
    for (uint64_t salt : {1, 2}) {
      std::vector<BigWigChrom> chroms = kChroms;
      if (salt == 2) chroms[1].length = 2500;  // a track whose chrB is shorter than the FASTA's
      auto bytes = bigwig_bytes(chroms, simulated_signal(salt, chroms[1].length), small_blocks);
      ASSERT_TRUE(bytes.is_ok()) << bytes.status().message();
      auto reader = BigWigReader::open(memory_source(*bytes, "track" + std::to_string(salt) + ".bw"));
      ASSERT_TRUE(reader.is_ok()) << reader.status().message();
      readers_.push_back(std::make_unique<BigWigReader>(std::move(reader).value()));
    }
  }

  // Windows of `width` bp every 150 bp over both chromosomes (chrB up to 2,500).
  std::vector<Region> windows(uint64_t width) const {
    std::vector<Region> out;
    for (uint64_t s = 0; s + width <= 5000; s += 150) out.push_back({"chrA", s, s + width});
    for (uint64_t s = 0; s + width <= 2500; s += 150) out.push_back({"chrB", s, s + width});
    return out;
  }

  LoaderInputs inputs(uint64_t width) const {
    LoaderInputs in;
    in.windows = windows(width);
    in.sequence = fasta_.get();
    for (const auto& reader : readers_) in.tracks.push_back(bigwig_signal_source(*reader));
    return in;
  }

  BatchLoader loader_or_die(LoaderInputs in, const LoaderOptions& options) const {
    auto loader = BatchLoader::create(std::move(in), options);
    EXPECT_TRUE(loader.is_ok()) << loader.status().message();
    return std::move(loader).value();
  }

  // Every batch of `epochs` epochs, streamed through next().
  static std::vector<Batch> stream(BatchLoader& loader, uint64_t epochs) {
    std::vector<Batch> batches;
    for (uint64_t epoch = 0; epoch < epochs; ++epoch) {
      EXPECT_TRUE(loader.start_epoch(epoch).is_ok());
      while (true) {
        auto batch = loader.next();
        EXPECT_TRUE(batch.is_ok()) << batch.status().message();
        if (!batch.is_ok() || !batch->has_value()) break;
        batches.push_back(std::move(**batch));
      }
    }
    return batches;
  }

  std::unique_ptr<FastaReader> fasta_;
  std::vector<std::unique_ptr<BigWigReader>> readers_;
};

TEST_F(LoaderBatches, PerBaseBatch_EqualsDirectReadsOfEachWindow) {
  LoaderOptions options;
  options.batch_size = 8;
  BatchLoader loader = loader_or_die(inputs(200), options);
  auto batch = loader.batch(0, 1);
  ASSERT_TRUE(batch.is_ok()) << batch.status().message();
  ASSERT_EQ(batch->size, 8u);
  ASSERT_EQ(batch->tracks, 2u);
  ASSERT_EQ(batch->bins, 200u);
  ASSERT_EQ(batch->sequence.size(), 8u * 4 * 200);
  ASSERT_EQ(batch->targets.size(), 8u * 2 * 200);
  for (uint32_t b = 0; b < batch->size; ++b) {
    const Region& region = batch->regions[b];
    EXPECT_EQ(region, windows(200)[batch->examples[b]]);
    auto bases = fasta_->fetch(region);
    ASSERT_TRUE(bases.is_ok());
    const std::vector<float> expected_hot = naive_one_hot(*bases, 0.0f);
    EXPECT_TRUE(same_floats(std::span<const float>(batch->sequence).subspan(b * 800, 800), expected_hot)) << b;
    for (uint32_t t = 0; t < 2; ++t) {
      auto values = readers_[t]->values(region);
      ASSERT_TRUE(values.is_ok());
      EXPECT_TRUE(same_floats(std::span<const float>(batch->targets).subspan((b * 2 + t) * 200, 200), *values))
          << "window " << b << " track " << t;
    }
  }
}

TEST_F(LoaderBatches, BinnedTargets_AreBinMeansOfTransformedValues) {
  LoaderOptions options;
  options.batch_size = 5;
  options.bin = 25;
  options.transform = SignalTransform::kArcsinh;
  BatchLoader loader = loader_or_die(inputs(200), options);
  auto batch = loader.batch(3, 2);
  ASSERT_TRUE(batch.is_ok()) << batch.status().message();
  ASSERT_EQ(batch->bins, 8u);
  for (uint32_t b = 0; b < batch->size; ++b) {
    for (uint32_t t = 0; t < 2; ++t) {
      auto values = readers_[t]->values(batch->regions[b]);
      ASSERT_TRUE(values.is_ok());
      arcsinh_in_place(*values);
      auto expected = bin_mean(*values, 25);
      ASSERT_TRUE(expected.is_ok());
      EXPECT_TRUE(same_floats(std::span<const float>(batch->targets).subspan((b * 2 + t) * 8, 8), *expected));
    }
  }
}

TEST_F(LoaderBatches, MissingAsZero_ReplacesNaNOnly) {
  LoaderOptions with_nan, with_zero;
  with_nan.batch_size = with_zero.batch_size = 16;
  with_zero.missing_as_zero = true;
  auto a = loader_or_die(inputs(100), with_nan).batch(0, 0);
  auto b = loader_or_die(inputs(100), with_zero).batch(0, 0);
  ASSERT_TRUE(a.is_ok() && b.is_ok());
  int missing = 0;
  for (size_t i = 0; i < a->targets.size(); ++i) {
    if (std::isnan(a->targets[i])) {
      ++missing;
      EXPECT_EQ(b->targets[i], 0.0f);
    } else {
      EXPECT_EQ(b->targets[i], a->targets[i]);
    }
  }
  EXPECT_GT(missing, 0);
}

TEST_F(LoaderBatches, ReverseComplement_ComplementsAndReversesSequence_ReversesTargets) {
  LoaderOptions options;
  options.batch_size = 40;
  options.reverse_complement = true;
  options.unknown_base = UnknownBase::kQuarter;
  BatchLoader loader = loader_or_die(inputs(120), options);
  auto batch = loader.batch(0, 0);
  ASSERT_TRUE(batch.is_ok()) << batch.status().message();
  int flipped = 0;
  for (uint32_t b = 0; b < batch->size; ++b) {
    const Region& region = batch->regions[b];
    auto bases = fasta_->fetch(region, LetterCase::kUpper);
    ASSERT_TRUE(bases.is_ok());
    const bool reversed = batch->reversed[b] != 0;
    flipped += reversed ? 1 : 0;
    const std::vector<float> expected_hot = naive_one_hot(reversed ? reverse_complement(*bases) : *bases, 0.25f);
    EXPECT_TRUE(same_floats(std::span<const float>(batch->sequence).subspan(b * 480, 480), expected_hot)) << b;
    auto values = readers_[0]->values(region);
    ASSERT_TRUE(values.is_ok());
    if (reversed) std::reverse(values->begin(), values->end());
    EXPECT_TRUE(same_floats(std::span<const float>(batch->targets).subspan(b * 2 * 120, 120), *values)) << b;
  }
  // 40 fair coin flips: between 10 and 30 heads for this seed, and never all one side.
  EXPECT_GT(flipped, 10);
  EXPECT_LT(flipped, 30);
}

TEST_F(LoaderBatches, UnknownBases_AreZerosOrQuarters_AsChosen) {
  const std::string bases = "ACGTNnRa";
  std::vector<float> out(4 * bases.size());
  for (UnknownBase unknown : {UnknownBase::kZeros, UnknownBase::kQuarter}) {
    const float value = unknown == UnknownBase::kQuarter ? 0.25f : 0.0f;
    LoaderOptions options;
    options.unknown_base = unknown;
    options.batch_size = 1;
    LoaderInputs in = inputs(50);
    in.windows = {{"chrA", 990, 1040}};  // crosses the run of N at 1,000-1,030
    auto batch = loader_or_die(std::move(in), options).batch(0, 0);
    ASSERT_TRUE(batch.is_ok());
    for (uint32_t c = 0; c < 4; ++c) {
      EXPECT_EQ(batch->sequence[c * 50 + 15], value) << unknown_base_name(unknown);
      EXPECT_EQ(batch->sequence[c * 50 + 45] == 1.0f || batch->sequence[c * 50 + 45] == 0.0f, true);
    }
  }
}

TEST_F(LoaderBatches, ShiftJitter_MovesWithinMaxShift_AndStaysOnTheChromosome) {
  LoaderOptions options;
  options.batch_size = 1000;
  options.max_shift = 60;
  LoaderInputs in = inputs(200);
  in.windows.push_back({"chrA", 4800, 5000});  // at the end of chrA
  in.windows.push_back({"chrB", 0, 200});      // at the start of chrB
  in.windows.push_back({"chrB", 2300, 2500});  // at the end of track2's chrB
  const std::vector<Region> original = in.windows;
  BatchLoader loader = loader_or_die(std::move(in), options);
  auto batch = loader.batch(1, 0);
  ASSERT_TRUE(batch.is_ok()) << batch.status().message();
  int moved = 0;
  for (uint32_t b = 0; b < batch->size; ++b) {
    const Region& from = original[batch->examples[b]];
    const Region& to = batch->regions[b];
    const int64_t shift = static_cast<int64_t>(to.start) - static_cast<int64_t>(from.start);
    EXPECT_LE(std::abs(shift), 60);
    EXPECT_EQ(to.length(), 200u);
    EXPECT_LE(to.end, to.chrom == "chrA" ? 5000u : 2500u);
    moved += shift != 0 ? 1 : 0;
    auto values = readers_[1]->values(to);
    ASSERT_TRUE(values.is_ok()) << format_region(to);
    EXPECT_TRUE(same_floats(std::span<const float>(batch->targets).subspan((b * 2 + 1) * 200, 200), *values));
  }
  EXPECT_GT(moved, static_cast<int>(batch->size) / 2);
}

TEST_F(LoaderBatches, SameSeed_SameBatches_OnZeroOneTwoAndFourThreads) {
  LoaderOptions options;
  options.batch_size = 7;
  options.bin = 10;
  options.reverse_complement = true;
  options.max_shift = 30;
  options.transform = SignalTransform::kLog1p;
  options.prefetch_batches = 3;
  std::vector<uint64_t> reference;
  for (uint32_t threads : {0u, 1u, 2u, 4u}) {
    options.threads = threads;
    BatchLoader loader = loader_or_die(inputs(150), options);
    std::vector<uint64_t> fingerprints;
    for (const Batch& batch : stream(loader, 2)) fingerprints.push_back(batch_fingerprint(batch));
    if (reference.empty()) {
      reference = fingerprints;
      ASSERT_GT(reference.size(), 10u);
    } else {
      EXPECT_EQ(fingerprints, reference) << threads << " threads";
    }
  }
  // Epochs differ from each other (new order, new augmentation).
  EXPECT_NE(reference.front(), reference[reference.size() / 2]);
}

TEST_F(LoaderBatches, StreamedBatches_EqualRandomAccessBatches_AndCoverTheEpoch) {
  LoaderOptions options;
  options.batch_size = 9;
  options.threads = 2;
  BatchLoader loader = loader_or_die(inputs(200), options);
  const std::vector<Batch> streamed = stream(loader, 1);
  auto count = loader.batches_in_epoch(0);
  ASSERT_TRUE(count.is_ok());
  ASSERT_EQ(streamed.size(), *count);
  std::vector<uint64_t> seen;
  for (const Batch& batch : streamed) {
    auto again = loader.batch(0, batch.number);
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(batch_fingerprint(*again), batch_fingerprint(batch));
    seen.insert(seen.end(), batch.examples.begin(), batch.examples.end());
  }
  std::sort(seen.begin(), seen.end());
  ASSERT_EQ(seen.size(), loader.window_count());
  for (uint64_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], i);
  EXPECT_LT(streamed.back().size, 9u);  // the short last batch is kept
  const LoaderStats stats = loader.stats();
  EXPECT_GE(stats.samples, loader.window_count());
}

TEST_F(LoaderBatches, RecycledBatches_ComeOutTheSameAsFreshOnes) {
  LoaderOptions options;
  options.batch_size = 9;
  options.threads = 2;
  options.reverse_complement = true;
  BatchLoader fresh = loader_or_die(inputs(200), options);
  std::vector<uint64_t> expected;
  for (const Batch& batch : stream(fresh, 2)) expected.push_back(batch_fingerprint(batch));
  BatchLoader recycling = loader_or_die(inputs(200), options);
  std::vector<uint64_t> got;
  for (uint64_t epoch = 0; epoch < 2; ++epoch) {
    ASSERT_TRUE(recycling.start_epoch(epoch).is_ok());
    while (true) {
      auto batch = recycling.next();
      ASSERT_TRUE(batch.is_ok());
      if (!batch->has_value()) break;
      got.push_back(batch_fingerprint(**batch));
      recycling.recycle(std::move(**batch));  // the short last batch is recycled too
    }
  }
  EXPECT_EQ(got, expected);
}

TEST_F(LoaderBatches, DropLast_LeavesOutTheShortBatch) {
  LoaderOptions options;
  options.batch_size = 9;
  options.drop_last = true;
  BatchLoader loader = loader_or_die(inputs(200), options);
  for (const Batch& batch : stream(loader, 1)) EXPECT_EQ(batch.size, 9u);
}

TEST_F(LoaderBatches, LabelsAndPosWeights_FollowTheSampledWindows) {
  LoaderInputs in = inputs(200);
  in.labels.assign(in.windows.size(), 0);
  for (size_t i = 0; i < in.labels.size(); i += 6) in.labels[i] = 1;
  in.labels[1] = -1;  // no data: never drawn
  const std::vector<int32_t> labels = in.labels;
  LoaderOptions options;
  options.batch_size = 16;
  options.sampler.scheme = SamplingScheme::kUnderSample;
  options.sampler.class_weighting = ClassWeighting::kPosWeight;
  BatchLoader loader = loader_or_die(std::move(in), options);
  auto pos = positive_weight(labels);
  ASSERT_TRUE(pos.is_ok());
  int positives = 0, negatives = 0;
  for (const Batch& batch : stream(loader, 1)) {
    ASSERT_EQ(batch.labels.size(), batch.size);
    for (uint32_t b = 0; b < batch.size; ++b) {
      const int32_t label = labels[batch.examples[b]];
      EXPECT_EQ(batch.labels[b], label);
      EXPECT_NE(label, -1);
      EXPECT_FLOAT_EQ(batch.loss_weights[b], label == 1 ? static_cast<float>(*pos) : 1.0f);
      (label == 1 ? positives : negatives) += 1;
    }
  }
  EXPECT_EQ(positives, negatives);
}

TEST_F(LoaderBatches, EachTrackIsReadOncePerBatch) {
  LoaderInputs in = inputs(200);
  auto calls = std::make_shared<std::atomic<int>>(0);
  const SignalSource inner = in.tracks[0];
  in.tracks[0].values_batch = [inner, calls](std::span<const Region> regions, std::span<float> out) {
    ++*calls;
    return inner.values_batch(regions, out);
  };
  LoaderOptions options;
  options.batch_size = 10;
  BatchLoader loader = loader_or_die(std::move(in), options);
  const size_t batches = stream(loader, 1).size();
  EXPECT_EQ(static_cast<size_t>(calls->load()), batches);
}

TEST_F(LoaderBatches, ReadErrorMidEpoch_IsReturnedByNext_AndEndsTheEpoch) {
  LoaderInputs in = inputs(200);
  const SignalSource inner = in.tracks[0];
  in.tracks[0].values_batch = [inner](std::span<const Region> regions, std::span<float> out) -> Status {
    for (const Region& region : regions) {
      if (region.chrom == "chrB") return io_error("track1.bw: byte 1234: read failed");
    }
    return inner.values_batch(regions, out);
  };
  LoaderOptions options;
  options.batch_size = 4;
  options.threads = 2;
  BatchLoader loader = loader_or_die(std::move(in), options);
  ASSERT_TRUE(loader.start_epoch(0).is_ok());
  Status error;
  while (true) {
    auto batch = loader.next();
    if (!batch.is_ok()) {
      error = batch.status();
      break;
    }
    ASSERT_TRUE(batch->has_value()) << "the epoch ended without the read error";
  }
  EXPECT_NE(error.message().find("byte 1234"), std::string::npos);
  auto after = loader.next();
  ASSERT_TRUE(after.is_ok());
  EXPECT_FALSE(after->has_value());
}

TEST_F(LoaderBatches, BadInputs_AreRefusedAtCreation_NamingWindowAndSource) {
  auto refused = [&](LoaderInputs in, const LoaderOptions& options, const std::string& expected) {
    auto loader = BatchLoader::create(std::move(in), options);
    ASSERT_FALSE(loader.is_ok()) << expected;
    EXPECT_NE(loader.status().message().find(expected), std::string::npos) << loader.status().message();
  };
  LoaderInputs unknown_chrom = inputs(100);
  unknown_chrom.windows.push_back({"chrZ", 0, 100});
  refused(std::move(unknown_chrom), {}, "chrZ:0-100: chromosome chrZ is not in genome.fa");
  LoaderInputs past_end = inputs(100);
  past_end.windows.push_back({"chrB", 2450, 2550});  // inside the FASTA, past track2's chrB
  refused(std::move(past_end), {}, "chrB:2,450-2,550 runs past the end of chrB (2,500 bp");
  LoaderInputs uneven = inputs(100);
  uneven.windows.push_back({"chrA", 0, 99});
  refused(std::move(uneven), {}, "every window must have the first one's length, 100 bp");
  LoaderOptions bin;
  bin.bin = 30;
  refused(inputs(100), bin, "window length 100 is not a multiple of bin 30");
  LoaderInputs labels = inputs(100);
  labels.labels = {1, 0};
  refused(std::move(labels), {}, "2 labels for");
  LoaderOptions zero_batch;
  zero_batch.batch_size = 0;
  refused(inputs(100), zero_batch, "batch size");
  LoaderOptions balanced;
  balanced.sampler.scheme = SamplingScheme::kClassBalanced;
  refused(inputs(100), balanced, "needs a label per example");
}

TEST(LoaderOptionsPresets, EveryPresetIsValid_AndUnknownNamesAreRefused) {
  for (const std::string& name : loader_preset_names()) {
    auto options = loader_preset(name);
    ASSERT_TRUE(options.is_ok()) << name;
    EXPECT_TRUE(validate_loader_options(*options).is_ok()) << name;
  }
  auto bpnet = loader_preset("bpnet");
  EXPECT_TRUE(bpnet->reverse_complement);
  EXPECT_EQ(bpnet->max_shift, 100u);
  auto unknown = loader_preset("enformer");
  ASSERT_FALSE(unknown.is_ok());
  EXPECT_NE(unknown.status().message().find("default, bpnet, tutorial1, benchmark"), std::string::npos);
}

// Pinned natively; the wasm run must give the same bits (arcsinh from libm included).
TEST_F(LoaderBatches, EpochFingerprint_IsTheSameNativeAndWasm) {
  LoaderOptions options;
  options.batch_size = 6;
  options.bin = 20;
  options.transform = SignalTransform::kArcsinh;
  options.reverse_complement = true;
  options.max_shift = 25;
  options.unknown_base = UnknownBase::kQuarter;
  options.sampler.seed = 2026;
  BatchLoader loader = loader_or_die(inputs(100), options);
  ContentHash combined;
  for (const Batch& batch : stream(loader, 2)) combined.update(hex64(batch_fingerprint(batch)));
  EXPECT_EQ(hex64(combined.finish()), "608839a46c50d078");
}

}  // namespace
}  // namespace epibook
