// The ImGui host of one lab in one canvas: GLFW window (emscripten's port, WebGL2),
// ImGui context, the lab, and the per-frame loop driven by requestAnimationFrame.
// Each canvas gets its own module instance, so this is the instance's only host.
#pragma once

#include <memory>
#include <string>

#include "../labs/lab.h"
#include "plot.h"

struct GLFWwindow;

namespace epibook::labs {

class LabApp {
 public:
  // Creates the window on the module's canvas (width x height device pixels), the
  // ImGui context scaled by `ui_scale`, and the lab; starts the frame loop.
  static Result<std::unique_ptr<LabApp>> mount(const std::string& lab_name, const std::string& params_json,
                                               int width, int height, float ui_scale);
  ~LabApp();

  Lab& lab() { return *lab_; }
  LabServices& services() { return services_; }
  bool busy() const { return lab_->busy() || services_.files.waiting(); }
  void resize(int width, int height, float ui_scale);
  // The page's theme: ImGui's colours and the plot palette switch before the next frame.
  void set_theme(Theme theme);
  // What the reader sees, for the tests: theme, font (name, pixel size, glyphs
  // rasterised) and device pixel ratio (web/labs/README.md, appearance()).
  nlohmann::json appearance() const;
  void set_visible(bool visible) { visible_ = visible; }
  bool wants_wheel() const;
  // One frame: the lab's step(), then (when the canvas is on screen) its draw().
  void frame();

 private:
  LabApp() = default;
  void apply_style();
  void build_font();

  GLFWwindow* window_ = nullptr;
  LabServices services_;
  std::unique_ptr<Lab> lab_;
  std::string lab_name_;
  bool visible_ = true;
  bool hovering_scrollable_ = false;
  Theme theme_ = Theme::kLight;
  float font_pixels_ = 0;
  // The widest row the lab drew and the width it had (pixels, last frame): a row wider
  // than its room is cut off at the canvas edge (appearance(), checked on a phone).
  float content_width_ = 0;
  float view_width_ = 0;
};

}  // namespace epibook::labs
