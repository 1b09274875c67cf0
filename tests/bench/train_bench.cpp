// Benchmark: training steps per second of the small genomics CNN of the chapters,
// epibook against PyTorch 1.13 on the CPU with the same threads, same input, one run.
// Model: 4 x [Conv1d(kernel 9, 'same') + ReLU + MaxPool1d(2)], 4 -> 64 -> 64 -> 64 -> 64
// channels, global average, Linear(64 -> 1); input one-hot [64, 4, 1024] (batch 64,
// 1 kb windows); BCE with logits; Adam (lr 1e-3). One step = forward, loss, backward,
// update. Usage: train_bench [STEPS [--epibook | --epibook-one-thread]] (default 30;
// --epibook skips the peers; --epibook-one-thread prints epibook's one-thread figure
// alone, for tests/bench/browser_bench.mjs). Built for wasm too (no peers there), for
// Node and for a browser page: then it prints epibook's one-thread figure only.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "epibook/nn/backend.h"
#include "epibook/nn/loss.h"
#include "epibook/nn/optimizer.h"
#include "epibook/npy.h"
#include "epibook/random.h"
#include "epibook/train.h"

namespace {

using namespace epibook;
using Clock = std::chrono::steady_clock;

constexpr int64_t kBatch = 64;
constexpr int64_t kLength = 1024;

ModelSpec bench_spec() {
  ModelSpec spec;
  spec.conv_layers = 4;
  spec.channels = 64;
  spec.kernel_size = 9;
  spec.pool = 2;
  spec.head = "global_avg_dense";
  spec.outputs = 1;
  return spec;
}

struct BenchInput {
  nn::Tensor inputs{nn::Shape{kBatch, 4, kLength}};
  nn::Tensor labels{nn::Shape{kBatch, 1}};
};

BenchInput make_input() {
  BenchInput input;
  CounterRng rng(7);
  for (int64_t n = 0; n < kBatch; ++n) {
    for (int64_t i = 0; i < kLength; ++i) input.inputs.at(n, static_cast<int64_t>(rng.next_below(4)), i) = 1.0f;
    input.labels[n] = static_cast<float>(rng.next_below(2));
  }
  return input;
}

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "train_bench: %s\n", message.c_str());
  std::exit(1);
}

// Steps per second of epibook on `threads` threads (after two warm-up steps).
double epibook_steps_per_second(const BenchInput& input, int threads, int steps, double* last_loss) {
  nn::CpuBackend backend(threads);
  auto model = build_model(bench_spec(), nn::Shape{1, 4, kLength}, nn::Shape{1, 1}, 1);
  if (!model.is_ok()) die(model.status().message());
  (*model)->set_backend(&backend);
  nn::Adam adam((*model)->parameters(), nn::AdamOptions{}, false);
  nn::BceWithLogitsLoss loss;
  nn::Tensor outputs, grad;
  auto step = [&] {
    adam.zero_grad();
    if (!(*model)->forward(input.inputs, outputs).is_ok()) die("forward failed");
    *last_loss = *loss.evaluate(outputs, input.labels, &grad);
    if (!(*model)->backward(grad, nullptr).is_ok()) die("backward failed");
    adam.step();
  };
  step();
  step();
  const auto start = Clock::now();
  for (int i = 0; i < steps; ++i) step();
  return steps / std::chrono::duration<double>(Clock::now() - start).count();
}

// The load average (/proc/loadavg: 1, 5 and 15 minutes) printed beside each figure:
// a ratio measured on a busy machine is not a ratio (PyTorch suffers more from
// oversubscription than epibook does).
std::string load_average() {
  FILE* file = std::fopen("/proc/loadavg", "r");
  if (file == nullptr) return "load average unknown";
  double one = 0, five = 0, fifteen = 0;
  const int read = std::fscanf(file, "%lf %lf %lf", &one, &five, &fifteen);
  std::fclose(file);
  if (read != 3) return "load average unknown";
  char text[96];
  std::snprintf(text, sizeof text, "load average %.2f %.2f %.2f", one, five, fifteen);
  return text;
}

