// A training step allocates nothing once the first step has sized every buffer:
// tensors, scratch and worker tasks all reuse their storage; and a model past a training
// run's limits is refused without allocating its tensors. Checked by counting every call
// of the global operator new in this test program, and the largest size asked (tensors
// and backend scratch allocate through the aligned operator new, so they are counted too).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <utility>

#include "epibook/model_limits.h"
#include "epibook/train.h"
#include "unit/train_dataset_fixture.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<uint64_t> allocations{0};
std::atomic<std::size_t> largest{0};

void* allocate(std::size_t size, std::size_t alignment) {
  if (counting.load(std::memory_order_relaxed)) {
    allocations.fetch_add(1, std::memory_order_relaxed);
    std::size_t seen = largest.load(std::memory_order_relaxed);
    while (size > seen && !largest.compare_exchange_weak(seen, size, std::memory_order_relaxed)) {
    }
  }
  if (size == 0) size = 1;
  void* p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(size);
  } else {
    size = (size + alignment - 1) / alignment * alignment;
    p = std::aligned_alloc(alignment, size);
  }
  return p;
}

}  // namespace

// The replaceable global allocation functions, counting when asked.
void* operator new(std::size_t size) {
  if (void* p = allocate(size, 0)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, std::align_val_t alignment) {
  if (void* p = allocate(size, static_cast<std::size_t>(alignment))) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t alignment) { return operator new(size, alignment); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return allocate(size, 0); }
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate(size, static_cast<std::size_t>(alignment));
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return allocate(size, static_cast<std::size_t>(alignment));
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace epibook {
namespace {

// Allocations made by `steps` training steps (after the trainer's first step).
uint64_t allocations_in_steps(const TrainOptions& o, int steps) {
  const testing::MotifDataset d = testing::make_motif_dataset(96, 64, 5);
  TrainingData data;
  data.inputs = nn::Tensor::from_values({96, 4, 64}, d.inputs);
  data.targets = nn::Tensor::from_values({96, 1}, d.labels);
  data.split = d.split;
  auto model = build_model(o.model, nn::Shape{1, 4, 64}, nn::Shape{1, 1}, o.seed);
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  auto trainer = Trainer::create(**model, data, o);
  EXPECT_TRUE(trainer.is_ok()) << trainer.status().message();
  EXPECT_TRUE((*trainer)->step().is_ok());
  // The allocation counter itself works: a fresh tensor is counted.
  counting = true;
  const uint64_t before_probe = allocations.load();
  { nn::Tensor probe(nn::Shape{16}); }
  EXPECT_EQ(allocations.load() - before_probe, 1u);
  const uint64_t before = allocations.load();
  for (int i = 0; i < steps && !(*trainer)->epoch_done(); ++i) EXPECT_TRUE((*trainer)->step().is_ok());
  const uint64_t made = allocations.load() - before;
  counting = false;
  return made;
}

TrainOptions step_options(OptimizerKind optimizer, int threads) {
  TrainOptions o = *train_preset("quick");
  o.data.dir = "in-memory";
  o.loss = "bce";
  o.model.conv_layers = 3;
  o.model.channels = 16;
  o.model.kernel_size = 5;
  o.model.pool = 2;
  o.optimizer = optimizer;
  o.sgd.momentum = 0.9;
  o.batch_size = 16;  // 77 training rows: steps 2 to 5 include the epoch's short batch
  o.epochs = 1;
  o.clip_norm = 1.0;
  o.threads = threads;
  return o;
}

TEST(TrainStep, AllocatesNothingAfterTheFirstStep) {
  for (const OptimizerKind optimizer : {OptimizerKind::kAdamW, OptimizerKind::kSgd}) {
    for (const int threads : {1, 2}) {
      EXPECT_EQ(allocations_in_steps(step_options(optimizer, threads), 4), 0u)
          << optimizer_kind_name(optimizer) << ", " << threads << " threads";
    }
  }
}

// 2^23 channels on one-hot rows: block 1 alone would be 2^23 x 4 x 9 weights (1.2 GB),
// past 2^28 parameters. The refusal asks for nothing near a tensor of them: its largest
// allocation is a message's, far under a megabyte.
TEST(TrainStep, AModelPastTheLimitsIsRefusedWithoutAllocatingIt) {
  // The model of `channels` built within a training run's limits, with the largest
  // allocation made while it was built.
  const auto build_counted = [](int64_t channels) {
    ModelSpec spec;
    spec.channels = channels;
    largest = 0;
    counting = true;
    Result<nn::LayerPtr> model = build_model_within(spec, nn::Shape{1, 4, 64}, nn::Shape{1, 1}, 1,
                                                    training_model_limits(64));
    counting = false;
    return std::make_pair(std::move(model), largest.load());
  };
  const auto [model, model_largest] = build_counted(int64_t{1} << 23);
  ASSERT_FALSE(model.is_ok());
  EXPECT_EQ(model.status().message().rfind("model.channels = 8388608: conv block 1 has 8388608 x 4 x 9 weights", 0), 0u)
      << model.status().message();
  EXPECT_LT(model_largest, std::size_t{1} << 20);
  // The counter sees a tensor's allocation: the same model of 2^10 channels is built.
  const auto [built, built_largest] = build_counted(int64_t{1} << 10);
  ASSERT_TRUE(built.is_ok()) << built.status().message();
  EXPECT_GE(built_largest, std::size_t{1024} * 1024 * 9 * sizeof(float));  // block 2's weights
}

}  // namespace
}  // namespace epibook
