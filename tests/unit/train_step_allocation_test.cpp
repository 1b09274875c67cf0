// A training step allocates nothing once the first step has sized every buffer:
// tensors, scratch and worker tasks all reuse their storage. Checked by counting every
// call of the global operator new in this test program (tensors and backend scratch
// allocate through the aligned operator new, so they are counted too).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "epibook/train.h"
#include "unit/train_dataset_fixture.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<uint64_t> allocations{0};

void* allocate(std::size_t size, std::size_t alignment) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
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

}  // namespace
}  // namespace epibook
