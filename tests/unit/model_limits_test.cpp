// The limits on a model's size (model_limits.h): a model is counted from its spec and the
// data's row shapes before any layer is made, refused past a limit with the setting at
// fault and the size it reaches, and built when it fits, to the exact limit. The counts
// are checked against the layer arithmetic written out here, and against the model built.
#include <gtest/gtest.h>

#include "epibook/model_limits.h"
#include "epibook/train.h"

namespace epibook {
namespace {

// The default preset (2 conv blocks of 32 channels, kernel 9, pool 2, a dense head on
// the channels' means) on one-hot 1,024 bp windows and one target a row:
//   parameters: block 1 32 x 4 x 9 + 32 = 1,184; block 2 32 x 32 x 9 + 32 = 9,248;
//               head 1 x 32 + 1 = 33; in all 10,465.
//   values a row: input 4 x 1,024 = 4,096; block 1 2 x 32 x 1,024 = 65,536, pooled
//               32 x 512 = 16,384; block 2 2 x 32 x 512 = 32,768, pooled 32 x 256 = 8,192;
//               head 1; in all 126,977, each kept with its gradient (8 bytes).
constexpr int64_t kDefaultParameters = 10465;
constexpr int64_t kDefaultRowValues = 126977;
const nn::Shape kInput{1, 4, 1024};
const nn::Shape kTarget{1, 1};

std::string refusal(const ModelSpec& spec, const nn::Shape& input, const ModelLimits& limits) {
  Result<nn::LayerPtr> model = build_model_within(spec, input, kTarget, 1, limits);
  return model.is_ok() ? std::string("(accepted)") : model.status().message();
}

TEST(ModelLimits, TheDefaultModelFitsToTheExactCountAndNotOneBelow) {
  const ModelSpec spec;
  const int64_t batch_bytes = kDefaultRowValues * 8 * 64;  // 62 MiB (model_limits.h)
  Result<nn::LayerPtr> model = build_model_within(spec, kInput, kTarget, 1, ModelLimits{kDefaultParameters, batch_bytes, 64, ""});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  int64_t parameters = 0;
  for (nn::Parameter* p : (*model)->parameters()) parameters += p->value.size();
  EXPECT_EQ(parameters, kDefaultParameters);
  EXPECT_EQ(refusal(spec, kInput, ModelLimits{kDefaultParameters - 1, batch_bytes, 64, "a test"}),
            "model.head = \"global_avg_dense\": model.head has 1 x 32 weights (outputs x features), which takes "
            "the model to 10465 parameters, past the 10464 a test may use");
  EXPECT_EQ(refusal(spec, kInput, ModelLimits{kDefaultParameters, batch_bytes - 1, 64, "a test"}),
            "train.batch_size = 64: a row holds 126977 values (the input and every layer's outputs), so a batch "
            "holds 62.0 MiB of activations and their gradients, past the 62.0 MiB a test may use; a batch of 63 "
            "rows or fewer fits");
  // Well inside a training run's limits, as every run of the book is.
  EXPECT_EQ(refusal(spec, kInput, training_model_limits(64)), "(accepted)");
}

TEST(ModelLimits, AnAbsurdSettingIsRefusedByNameBeforeAnythingIsMade) {
  const ModelLimits run = training_model_limits(64);
  ModelSpec wide;
  wide.channels = int64_t{1} << 40;
  EXPECT_EQ(refusal(wide, kInput, run).rfind("model.channels = 1099511627776: conv block 1 has 1099511627776 x 4 x 9 "
                                              "weights (model.channels x input channels x model.kernel_size), which "
                                              "takes the model to 40681930227712 parameters, past the 268435456 a "
                                              "training run may use", 0),
            0u)
      << refusal(wide, kInput, run);
  ModelSpec long_kernel;
  long_kernel.kernel_size = int64_t{1} << 30;
  EXPECT_EQ(refusal(long_kernel, kInput, run).rfind("model.kernel_size = 1073741824: conv block 1 has 32 x 4 x 1073741824 weights", 0), 0u)
      << refusal(long_kernel, kInput, run);
  // Deep: block 1 has 1,184 parameters and each later one 9,248, so block
  // 2 + (2^28 - 1,184) / 9,248 = 29,028 is the first past 2^28 (rows of 40 values, batches of 1).
  ModelSpec deep;
  deep.conv_layers = 1000000;
  deep.pool = 0;
  EXPECT_EQ(refusal(deep, nn::Shape{1, 4, 40}, training_model_limits(1))
                .rfind("model.conv_layers = 1000000: conv block 29028 has 32 x 32 x 9 weights", 0),
            0u)
      << refusal(deep, nn::Shape{1, 4, 40}, training_model_limits(1));
  // A window of 2^28 bp: one row of block 1's output alone (2 x 32 x 2^28 values, and
  // their gradients) passes the 8 GiB a batch may hold.
  EXPECT_EQ(refusal(ModelSpec(), nn::Shape{1, 4, int64_t{1} << 28}, run)
                .rfind("model.channels = 32: conv block 1 outputs 2 x 32 x 268435456 values a row", 0),
            0u)
      << refusal(ModelSpec(), nn::Shape{1, 4, int64_t{1} << 28}, run);
  // A batch too large: 8 GiB / (126,977 x 8 bytes) = 8,456 rows fit.
  const std::string batch = refusal(ModelSpec(), kInput, training_model_limits(100000));
  EXPECT_EQ(batch.rfind("train.batch_size = 100000: a row holds 126977 values", 0), 0u) << batch;
  EXPECT_NE(batch.find("a batch of 8456 rows or fewer fits"), std::string::npos) << batch;
}

}  // namespace
}  // namespace epibook
