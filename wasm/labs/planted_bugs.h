// Chapter 8's pipeline with its bugs planted behind a switch: a simulated stretch of
// genome (an accessibility track and a ChIP track from the same planted sites), windows
// cut from it, a z-score normaliser, a small model with a hand-written SiLU layer, a
// training loop on the core's layers, Adam and MSE, and the tests a genomics ML codebase
// runs on such a pipeline. The labs "test-bench" (every test against one bug) and
// "bug-curves" (a clean and a bugged run trained side by side) share it. Every bug acts
// on the code path the labs run; with PlantedBug::kNone the pipeline is correct and
// nothing outside these labs uses it.
//
// Sections: bugs | data | windows and normaliser | model | training | tests | UI
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "epibook/audit.h"
#include "epibook/nn.h"
#include "epibook/nn/loss.h"
#include "epibook/nn/optimizer.h"
#include "epibook/random.h"
#include "epibook/status.h"

namespace epibook::labs::bugs {

// ---------------------------------------------------------------------------------
// The bugs a reader can switch on.
enum class PlantedBug {
  kNone,
  kGradient,       // SiLU's backward forgets the product rule: sigma(x) for sigma(x)(1 + x(1 - sigma(x)))
  kShift,          // the window reader adds 1 to BED's 0-based start: every window one base to the right
  kInclusiveEnd,   // the window reader treats BED's end as inclusive: W + 1 bases
  kNormalisation,  // the z-score is fitted on every window, validation and test included
  kUnseeded,       // batches are shuffled by a generator seeded once per page, not by the run's seed
};
const std::vector<std::string>& bug_names();  // "none", "gradient", "shift", "inclusive-end", "normalisation", "unseeded"
std::string bug_name(PlantedBug bug);
Result<PlantedBug> parse_bug(const std::string& name);
std::string bug_description(PlantedBug bug);

// ---------------------------------------------------------------------------------
// The simulated stretch: sites at random places with a strength s each; accessibility
// is a broad bump of height proportional to s over a floor, the ChIP signal a narrow bump
// proportional to s^2 (strong sites bind far more), both with noise.
constexpr uint32_t kWindow = 100;       // bp per window
constexpr uint32_t kWindows = 960;      // windows tiled along the stretch
constexpr uint32_t kTail = kWindow;     // bases after the last window (a reader past the end still reads the genome)

struct Tracks {
  std::string chrom = "chrSim";
  std::vector<float> accessibility;  // per base, kWindows * kWindow + kTail
  std::vector<float> chip;
};
Tracks simulate_tracks(uint64_t seed);

// ---------------------------------------------------------------------------------
// Windows: BED intervals [start, end) tiled with no gap, split by position (the first
// 60 % train, the next 20 % validation, the last 20 % test), dropping the first window
// of validation and of test so no two splits touch. The reader cuts each window's bases
// from the tracks; the input is the accessibility, the target log1p of the mean ChIP.
struct Windows {
  std::vector<Region> regions;  // as written in the BED file (what the audit reads)
  std::vector<Split> splits;
  std::vector<std::vector<float>> inputs;  // per window, the bases the reader cut
  std::vector<float> targets;              // log1p(mean ChIP over the bases cut)
  uint64_t count(Split split) const;
};
Windows cut_windows(const Tracks& tracks, PlantedBug bug);

// The z-score of the inputs, with the windows it was fitted on, as the pipeline records
// it (a JSON document with a "fitted_on" record, which the leakage audit reads).
struct Normaliser {
  double mean = 0;
  double sd = 1;
  std::vector<uint64_t> fitted_windows;
  std::string record_json() const;
};
Normaliser fit_normaliser(const Windows& windows, PlantedBug bug);

// ---------------------------------------------------------------------------------
// SiLU, x * sigmoid(x), written here (the core has none): the layer a reader might add
// to a codebase, with its backward right or, under PlantedBug::kGradient, wrong.
class PlantedSilu final : public nn::Layer {
 public:
  explicit PlantedSilu(bool wrong_backward) : wrong_backward_(wrong_backward) {}
  std::string kind() const override { return "SiLU"; }
  Result<nn::Shape> output_shape(const nn::Shape& input) const override { return input; }
  Status forward(const nn::Tensor& input, nn::Tensor& output) override;
  Status backward(const nn::Tensor& grad_output, nn::Tensor* grad_input) override;