#ifndef __EMSCRIPTEN__
double torch_steps_per_second(const std::string& dir, int threads, int steps) {
  const std::string command = std::string(EPIBOOK_PYTHON) + " " + EPIBOOK_BENCH_DIR + "/torch_train_steps.py " + dir +
                              " " + std::to_string(threads) + " " + std::to_string(steps);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) die("cannot run " + command);
  char line[256] = {0};
  const bool got = std::fgets(line, sizeof line, pipe) != nullptr;
  if (pclose(pipe) != 0 || !got) die("PyTorch run failed: " + command);
  return std::atof(line);
}

// Steps/s of the wasm build of this program under Node, when it was built.
double wasm_steps_per_second(int steps) {
  const std::string script = std::string(EPIBOOK_BENCH_DIR) + "/../../build/wasm/tests/train_bench.js";
  if (!std::filesystem::exists(script)) return 0.0;
  FILE* pipe = popen(("node " + script + " " + std::to_string(steps) + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) return 0.0;
  char line[512] = {0};
  double value = 0.0;
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    if (std::sscanf(line, "epibook wasm, 1 thread: %lf", &value) == 1) break;
  }
  pclose(pipe);
  return value;
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 30;
  // --epibook: no peers (quick A/B while developing; `make bench` runs the comparison).
  const bool only_epibook = argc > 2 && std::string(argv[2]).starts_with("--epibook");
  const bool one_thread = argc > 2 && std::string(argv[2]) == "--epibook-one-thread";
  if (steps <= 0) die("STEPS must be > 0");
  const BenchInput input = make_input();
  double loss = 0.0;
#ifndef __EMSCRIPTEN__
  if (one_thread) {
    const double native = epibook_steps_per_second(input, 1, steps, &loss);
    std::printf("epibook native, 1 thread: %.3f steps/s (loss %.5f) [%s]\n", native, loss, load_average().c_str());
    return 0;
  }
#else
  (void)one_thread;
#endif
#ifdef __EMSCRIPTEN__
  const double wasm = epibook_steps_per_second(input, 1, steps, &loss);
  std::printf("epibook wasm, 1 thread: %.3f steps/s (loss %.5f) [%s]\n", wasm, loss, load_average().c_str());
#ifdef __EMSCRIPTEN_PTHREADS__
  // Built with -pthread (the wasm-threads preset): the same run on two threads, same bits.
  double loss_two = 0.0;
  const double wasm_two = epibook_steps_per_second(input, 2, steps, &loss_two);
  std::printf("epibook wasm, 2 threads: %.3f steps/s (loss %.5f, %s as on 1 thread)\n", wasm_two, loss_two,
              loss_two == loss ? "the same bits" : "NOT the same bits");
#endif
  return 0;
#else
  const std::string dir = (std::filesystem::temp_directory_path() / ("epibook-train-bench-" + std::to_string(getpid()))).string();
  std::filesystem::create_directories(dir);
  const std::vector<uint64_t> input_shape{kBatch, 4, kLength}, label_shape{kBatch, 1};
  if (!write_npy(dir + "/inputs.npy", input.inputs.values(), input_shape).is_ok() ||
      !write_npy(dir + "/labels.npy", input.labels.values(), label_shape).is_ok()) {
    die("cannot write the input to " + dir);
  }
  std::printf("Training steps/s, small genomics CNN (4 x Conv1d k9 64 ch + pool, batch 64 x 1 kb, BCE, Adam), %d steps\n",
              steps);
  std::printf("  before: %s\n", load_average().c_str());
  double native_one = 0.0;
  for (int threads : {1, 2}) {
    const double ours = epibook_steps_per_second(input, threads, steps, &loss);
    const double theirs = only_epibook ? 0.0 : torch_steps_per_second(dir, threads, steps);
    if (threads == 1) native_one = ours;
    std::printf("  %d thread%s: epibook %.2f steps/s, PyTorch %.2f steps/s -> epibook / PyTorch = %.2fx [%s]\n",
                threads, threads == 1 ? " " : "s", ours, theirs, theirs > 0.0 ? ours / theirs : 0.0,
                load_average().c_str());
  }
  const double wasm = only_epibook ? 0.0 : wasm_steps_per_second(steps);
  if (wasm > 0.0) {
    std::printf("  wasm under Node (1 thread, SIMD): %.2f steps/s -> native / wasm = %.2fx [%s]\n", wasm,
                native_one / wasm, load_average().c_str());
  } else {
    std::printf("  wasm: build/wasm/tests/train_bench.js not built, no wasm figure\n");
  }
  std::filesystem::remove_all(dir);
  return 0;
#endif
}
