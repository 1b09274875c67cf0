// What every lab is to the host (wasm/app): a state struct behind step() (a bounded
// slice of work per frame), draw() (ImGui, immediate mode) and the test API of
// web/labs/README.md (state as JSON, set a parameter, open a file). One lab per file here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "../app/file_store.h"
#include "epibook/status.h"

namespace epibook::labs {

// What the host lends a lab.
struct LabServices {
  FileStore files;
  float ui_scale = 1.0f;                         // device pixels per CSS pixel
  std::function<void(const char* accept)> pick_file;  // the page opens a file picker
  // The page offers `bytes` as a download named `name` (a run directory as .tar).
  std::function<void(const std::string& name, const std::string& bytes)> save_file;
  // The page puts a link (a URL fragment, "#lab=...") in its address bar to copy.
  std::function<void(const std::string& fragment)> set_link;
  // The page keeps a training run's record (TrainingPanel::RunRecorder) in the
  // browser's storage for the run dashboard; it never leaves the browser.
  std::function<void(int run, uint64_t serial, const std::string& manifest_json, const std::string& metrics_jsonl)>
      record_run;
};

class Lab {
 public:
  virtual ~Lab() = default;
  // Advances pending work by a slice small enough for one frame.
  virtual void step() = 0;
  // Draws the lab into the current ImGui window, which fills the canvas.
  virtual void draw() = 0;
  // True while work (or a file the lab waits for) is pending.
  virtual bool busy() const = 0;
  // The lab's parameters and computed results, plain JSON (web/labs/README.md).
  virtual nlohmann::json state() const = 0;
  // Sets a parameter as the reader would; an unknown key or a bad value is an error.
  virtual Status set(const std::string& key, const nlohmann::json& value) = 0;
  // The reader opened `name` (its bytes are in, or on their way to, services.files).
  virtual void open_file(const std::string& name) = 0;
  // True when the mouse wheel over the canvas should go to the lab (zoom), not the page.
  virtual bool wants_wheel() const { return false; }
  // True while the lab trains: the host then redraws it only every few frames unless
  // the reader acts, so the page stays responsive (lab_app.cpp, kTrainingRedrawMs).
  virtual bool training() const { return false; }
};

// The labs of web/labs/README.md by name; params are the lab block's key=value pairs.
Result<std::unique_ptr<Lab>> make_lab(const std::string& name, const nlohmann::json& params, LabServices& services);

// ---------------------------------------------------------------------------------
// Reading parameters, which arrive as strings from a lab block or as JSON values
// from set(): "8" and 8 are the same threshold.
Result<double> json_number(const nlohmann::json& value, const std::string& key);
Result<std::string> json_text(const nlohmann::json& value, const std::string& key);
Result<bool> json_flag(const nlohmann::json& value, const std::string& key);
// The parameter `key` of a lab block, or `fallback` when absent.
std::string param_text(const nlohmann::json& params, const std::string& key, const std::string& fallback);
Result<double> param_number(const nlohmann::json& params, const std::string& key, double fallback);
// Fails naming the key unless lo <= value <= hi.
Status check_range(const std::string& key, double value, double lo, double hi);

// True for names that are read by byte slices (bigWig), false for whole files.
bool is_bigwig_name(const std::string& name);

}  // namespace epibook::labs
