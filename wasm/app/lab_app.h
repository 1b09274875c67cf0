// The ImGui host of one lab in one canvas: GLFW window (emscripten's port, WebGL2),
// ImGui context, the lab, and the per-frame loop driven by requestAnimationFrame.
// Each canvas gets its own module instance, so this is the instance's only host.
#pragma once

#include <memory>
#include <string>
#include <vector>

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
  // On screen or not (the page's IntersectionObserver): a lab out of view steps without drawing.
  void set_visible(bool visible);
  bool wants_wheel() const;
  // One frame: the lab's step(), then, when the canvas is on screen and what it shows may
  // have changed, its draw() (lab_app.cpp, kSettleFrames: input, an outside change, work
  // ending; while it trains only every kTrainingRedrawMs; idle, at a low rate).
  void frame();
  // Where the time goes (web/labs/README.md, frameTiming()): the mount's phases, the
  // first frame's parts, and over the last frames the lab's step (a training slice),
  // building the UI (ImGui) and handing it to WebGL, in ms.
  nlohmann::json timing() const;
  // Starts the window of recent frames afresh (a benchmark's frames from now on).
  void clear_recent_frames() {
    recent_.clear();
    recent_next_ = 0;
  }
  // What the lab shows may have changed (the reader's input on the canvas, a parameter
  // set or a file arriving from the page, a resize, the theme): the next kSettleFrames
  // frames draw.
  void request_draw();

 private:
  struct FrameParts {
    float step_ms = 0, build_ms = 0, draw_ms = 0;
    bool drawn = false;
  };
  static constexpr size_t kRecentFrames = 240;

  LabApp() = default;
  void apply_style();
  void build_font();
  bool should_draw(double now_ms, bool training, bool busy) const;
  void draw_ui();

  GLFWwindow* window_ = nullptr;
  LabServices services_;
  std::unique_ptr<Lab> lab_;
  std::string lab_name_;
  bool visible_ = true;
  bool hovering_scrollable_ = false;
  bool typing_ = false;  // a text field had the keyboard in the last frame drawn
  Theme theme_ = Theme::kLight;
  float font_pixels_ = 0;
  // The widest row the lab drew and the width it had (pixels, last frame): a row wider
  // than its room is cut off at the canvas edge (appearance(), checked on a phone).
  float content_width_ = 0;
  float view_width_ = 0;
  // Timing: mount phases (name, ms), frames so far, the last kRecentFrames frames (a ring).
  std::vector<std::pair<const char*, double>> mount_ms_;
  FrameParts first_frame_;
  uint64_t frames_ = 0, frames_drawn_ = 0;
  std::vector<FrameParts> recent_;
  size_t recent_next_ = 0;  // where the next frame goes once the ring is full
  int draws_pending_ = 0;  // frames still to draw after the last request_draw()
  bool was_busy_ = false;  // busy() after the last frame's step: its end is drawn
  double last_draw_ms_ = 0;
  uint64_t last_draw_frame_ = 0;
};

}  // namespace epibook::labs
