// Two runs side by side, as a lab's A/B comparison steps them: each Trainer owns its
// backend (threads, scratch), so two trainers stepped in turn, with different seeds and
// thread counts, give exactly the curves and weights each gives alone.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "epibook/nn/backend.h"
#include "epibook/train.h"
#include "unit/train_dataset_fixture.h"

namespace epibook {
namespace {

TrainingData motif_data() {
  const testing::MotifDataset d = testing::make_motif_dataset(96, 48, 11);
  TrainingData data;
  data.inputs = nn::Tensor::from_values({96, 4, 48}, d.inputs);
  data.targets = nn::Tensor::from_values({96, 1}, d.labels);
  data.split = d.split;
  return data;
}

TrainOptions run_options(uint64_t seed, int threads, OptimizerKind optimizer) {
  TrainOptions o = *train_preset("quick");
  o.data.dir = "in-memory";
  o.loss = "bce";
  o.model.conv_layers = 2;
  o.model.channels = 16;
  o.model.pool = 2;
  o.optimizer = optimizer;
  o.sgd.momentum = 0.9;
  o.batch_size = 16;  // 77 training rows: the last batch of an epoch is short
  o.epochs = 3;
  o.schedule.base = 0.01;
  o.seed = seed;
  o.threads = threads;
  return o;
}

// What a run leaves: its loss per step, validation loss per epoch, the final weights.
struct Curve {
  std::vector<double> step_losses;
  std::vector<double> validation_losses;
  std::vector<float> weights;
};

struct TrainingRun {
  TrainOptions options;
  nn::LayerPtr model;
  std::unique_ptr<Trainer> trainer;
  Curve curve;
};

TrainingRun start_run(const TrainingData& data, const TrainOptions& o) {
  TrainingRun run{o, nullptr, nullptr, {}};
  auto model = build_model(o.model, nn::Shape{1, 4, 48}, nn::Shape{1, 1}, o.seed);
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  run.model = std::move(*model);
  auto trainer = Trainer::create(*run.model, data, o);
  EXPECT_TRUE(trainer.is_ok()) << trainer.status().message();
  run.trainer = std::move(*trainer);
  return run;
}

// One step, or the epoch's end when its batches are done; false once finished.
bool advance(TrainingRun& run) {
  Trainer& trainer = *run.trainer;
  if (trainer.finished()) return false;
  if (trainer.epoch_done()) {
    auto record = trainer.finish_epoch();
    EXPECT_TRUE(record.is_ok()) << record.status().message();
    if (record.is_ok() && record->validation_loss) run.curve.validation_losses.push_back(*record->validation_loss);
    return true;
  }
  auto loss = trainer.step();
  EXPECT_TRUE(loss.is_ok()) << loss.status().message();
  return loss.is_ok();
}

void finish(TrainingRun& run) {
  run.curve.step_losses = run.trainer->state().step_losses;
  for (nn::Parameter* p : run.model->parameters()) {
    run.curve.weights.insert(run.curve.weights.end(), p->value.values().begin(), p->value.values().end());
  }
}

Curve alone(const TrainingData& data, const TrainOptions& o) {
  TrainingRun run = start_run(data, o);
  while (advance(run)) {
  }
  finish(run);
  return run.curve;
}

int effective_threads(int asked) {
#ifdef __EMSCRIPTEN__
  return 1;  // no threads in WebAssembly
#else
  return asked;
#endif
}

TEST(TwoTrainers, SteppedInTurnGiveTheCurvesEachGivesAlone) {
  const TrainingData data = motif_data();
  const TrainOptions a_options = run_options(1, 1, OptimizerKind::kAdamW);
  const TrainOptions b_options = run_options(2, 2, OptimizerKind::kSgd);
  const Curve a_alone = alone(data, a_options);
  const Curve b_alone = alone(data, b_options);
  ASSERT_EQ(a_alone.step_losses.size(), 15u);  // 3 epochs x 5 batches
  ASSERT_EQ(a_alone.validation_losses.size(), 3u);
  // Different seeds and optimisers: two different runs, not one run twice.
  ASSERT_NE(a_alone.step_losses, b_alone.step_losses);

  TrainingRun a = start_run(data, a_options);
  TrainingRun b = start_run(data, b_options);
  // Each model runs on its own trainer's backend, with that run's threads.
  EXPECT_EQ(a.model->attached_backend(), &a.trainer->backend());
  EXPECT_EQ(b.model->attached_backend(), &b.trainer->backend());
  EXPECT_NE(&a.trainer->backend(), &b.trainer->backend());
  EXPECT_EQ(a.trainer->backend().threads(), 1);
  EXPECT_EQ(b.trainer->backend().threads(), effective_threads(2));
  // Steps interleaved one for one, validations included, as two labs' frames would.
  bool a_running = true, b_running = true;
  while (a_running || b_running) {
    if (a_running) a_running = advance(a);
    if (b_running) b_running = advance(b);
  }
  finish(a);
  finish(b);
  EXPECT_EQ(a.curve.step_losses, a_alone.step_losses);
  EXPECT_EQ(a.curve.validation_losses, a_alone.validation_losses);
  EXPECT_EQ(a.curve.weights, a_alone.weights);
  EXPECT_EQ(b.curve.step_losses, b_alone.step_losses);
  EXPECT_EQ(b.curve.validation_losses, b_alone.validation_losses);
  EXPECT_EQ(b.curve.weights, b_alone.weights);
}

TEST(TwoTrainers, AModelOutlivingItsTrainerIsDetachedAndStillPredictsTheSame) {
  const TrainingData data = motif_data();
  TrainingRun run = start_run(data, run_options(3, 2, OptimizerKind::kAdam));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(advance(run));
  auto attached = predict(*run.model, data.inputs, 32);
  ASSERT_TRUE(attached.is_ok()) << attached.status().message();
  run.trainer.reset();
  EXPECT_EQ(run.model->attached_backend(), nullptr);
  auto detached = predict(*run.model, data.inputs, 32);
  ASSERT_TRUE(detached.is_ok()) << detached.status().message();
  EXPECT_EQ(std::vector<float>(detached->values().begin(), detached->values().end()),
            std::vector<float>(attached->values().begin(), attached->values().end()));
}

}  // namespace
}  // namespace epibook