 private:
  bool wrong_backward_;
  const nn::Tensor* input_ = nullptr;
};

// Conv1D (1 -> 8 channels, 9 bp, same padding), SiLU, mean over the window, Dense (8 -> 1).
Result<std::unique_ptr<nn::Sequential>> make_model(PlantedBug bug, uint64_t seed);

// ---------------------------------------------------------------------------------
// A training run: batches of 32 training windows, Adam at 0.01, MSE; after each epoch
// the validation loss and the test windows' MSE and Pearson correlation.
struct EpochScores {
  double train_loss = 0;       // mean over the epoch's batches
  double validation_loss = 0;
  double test_mse = 0;
  double test_pearson = 0;
};

class BugRun {
 public:
  static constexpr uint32_t kBatch = 32;
  static Result<std::unique_ptr<BugRun>> create(const Tracks& tracks, PlantedBug bug, uint64_t seed);

  // One batch; at an epoch's end also the scores. Fails only on a shape error.
  Status step();
  uint64_t steps() const { return steps_; }
  uint32_t steps_per_epoch() const;
  const std::vector<double>& batch_losses() const { return batch_losses_; }
  const std::vector<EpochScores>& epochs() const { return epochs_; }
  const Windows& windows() const { return windows_; }
  const Normaliser& normaliser() const { return normaliser_; }
  nn::Sequential& model() { return *model_; }

 private:
  BugRun(Windows windows, Normaliser normaliser, PlantedBug bug, uint64_t seed)
      : windows_(std::move(windows)), normaliser_(std::move(normaliser)), bug_(bug), seed_(seed) {}
  void shuffle_epoch();
  nn::Tensor batch_of(const std::vector<uint32_t>& rows, uint64_t first, uint64_t count, nn::Tensor* targets) const;
  Result<double> loss_on(const std::vector<uint32_t>& rows, std::vector<float>* predictions);
  Status score_epoch();

  Windows windows_;
  Normaliser normaliser_;
  PlantedBug bug_;
  uint64_t seed_;
  std::unique_ptr<nn::Sequential> model_;
  std::unique_ptr<nn::Adam> optimizer_;
  nn::MseLoss loss_;
  std::vector<uint32_t> train_rows_, validation_rows_, test_rows_, order_;
  uint64_t steps_ = 0;
  uint64_t epoch_ = 0;
  double epoch_loss_sum_ = 0;
  std::vector<double> batch_losses_;
  std::vector<EpochScores> epochs_;
};

nlohmann::json epoch_json(const EpochScores& scores);

// ---------------------------------------------------------------------------------
// The tests. Each returns whether it passed, a line with its numbers, and the numbers.
struct TestResult {
  std::string name;
  bool passed = true;
  std::string summary;
  nlohmann::json numbers = nlohmann::json::object();
};

// Data: every input and target finite, targets >= 0, every split non-empty.
TestResult data_test(const Windows& windows);
// Shapes: every window W bases, the model's output [batch, 1] as the targets.
TestResult shape_test(const Windows& windows, nn::Sequential& model);
// Finite differences against backward for each layer of the model (the core's unit
// tests' check, its step and tolerances): d/dx and d/dparameter of sum(u * f(x)).
TestResult gradient_test(nn::Sequential& model);
// Golden values: each window's mean accessibility and ChIP from prefix sums over the
// tracks at the BED coordinates, computed apart from the reader, against the reader's.
TestResult golden_test(const Tracks& tracks, const Windows& windows);
// Leakage: the core's audit_splits on the windows and the normaliser's record.
TestResult leakage_test(const Windows& windows, const Normaliser& normaliser);
// Determinism: two runs of `steps` batches with one seed give the same losses, bit for bit.
TestResult determinism_test(const Tracks& tracks, PlantedBug bug, uint64_t seed, uint32_t steps);

nlohmann::json test_json(const TestResult& test);

// Every test above, in that order, on the pipeline with `bug` (seed 1, 20 steps per
// determinism run), and the names of those that failed: the tests that catch it.
constexpr uint32_t kDeterminismSteps = 20;
std::vector<TestResult> run_tests(const Tracks& tracks, PlantedBug bug);
std::vector<std::string> failed_tests(const std::vector<TestResult>& tests);

// ---------------------------------------------------------------------------------
// UI both labs share: one radio button per bug, wrapping on a phone; true when the
// reader picked another.
bool bug_picker(PlantedBug& bug);

}  // namespace epibook::labs::bugs
