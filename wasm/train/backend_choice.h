// Which backend a training run in a page computes on: the wasm CPU backend, the
// WebGPU backend (wasm/gpu/) when the page opened a device, or "auto", which takes
// WebGPU only when a short probe (a few steps of the run's own model on each) shows it
// faster. Used by training_run.h (the probe, the switch) and the panel (the control).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "epibook/nn/backend.h"
#include "epibook/status.h"

namespace epibook::labs {

enum class BackendChoice { kAuto, kCpu, kWebGpu };

const char* backend_choice_name(BackendChoice choice);  // "auto", "cpu", "webgpu"
Result<BackendChoice> parse_backend_choice(std::string_view name);

// Whether the page has opened a WebGPU device for this module (lab-host.js opens one
// when the browser has an adapter; it may arrive a moment after the lab mounts).
bool webgpu_available();
// A WebGPU backend, or why not (no adapter, the device not open yet).
Result<std::unique_ptr<nn::Backend>> make_webgpu_backend();
// The WebGPU device's adapter, as the browser names it ("" when none).
std::string webgpu_adapter();

// The reader's control: a combo of the three choices, and beside it the backend that
// runs and why (`note`). Returns true when the reader picked another choice.
bool draw_backend_choice(BackendChoice& choice, const std::string& running, const std::string& note);

}  // namespace epibook::labs
