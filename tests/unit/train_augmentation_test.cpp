// Augmentation of training rows (augmentation.h) against planted truth: a known sequence
// and its reverse complement base by base, RC twice is the row itself, a shift moves
// sequence and per-bin targets together by whole bins, a row's draw does not depend on
// the batch it is in nor on the thread count, validation rows are never touched, and on
// a motif planted on one strand in training and the other in validation, RC
// augmentation is what lets a model find it.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "epibook/augmentation.h"
#include "epibook/metrics.h"
#include "epibook/random.h"
#include "epibook/train.h"

namespace epibook {
namespace {

constexpr char kBases[] = "ACGT";

// One-hot [4, L] of `sequence` (channels A, C, G, T), an N as an all-zero column.
std::vector<float> one_hot(const std::string& sequence) {
  const auto length = sequence.size();
  std::vector<float> out(4 * length, 0.0f);
  for (size_t i = 0; i < length; ++i) {
    const size_t c = std::string_view(kBases).find(sequence[i]);
    if (c != std::string_view::npos) out[c * length + i] = 1.0f;
  }
  return out;
}

// The sequence a one-hot [4, L] row spells ('N' for an all-zero column).
std::string spelled(std::span<const float> row, size_t length) {
  std::string out(length, 'N');
  for (size_t i = 0; i < length; ++i) {
    for (size_t c = 0; c < 4; ++c) {
      if (row[c * length + i] == 1.0f) out[i] = kBases[c];
    }
  }
  return out;
}

std::string random_dna(CounterRng& rng, size_t length) {
  std::string s(length, 'A');
  for (char& base : s) base = kBases[rng.next_below(4)];
  return s;
}

TEST(Augmentation, ReverseComplementOfAKnownSequenceAndItsBins) {
  std::vector<float> input = one_hot("GATTACAC");
  std::vector<float> target = {1, 2, 3, 4, 10, 20, 30, 40};  // [2 tracks, 4 bins of 2 bp]
  augment_row({true, 0}, input, 8, target, 2, true);
  EXPECT_EQ(spelled(input, 8), "GTGTAATC");
  EXPECT_EQ(target, (std::vector<float>{4, 3, 2, 1, 40, 30, 20, 10}));
}

TEST(Augmentation, ReverseComplementTwiceIsTheRowItself) {
  CounterRng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const std::vector<float> original = one_hot(random_dna(rng, 64));
    std::vector<float> target(3 * 16);
    for (float& v : target) v = static_cast<float>(rng.next_double());
    const std::vector<float> original_target = target;
    std::vector<float> row = original;
    augment_row({true, 0}, row, 64, target, 3, true);
    EXPECT_NE(row, original);
    augment_row({true, 0}, row, 64, target, 3, true);
    EXPECT_EQ(row, original);
    EXPECT_EQ(target, original_target);
  }
}

TEST(Augmentation, ShiftMovesSequenceAndBinsTogetherWithNsAndZerosLeftBehind) {
  std::vector<float> input = one_hot("AACCGGTT");
  std::vector<float> target = {1, 2, 3, 4};  // one track, 4 bins of 2 bp
  augment_row({false, 2}, input, 8, target, 1, true);
  EXPECT_EQ(spelled(input, 8), "NNAACCGG");
  EXPECT_EQ(target, (std::vector<float>{0, 1, 2, 3}));
  input = one_hot("AACCGGTT");
  target = {1, 2, 3, 4};
  augment_row({false, -4}, input, 8, target, 1, true);
  EXPECT_EQ(spelled(input, 8), "GGTTNNNN");
  EXPECT_EQ(target, (std::vector<float>{3, 4, 0, 0}));
  // A per-window target (a label) keeps its value.
  input = one_hot("AACCGGTT");
  std::vector<float> label = {1};
  augment_row({true, 3}, input, 8, label, 0, false);
  EXPECT_EQ(spelled(input, 8), "NNNAACCG");  // RC is AACCGGTT again, then 3 bp right
  EXPECT_EQ(label, std::vector<float>{1});
}

TEST(Augmentation, StepIsTheTargetBinAndBadShapesAreRefusedByKey) {
  Augmentation a{true, 50};
  EXPECT_EQ(*augmentation_step(a, nn::Shape{8, 4, 400}, nn::Shape{8, 1, 16}), 25);
  EXPECT_EQ(*augmentation_step(a, nn::Shape{8, 4, 400}, nn::Shape{8, 1}), 1);
  EXPECT_EQ(*augmentation_step(a, nn::Shape{8, 4, 400}, nn::Shape{8, 1, 400}), 1);
  const Status channels = augmentation_step(a, nn::Shape{8, 5, 400}, nn::Shape{8, 1}).status();
  EXPECT_NE(channels.message().find("one-hot DNA inputs [N, 4, L]"), std::string::npos) << channels.message();
  const Status tiling = augmentation_step(a, nn::Shape{8, 4, 400}, nn::Shape{8, 1, 15}).status();
  EXPECT_NE(tiling.message().find("do not tile"), std::string::npos) << tiling.message();
  const Status small = augmentation_step({false, 10}, nn::Shape{8, 4, 400}, nn::Shape{8, 1, 16}).status();
  EXPECT_NE(small.message().find("augment.max_shift 10 bp is less than one target bin (25 bp)"), std::string::npos)
      << small.message();
  EXPECT_FALSE(augmentation_step({false, 400}, nn::Shape{8, 4, 400}, nn::Shape{8, 1}).is_ok());
}

TEST(Augmentation, DrawsAreHalfReversedAndShiftsUniformOverWholeBins) {
  const Augmentation a{true, 100};
  const int64_t step = 25;  // shifts -100, -75, ..., 100: 9 values
  std::vector<int> counts(9, 0);
  int reversed = 0;
  const int rows = 18000;
  for (int r = 0; r < rows; ++r) {
    const RowAugmentation d = draw_row_augmentation(a, 3, 1, static_cast<uint32_t>(r), step);
    ASSERT_EQ(d.shift % step, 0);
    ASSERT_LE(std::abs(d.shift), 100);
    ++counts[static_cast<size_t>(d.shift / step + 4)];
    reversed += d.reverse ? 1 : 0;
  }
  // Binomial sd: sqrt(n p (1 - p)); every count within 5 sd of its expectation.
  EXPECT_NEAR(reversed, rows / 2, 5 * std::sqrt(rows * 0.25));
  for (int c : counts) EXPECT_NEAR(c, rows / 9.0, 5 * std::sqrt(rows * (1.0 / 9) * (8.0 / 9)));
  // Another epoch draws again; off, nothing is drawn.
  int same = 0;
  for (uint32_t r = 0; r < 1000; ++r) same += draw_row_augmentation(a, 3, 1, r, step) == draw_row_augmentation(a, 3, 2, r, step);
  EXPECT_LT(same, 300);
  EXPECT_EQ(draw_row_augmentation(Augmentation{}, 3, 1, 5, step), RowAugmentation{});
}

TEST(Augmentation, ARowGetsTheSameBitsInAnyBatch) {
  CounterRng rng(11);
  const int64_t rows = 12, length = 40;
  nn::Tensor all_inputs(nn::Shape{rows, 4, length}), all_targets(nn::Shape{rows, 2, 8});
  for (int64_t r = 0; r < rows; ++r) {
    const std::vector<float> row = one_hot(random_dna(rng, length));
    std::copy(row.begin(), row.end(), all_inputs.data() + r * 4 * length);
  }
  for (float& v : all_targets.values()) v = static_cast<float>(rng.next_double());
  const Augmentation a{true, 15};
  auto batch_of = [&](std::vector<uint32_t> ids) {
    nn::Tensor inputs, targets;
    gather_rows(all_inputs, ids, inputs);
    gather_rows(all_targets, ids, targets);
    EXPECT_TRUE(augment_batch(a, 9, 4, ids, inputs, targets).is_ok());
    return std::pair{inputs, targets};
  };
  const auto [big_in, big_tg] = batch_of({3, 7, 0, 11, 5});
  const auto [one_in, one_tg] = batch_of({11});
  EXPECT_EQ(0, std::memcmp(big_in.data() + 3 * 4 * length, one_in.data(), 4 * length * sizeof(float)));
  EXPECT_EQ(0, std::memcmp(big_tg.data() + 3 * 16, one_tg.data(), 16 * sizeof(float)));
  // Something happened to some row (each is left as it was with chance 1/2 x 1/7).
  nn::Tensor plain;
  gather_rows(all_inputs, std::vector<uint32_t>{3, 7, 0, 11, 5}, plain);
  EXPECT_NE(0, std::memcmp(plain.data(), big_in.data(), static_cast<size_t>(plain.size()) * sizeof(float)));
}

// A motif on one strand in training and the other in validation: rows of random DNA,
// half with GATAAG planted (label 1), as CTTATC (its reverse complement) in validation.
TrainingData strand_split_motif_data(uint64_t train_rows, uint64_t validation_rows, int64_t length, uint64_t seed) {
  const uint64_t rows = train_rows + validation_rows;
  TrainingData d;
  d.inputs.resize(nn::Shape{static_cast<int64_t>(rows), 4, length});
  d.targets.resize(nn::Shape{static_cast<int64_t>(rows), 1});
  CounterRng rng(seed);
  for (uint64_t r = 0; r < rows; ++r) {
    const bool validation = r >= train_rows;
    std::string sequence = random_dna(rng, static_cast<size_t>(length));
    const bool planted = rng.next_below(2) == 1;
    if (planted) sequence.replace(rng.next_below(static_cast<uint64_t>(length) - 6), 6, validation ? "CTTATC" : "GATAAG");
    const std::vector<float> row = one_hot(sequence);
    std::copy(row.begin(), row.end(), d.inputs.data() + static_cast<int64_t>(r) * 4 * length);
    d.targets[static_cast<int64_t>(r)] = planted ? 1.0f : 0.0f;
    d.split.push_back(validation ? 1 : 0);
  }
  return d;
}

TrainOptions strand_options() {
  TrainOptions o;
  o.data.dir = "memory";
  o.loss = "bce";
  o.model.conv_layers = 1;
  o.model.channels = 8;
  o.model.kernel_size = 7;
  o.model.pool = 0;
  o.model.head = "global_max_dense";
  o.batch_size = 16;
  o.epochs = 6;
  o.schedule.base = 0.01;
  o.seed = 2;
  return o;
}

struct Trained {
  std::vector<EpochRecord> epochs;
  std::string weights;
  nn::Tensor validation_outputs, validation_targets;
  nn::LayerPtr model;
};

Trained train(const TrainingData& data, const TrainOptions& o) {
  Trained t;
  auto model = build_model(o.model, data.inputs.shape(), data.targets.shape(), o.seed);
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  t.model = std::move(model).value();
  auto trainer = Trainer::create(*t.model, data, o);
  EXPECT_TRUE(trainer.is_ok()) << trainer.status().message();
  if (!trainer.is_ok()) return t;
  while (!(*trainer)->finished()) {
    auto record = (*trainer)->run_epoch();
    EXPECT_TRUE(record.is_ok()) << record.status().message();
    if (!record.is_ok()) break;
    t.epochs.push_back(*record);
  }
  for (nn::Parameter* p : t.model->parameters()) {
    t.weights.append(reinterpret_cast<const char*>(p->value.data()), static_cast<size_t>(p->value.size()) * sizeof(float));
  }
  t.validation_outputs = (*trainer)->validation_outputs();
  t.validation_targets = (*trainer)->validation_targets();
  return t;
}

double metric(const EpochRecord& record, const std::string& name) {
  for (const MetricValue& m : record.validation) {
    if (m.name == name) return m.value;
  }
  return NAN;
}

TEST(TrainerAugmentation, SameBitsOnOneAndTwoThreadsAndValidationRowsUntouched) {
  const TrainingData data = strand_split_motif_data(96, 48, 40, 3);
  TrainOptions o = strand_options();
  o.epochs = 2;
  o.augment = {true, 5};
  const Trained one = train(data, o);
  o.threads = 2;
  const Trained two = train(data, o);
  ASSERT_FALSE(one.weights.empty());
  EXPECT_EQ(one.weights, two.weights);
  // The validation targets are the data's own rows, and the outputs the model's on the
  // rows as stored: nothing reversed or shifted.
  const std::vector<uint32_t> rows = data.rows_of(1);
  nn::Tensor inputs, targets;
  gather_rows(data.inputs, rows, inputs);
  gather_rows(data.targets, rows, targets);
  ASSERT_EQ(one.validation_targets.size(), targets.size());
  EXPECT_EQ(0, std::memcmp(one.validation_targets.data(), targets.data(), static_cast<size_t>(targets.size()) * sizeof(float)));
  auto outputs = predict(*one.model, inputs, 7);
  ASSERT_TRUE(outputs.is_ok());
  ASSERT_EQ(outputs->size(), one.validation_outputs.size());
  for (int64_t i = 0; i < outputs->size(); ++i) EXPECT_NEAR((*outputs)[i], one.validation_outputs[i], 1e-5f);
  // And the augmentation did change training: other weights than without it.
  o.augment = {};
  o.threads = 1;
  EXPECT_NE(train(data, o).weights, one.weights);
}

TEST(TrainerAugmentation, ReverseComplementFindsAMotifSeenOnTheOtherStrandOnly) {
  const TrainingData data = strand_split_motif_data(320, 160, 40, 5);
  TrainOptions o = strand_options();
  const Trained plain = train(data, o);
  o.augment.reverse_complement = true;
  const Trained augmented = train(data, o);
  ASSERT_FALSE(plain.epochs.empty());
  ASSERT_FALSE(augmented.epochs.empty());
  const double without = metric(plain.epochs.back(), "auroc");
  const double with = metric(augmented.epochs.back(), "auroc");
  // GATAAG learnt on one strand says little about CTTATC; learnt on both, it is found.
  EXPECT_LT(without, 0.75) << "without RC";
  EXPECT_GT(with, 0.9) << "with RC";
}

TEST(TrainerAugmentation, RefusesInputsItCannotAugmentAtCreate) {
  TrainingData data;
  data.inputs.resize(nn::Shape{4, 6});
  data.targets.resize(nn::Shape{4, 1});
  data.split = {0, 0, 1, 1};
  TrainOptions o = strand_options();
  o.model.conv_layers = 0;
  o.model.head = "flatten_dense";
  o.augment.max_shift = 2;
  auto model = build_model(o.model, data.inputs.shape(), data.targets.shape(), o.seed);
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  auto trainer = Trainer::create(**model, data, o);
  ASSERT_FALSE(trainer.is_ok());
  EXPECT_NE(trainer.status().message().find("one-hot DNA inputs"), std::string::npos) << trainer.status().message();
}

TEST(TrainOptionsAugment, ReadBackFromJsonAndToml) {
  TrainOptions o;
  o.data.dir = "d";
  o.augment = {true, 25};
  auto back = parse_train_options_json(train_options_json(o));
  ASSERT_TRUE(back.is_ok()) << back.status().message();
  EXPECT_TRUE(back->augment.reverse_complement);
  EXPECT_EQ(back->augment.max_shift, 25u);
  const std::string toml = train_options_toml(o);
  EXPECT_NE(toml.find("[augment]\nreverse_complement = true\nmax_shift = 25\n"), std::string::npos) << toml;
  auto wrong = parse_train_options_json(R"({"augment": {"max_shift": "ten"}})");
  ASSERT_FALSE(wrong.is_ok());
  EXPECT_NE(wrong.status().message().find("augment.max_shift"), std::string::npos) << wrong.status().message();
}

}  // namespace
}  // namespace epibook
