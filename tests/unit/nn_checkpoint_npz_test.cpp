// The .npz export as a file format: a model's state_dict survives the round trip to
// the bit, loading refuses archives that do not fit the model (and then changes
// nothing), and damaged archives give messages, never crashes.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "epibook/nn.h"
#include "epibook/nn/state_dict.h"
#include "unit/nn_gradient_check.h"

namespace epibook::nn {
namespace {

std::unique_ptr<Sequential> model_with_buffers(uint64_t seed) {
  auto model = std::make_unique<Sequential>(seed);
  Conv1DOptions conv;
  conv.in_channels = 4;
  conv.out_channels = 3;
  conv.kernel_size = 5;
  model->add(Conv1D::create(conv)).add(BatchNorm1D::create(3)).add(LayerPtr(new Flatten())).add(Dense::create(3 * 6, 2));
  EXPECT_TRUE(model->check().is_ok());
  return model;
}

TEST(NnCheckpointNpz, RoundTrip_RestoresParametersBuffersAndCountersBitForBit) {
  auto model = model_with_buffers(1);
  ASSERT_TRUE(model->run(testing::random_tensor({3, 4, 10}, 2)).is_ok());
  const nlohmann::json architecture = model->describe();
  auto bytes = state_dict_npz_bytes(ModelState::of(*model), &architecture);
  ASSERT_TRUE(bytes.is_ok());
  auto other = model_with_buffers(2);
  ASSERT_TRUE(load_state_dict_npz_bytes(*bytes, "model.npz", ModelState::of(*other)).is_ok());
  for (size_t i = 0; i < model->parameters().size(); ++i) {
    EXPECT_TRUE(testing::same_values(model->parameters()[i]->value, other->parameters()[i]->value));
  }
  EXPECT_TRUE(testing::same_values(model->buffers()[1]->value, other->buffers()[1]->value));
  EXPECT_EQ(other->counters()[0]->name, "1.num_batches_tracked");
  EXPECT_EQ(other->counters()[0]->value, 1u);
  // The same model always writes the same bytes (fixed zip dates, fixed order).
  EXPECT_EQ(*bytes, *state_dict_npz_bytes(ModelState::of(*model), &architecture));
}

TEST(NnCheckpointNpz, MismatchedArchive_IsRefusedAndLeavesTheModelUnchanged) {
  auto model = model_with_buffers(1);
  auto bytes = state_dict_npz_bytes(ModelState::of(*model), nullptr);
  ASSERT_TRUE(bytes.is_ok());
  Sequential wider(3);
  Conv1DOptions conv;
  conv.in_channels = 4;
  conv.out_channels = 5;
  conv.kernel_size = 5;
  wider.add(Conv1D::create(conv));
  const Tensor before = wider.parameters()[0]->value;
  Status status = load_state_dict_npz_bytes(*bytes, "model.npz", ModelState::of(wider));
  ASSERT_FALSE(status.is_ok());
  EXPECT_EQ(status.message(), "model.npz: 0.weight: shape [3, 4, 5] does not match the model's [5, 4, 5]");
  EXPECT_TRUE(testing::same_values(before, wider.parameters()[0]->value));

  Sequential fewer(3);
  conv.out_channels = 3;
  fewer.add(Conv1D::create(conv));
  status = load_state_dict_npz_bytes(*bytes, "model.npz", ModelState::of(fewer));
  ASSERT_FALSE(status.is_ok());
  EXPECT_NE(status.message().find("is not a tensor of this model"), std::string::npos) << status.message();
}

TEST(NnCheckpointNpz, DamagedArchives_FailWithMessagesNeverCrash) {
  auto model = model_with_buffers(1);
  const nlohmann::json architecture = model->describe();
  const std::string valid = *state_dict_npz_bytes(ModelState::of(*model), &architecture);
  CounterRng rng(77);
  int refused = 0;
  for (int round = 0; round < 600; ++round) {
    std::string damaged = valid;
    if (round % 3 == 0) {
      damaged.resize(rng.next_below(valid.size()));
    } else {
      for (int flips = 1 + static_cast<int>(rng.next_below(4)); flips > 0; --flips) {
        damaged[rng.next_below(damaged.size())] = static_cast<char>(rng.next_below(256));
      }
    }
    auto target = model_with_buffers(1);
    Status status = load_state_dict_npz_bytes(damaged, "damaged.npz", ModelState::of(*target));
    if (!status.is_ok()) {
      ++refused;
      EXPECT_EQ(status.message().rfind("damaged.npz: ", 0), 0u) << status.message();
    }
  }
  EXPECT_GT(refused, 400);
}

}  // namespace
}  // namespace epibook::nn
