// The backend control of a training run (backend_choice.h): names, whether the page
// has a WebGPU device, and the combo the panel draws.
#include "backend_choice.h"

#include <emscripten.h>
#include <imgui.h>

#include "../gpu/webgpu_backend.h"

namespace epibook::labs {
namespace {

// The adapter lab-host.js found (module.epibookGpu.adapter), or "".
EM_JS(int, epibook_gpu_adapter_length, (), {
  const gpu = Module['epibookGpu'];
  return gpu && gpu.device && gpu.adapter ? lengthBytesUTF8(gpu.adapter) : 0;
});
EM_JS(void, epibook_gpu_adapter_text, (char* out, int capacity), {
  const gpu = Module['epibookGpu'];
  stringToUTF8(gpu && gpu.adapter ? gpu.adapter : String(), out, capacity);
});

}  // namespace

const char* backend_choice_name(BackendChoice choice) {
  switch (choice) {
    case BackendChoice::kAuto: return "auto";
    case BackendChoice::kCpu: return "cpu";
    case BackendChoice::kWebGpu: return "webgpu";
  }
  return "auto";
}

Result<BackendChoice> parse_backend_choice(std::string_view name) {
  for (BackendChoice choice : {BackendChoice::kAuto, BackendChoice::kCpu, BackendChoice::kWebGpu}) {
    if (name == backend_choice_name(choice)) return choice;
  }
  return invalid_argument("backend: \"" + std::string(name) + "\" is not one of auto, cpu, webgpu");
}

bool webgpu_available() { return gpu::WebGpuBackend::create().is_ok(); }

Result<std::unique_ptr<nn::Backend>> make_webgpu_backend() {
  auto backend = gpu::WebGpuBackend::create();
  if (!backend.is_ok()) {
    return unsupported("WebGPU is not available in this browser (no adapter, or the device is not open yet)");
  }
  return std::unique_ptr<nn::Backend>(std::move(*backend));
}

std::string webgpu_adapter() {
  const int length = epibook_gpu_adapter_length();
  std::string text(static_cast<size_t>(length) + 1, '\0');
  epibook_gpu_adapter_text(text.data(), length + 1);
  text.resize(static_cast<size_t>(length));
  return text;
}

bool draw_backend_choice(BackendChoice& choice, const std::string& running, const std::string& note) {
  static const char* const kLabels[] = {"auto", "CPU", "WebGPU"};
  int index = static_cast<int>(choice);
  const bool changed = ImGui::Combo("backend", &index, kLabels, 3);
  if (changed) choice = static_cast<BackendChoice>(index);
  ImGui::TextWrapped("runs on %s%s%s", running == "webgpu" ? "WebGPU" : "the CPU", note.empty() ? "" : ": ",
                     note.c_str());
  return changed;
}

}  // namespace epibook::labs
