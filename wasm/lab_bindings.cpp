// JavaScript bindings (embind) of the labs for web/labs/lab-host.js: mount one lab in
// this module instance's canvas, read its state, set parameters, feed it the files and
// byte slices it asks for. Every failure comes back as a message string ("" = fine).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "app/lab_app.h"

namespace {

using emscripten::val;
using epibook::labs::LabApp;

// The module instance's one lab (a page mounts one instance per canvas).
std::unique_ptr<LabApp>& mounted() {
  static std::unique_ptr<LabApp> app;
  return app;
}

std::string bytes_of(const val& array) {
  const size_t length = array["length"].as<size_t>();
  std::string bytes(length, '\0');
  val view(emscripten::typed_memory_view(length, reinterpret_cast<uint8_t*>(bytes.data())));
  view.call<void>("set", array);
  return bytes;
}

std::string lab_mount(const std::string& name, const std::string& params_json, int width, int height,
                      float ui_scale) {
  if (mounted()) return "a lab is already mounted in this module instance";
  auto app = LabApp::mount(name, params_json, width, height, ui_scale);
  if (!app.is_ok()) return app.status().message();
  mounted() = std::move(app).value();
  return "";
}

void lab_unmount() { mounted().reset(); }

std::string lab_state_json() {
  if (!mounted()) return "{}";
  return mounted()->lab().state().dump();
}

std::string lab_set(const std::string& key, const std::string& value_json) {
  if (!mounted()) return "no lab is mounted";
  const nlohmann::json value = nlohmann::json::parse(value_json, nullptr, false);
  if (value.is_discarded()) return key + ": the value is not JSON: " + value_json;
  const epibook::Status status = mounted()->lab().set(key, value);
  mounted()->request_draw();
  return status.is_ok() ? "" : status.message();
}

bool lab_busy() { return mounted() && mounted()->busy(); }

// The reader opened a file whose bytes the page keeps (as a Blob): the lab asks for
// them, whole or by slices, through lab_take_requests.
void lab_open_file(const std::string& name) {
  if (!mounted()) return;
  mounted()->lab().open_file(name);
  mounted()->request_draw();
}

std::string lab_take_requests() {
  return mounted() ? mounted()->services().files.take_requests_json() : "[]";
}

// A file's bytes (or its failure) arriving change what the lab shows: each asks for a draw.
void lab_provide_whole(const std::string& name, const val& bytes) {
  if (!mounted()) return;
  mounted()->services().files.provide_whole(name, bytes_of(bytes));
  mounted()->request_draw();
}

void lab_provide_range(const std::string& name, double offset, const val& bytes, double total_size) {
  if (!mounted()) return;
  mounted()->services().files.provide_range(name, static_cast<uint64_t>(offset), bytes_of(bytes),
                                            static_cast<uint64_t>(total_size));
  mounted()->request_draw();
}

void lab_fail_file(const std::string& name, const std::string& message) {
  if (!mounted()) return;
  mounted()->services().files.fail(name, message);
  mounted()->request_draw();
}

void lab_resize(int width, int height, float ui_scale) {
  if (mounted()) mounted()->resize(width, height, ui_scale);
}

void lab_set_visible(bool visible) {
  if (mounted()) mounted()->set_visible(visible);
}

bool lab_wants_wheel() { return mounted() && mounted()->wants_wheel(); }

// The page's theme, "light" or "dark" (book.js sets it on <html data-theme>).
std::string lab_set_theme(const std::string& theme) {
  if (theme != "light" && theme != "dark") return "theme: \"" + theme + "\" is neither light nor dark";
  if (mounted()) mounted()->set_theme(theme == "dark" ? epibook::labs::Theme::kDark : epibook::labs::Theme::kLight);
  return "";
}

std::string lab_appearance_json() { return mounted() ? mounted()->appearance().dump() : "{}"; }

// `clear`: the window of recent frames starts afresh after this answer.
std::string lab_timing_json(bool clear) {
  if (!mounted()) return "{}";
  std::string timing = mounted()->timing().dump();
  if (clear) mounted()->clear_recent_frames();
  return timing;
}

}  // namespace

EMSCRIPTEN_BINDINGS(epibook_labs) {
  emscripten::function("lab_mount", &lab_mount);
  emscripten::function("lab_unmount", &lab_unmount);
  emscripten::function("lab_state_json", &lab_state_json);
  emscripten::function("lab_set", &lab_set);
  emscripten::function("lab_busy", &lab_busy);
  emscripten::function("lab_open_file", &lab_open_file);
  emscripten::function("lab_take_requests", &lab_take_requests);
  emscripten::function("lab_provide_whole", &lab_provide_whole);
  emscripten::function("lab_provide_range", &lab_provide_range);
  emscripten::function("lab_fail_file", &lab_fail_file);
  emscripten::function("lab_resize", &lab_resize);
  emscripten::function("lab_set_visible", &lab_set_visible);
  emscripten::function("lab_wants_wheel", &lab_wants_wheel);
  emscripten::function("lab_set_theme", &lab_set_theme);
  emscripten::function("lab_appearance_json", &lab_appearance_json);
  emscripten::function("lab_timing_json", &lab_timing_json);
}
