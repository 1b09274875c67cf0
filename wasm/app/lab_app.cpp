// The lab host (lab_app.h): GLFW + WebGL2 + ImGui 1.86 on the module's canvas, styled
// like the book's page in its light or dark theme, with the labs' font (lab_font.h)
// rasterised at the device pixel ratio and rebuilt when that ratio changes.
#include "lab_app.h"

#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten.h>
#include <emscripten/val.h>
#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "lab_font.h"

namespace epibook::labs {

namespace {

void run_frame(void* app) { static_cast<LabApp*>(app)->frame(); }

// The labs' text size in CSS pixels, a little under the captions of the page (0.9rem).
constexpr float kFontCssPixels = 14.0f;

// When a lab draws (web/labs/README.md, "When a lab draws"). Drawing is most of a frame
// where WebGL runs on the CPU (SwiftShader, or a laptop's battery), so a lab draws only
// when what it shows may have changed:
// - for kSettleFrames frames after any input or outside change (ImGui settles hover,
//   active and popup states and measures new windows and tables over 2-3 frames);
// - while the lab trains, at most every kTrainingRedrawMs (the frames between only train);
// - every frame while it has other work (busy()), and when that work ends;
// - otherwise at a low rate: every kIdleRedrawMs, or kCaretRedrawMs while a text field
//   has the keyboard (its caret blinks 0.8 s on, 0.4 s off), and never on two frames
//   less than kIdleRedrawFrames apart, so that an idle lab draws on at most one frame in
//   that many even where frames are slow (a loaded machine).
constexpr int kSettleFrames = 3;
constexpr double kTrainingRedrawMs = 250;
constexpr double kIdleRedrawMs = 1000;
constexpr double kCaretRedrawMs = 400;
constexpr uint64_t kIdleRedrawFrames = 24;

// Any input on the canvas makes the next frames draw (ImGui's GLFW callbacks chain to these).
LabApp* app_of(GLFWwindow* window) { return static_cast<LabApp*>(glfwGetWindowUserPointer(window)); }
void on_cursor(GLFWwindow* w, double, double) { app_of(w)->request_draw(); }
void on_enter(GLFWwindow* w, int) { app_of(w)->request_draw(); }
void on_button(GLFWwindow* w, int, int, int) { app_of(w)->request_draw(); }
void on_scroll(GLFWwindow* w, double, double) { app_of(w)->request_draw(); }
void on_key(GLFWwindow* w, int, int, int, int) { app_of(w)->request_draw(); }
void on_char(GLFWwindow* w, unsigned int) { app_of(w)->request_draw(); }
void on_focus(GLFWwindow* w, int) { app_of(w)->request_draw(); }
void on_size(GLFWwindow* w, int, int) { app_of(w)->request_draw(); }

// Median, 95th percentile and largest of `values` (ms), as JSON.
nlohmann::json spread(std::vector<float> values) {
  if (values.empty()) return nullptr;
  std::sort(values.begin(), values.end());
  const auto at = [&](double q) {  // the smallest value with at least q of them at or below it
    const double rank = std::ceil(q * static_cast<double>(values.size()));
    return values[std::min(values.size() - 1, static_cast<size_t>(std::max(1.0, rank)) - 1)];
  };
  return {{"median", at(0.5)}, {"p95", at(0.95)}, {"max", values.back()}};
}

ImVec4 rgb(int r, int g, int b, float alpha = 1.0f) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, alpha); }

// Light: the page's light theme (web/static/book.css), ImGui's light style beneath.
void light_colours(ImGuiStyle& style) {
  ImGui::StyleColorsLight(&style);
  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = rgb(31, 35, 40);
  c[ImGuiCol_TextDisabled] = rgb(91, 99, 109);
  c[ImGuiCol_WindowBg] = ImVec4(0.975f, 0.978f, 0.985f, 1);
  c[ImGuiCol_FrameBg] = ImVec4(1, 1, 1, 1);
  c[ImGuiCol_Border] = ImVec4(0.75f, 0.77f, 0.8f, 1);
}

// Dark: the page's dark panel (--panel), text (--fg, --muted) and accent colours.
void dark_colours(ImGuiStyle& style) {
  ImGui::StyleColorsDark(&style);
  ImVec4* c = style.Colors;
  c[ImGuiCol_Text] = rgb(228, 230, 233);
  c[ImGuiCol_TextDisabled] = rgb(154, 163, 173);
  c[ImGuiCol_WindowBg] = rgb(27, 32, 39);
  c[ImGuiCol_ChildBg] = rgb(27, 32, 39, 0);
  c[ImGuiCol_PopupBg] = rgb(30, 36, 44);
  c[ImGuiCol_Border] = rgb(60, 68, 78);
  c[ImGuiCol_FrameBg] = rgb(20, 24, 29);
  c[ImGuiCol_FrameBgHovered] = rgb(36, 44, 53);
  c[ImGuiCol_FrameBgActive] = rgb(29, 59, 58);
  c[ImGuiCol_Button] = rgb(40, 49, 59);
  c[ImGuiCol_ButtonHovered] = rgb(50, 64, 76);
  c[ImGuiCol_ButtonActive] = rgb(29, 59, 58);
  c[ImGuiCol_Header] = rgb(40, 49, 59);
  c[ImGuiCol_HeaderHovered] = rgb(50, 64, 76);
  c[ImGuiCol_HeaderActive] = rgb(29, 59, 58);
  c[ImGuiCol_CheckMark] = rgb(92, 200, 192);
  c[ImGuiCol_SliderGrab] = rgb(92, 200, 192, 0.8f);
  c[ImGuiCol_SliderGrabActive] = rgb(92, 200, 192);
  c[ImGuiCol_TableHeaderBg] = rgb(36, 42, 50);
  c[ImGuiCol_TableBorderStrong] = rgb(60, 68, 78);
  c[ImGuiCol_TableBorderLight] = rgb(46, 53, 62);
  c[ImGuiCol_TableRowBgAlt] = rgb(255, 255, 255, 0.03f);
  c[ImGuiCol_ScrollbarBg] = rgb(20, 24, 29, 0.6f);
  c[ImGuiCol_ScrollbarGrab] = rgb(62, 70, 80);
  c[ImGuiCol_ScrollbarGrabHovered] = rgb(76, 86, 98);
  c[ImGuiCol_ScrollbarGrabActive] = rgb(92, 200, 192);
  c[ImGuiCol_Separator] = rgb(60, 68, 78);
}

}  // namespace

Result<std::unique_ptr<LabApp>> LabApp::mount(const std::string& lab_name, const std::string& params_json,
                                              int width, int height, float ui_scale) {
  const nlohmann::json params = nlohmann::json::parse(params_json.empty() ? "{}" : params_json, nullptr, false);
  if (params.is_discarded() || !params.is_object()) {
    return invalid_argument(lab_name + ": the lab's parameters are not a JSON object: " + params_json);
  }
  std::unique_ptr<LabApp> app(new LabApp());
  app->lab_name_ = lab_name;
  app->services_.ui_scale = ui_scale;
  app->services_.pick_file = [](const char* accept) {
    const emscripten::val pick = emscripten::val::module_property("epibookPickFile");
    if (!pick.isUndefined()) pick(std::string(accept));
  };
  app->services_.save_file = [](const std::string& name, const std::string& bytes) {
    const emscripten::val save = emscripten::val::module_property("epibookSaveFile");
    if (save.isUndefined()) return;
    const emscripten::val view(emscripten::typed_memory_view(bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data())));
    save(name, emscripten::val::global("Uint8Array").new_(view));  // a copy: the view dies with `bytes`
  };
  app->services_.set_link = [](const std::string& fragment) {
    const emscripten::val set = emscripten::val::module_property("epibookSetLink");
    if (!set.isUndefined()) set(fragment);
  };
  app->services_.record_run = [](int run, uint64_t serial, const std::string& manifest, const std::string& metrics) {
    const emscripten::val record = emscripten::val::module_property("epibookRecordRun");
    if (!record.isUndefined()) record(run, static_cast<double>(serial), manifest, metrics);
  };
  double mark = emscripten_get_now();
  const auto phase = [&](const char* name) {
    const double now = emscripten_get_now();
    app->mount_ms_.emplace_back(name, now - mark);
    mark = now;
  };
  EPIBOOK_ASSIGN_OR_RETURN(app->lab_, make_lab(lab_name, params, app->services_));
  phase("lab");

  if (!glfwInit()) return unsupported(lab_name + ": GLFW could not start (no WebGL2 in this browser?)");
  phase("glfw");
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // ImGui draws with neither depth nor stencil: a WebGL context without them starts sooner.
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  app->window_ = glfwCreateWindow(width, height, lab_name.c_str(), nullptr, nullptr);
  if (!app->window_) return unsupported(lab_name + ": this browser gave no WebGL2 context");
  glfwMakeContextCurrent(app->window_);
  phase("webgl_context");
  glfwSetWindowUserPointer(app->window_, app.get());
  glfwSetCursorPosCallback(app->window_, on_cursor);
  glfwSetCursorEnterCallback(app->window_, on_enter);
  glfwSetMouseButtonCallback(app->window_, on_button);
  glfwSetScrollCallback(app->window_, on_scroll);
  glfwSetKeyCallback(app->window_, on_key);
  glfwSetCharCallback(app->window_, on_char);
  glfwSetWindowFocusCallback(app->window_, on_focus);
  glfwSetFramebufferSizeCallback(app->window_, on_size);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // nothing is written to a (non-existent) disk
  io.LogFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(app->window_, true);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  phase("imgui");
  colours::set_theme(app->theme_);
  app->apply_style();
  app->build_font();
  phase("style_font");
  app->request_draw();  // the first frames: ImGui measures the new window and its tables
  emscripten_set_main_loop_arg(run_frame, app.get(), 0, false);
  return app;
}

LabApp::~LabApp() {
  emscripten_cancel_main_loop();
  if (ImGui::GetCurrentContext()) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_) glfwDestroyWindow(window_);
  glfwTerminate();
}

void LabApp::apply_style() {
  const float scale = services_.ui_scale;
  // From the defaults each time, so scaling twice never compounds.
  ImGuiStyle& style = ImGui::GetStyle();
  style = ImGuiStyle();
  if (theme_ == Theme::kDark) dark_colours(style);
  else light_colours(style);
  style.WindowPadding = ImVec2(10, 8);
  style.FramePadding = ImVec2(6, 3);
  style.ItemSpacing = ImVec2(8, 5);
  style.FrameRounding = 3;
  style.GrabRounding = 3;
  style.WindowBorderSize = 0;
  style.FrameBorderSize = 1;
  style.ScaleAllSizes(scale);
}

// The font is rasterised at its size in device pixels (no FontGlobalScale), so text is
// as crisp on a 2x screen as the page's own.
void LabApp::build_font() {
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig config;
  config.FontDataOwnedByAtlas = false;  // lab_font.cpp's static bytes
  font_pixels_ = std::max(8.0f, std::round(kFontCssPixels * services_.ui_scale));
  std::snprintf(config.Name, sizeof config.Name, "%s, %.0f px", kLabFontName, font_pixels_);
  io.Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(kLabFontData), static_cast<int>(kLabFontSize), font_pixels_,
                                 &config, kLabFontGlyphRanges);
  io.FontGlobalScale = 1.0f;
  ImGui_ImplOpenGL3_DestroyFontsTexture();
}

void LabApp::set_theme(Theme theme) {
  colours::set_theme(theme);
  if (theme == theme_) return;
  theme_ = theme;
  apply_style();
  request_draw();
}

void LabApp::set_visible(bool visible) {
  // Back in view: frames drawn while it was out of view were skipped, so draw now.
  if (visible && !visible_) request_draw();
  visible_ = visible;
}

void LabApp::request_draw() { draws_pending_ = std::max(draws_pending_, kSettleFrames); }

nlohmann::json LabApp::appearance() const {
  const ImFont* font = ImGui::GetIO().Fonts->Fonts.empty() ? nullptr : ImGui::GetIO().Fonts->Fonts[0];
  nlohmann::json out = nlohmann::json::object();
  out["theme"] = theme_ == Theme::kDark ? "dark" : "light";
  out["font"] = std::string(kLabFontName);
  out["font_name"] = std::string(font ? font->GetDebugName() : "");
  out["font_pixels"] = font_pixels_;
  out["font_bytes"] = kLabFontSize;
  out["glyphs"] = font ? font->Glyphs.Size : 0;
  out["pixel_ratio"] = services_.ui_scale;
  out["content_width"] = content_width_;
  out["view_width"] = view_width_;
  return out;
}

void LabApp::resize(int width, int height, float ui_scale) {
  request_draw();
  if (window_) glfwSetWindowSize(window_, width, height);
  if (ui_scale != services_.ui_scale) {
    services_.ui_scale = ui_scale;
    apply_style();
    build_font();
  }
}

bool LabApp::wants_wheel() const { return lab_->wants_wheel() || hovering_scrollable_; }

bool LabApp::should_draw(double now_ms, bool training, bool busy) const {
  if (!visible_) return false;
  if (frames_drawn_ == 0 || draws_pending_ > 0) return true;
  if (training) return now_ms - last_draw_ms_ >= kTrainingRedrawMs;
  if (busy) return true;
  const double interval = typing_ ? kCaretRedrawMs : kIdleRedrawMs;
  return now_ms - last_draw_ms_ >= interval && frames_ - last_draw_frame_ >= kIdleRedrawFrames;
}

void LabApp::frame() {
  FrameParts parts;
  const double start = emscripten_get_now();
  // A frame that draws while the lab trains does not train too: each frame does one of
  // the two, so neither makes the other's frame long. Any other frame steps first and
  // then decides, so a step that finishes the lab's work is drawn in the same frame.
  const bool training = lab_->training();
  bool draw = training && should_draw(start, true, true);
  if (!draw) lab_->step();
  const double stepped = emscripten_get_now();
  parts.step_ms = static_cast<float>(stepped - start);
  const bool busy_now = busy();
  if (was_busy_ && !busy_now) request_draw();  // the work ended: show its results
  was_busy_ = busy_now;
  if (!training) draw = should_draw(stepped, false, busy_now);
  if (draw) {
    draws_pending_ = std::max(0, draws_pending_ - 1);
    draw_ui();
    const double built = emscripten_get_now();
    parts.build_ms = static_cast<float>(built - stepped);
    int width = 0;
    int height = 0;
    glfwGetFramebufferSize(window_, &width, &height);
    glViewport(0, 0, width, height);
    const ImVec4 background = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(background.x, background.y, background.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    last_draw_ms_ = emscripten_get_now();
    last_draw_frame_ = frames_;
    parts.draw_ms = static_cast<float>(last_draw_ms_ - built);
    parts.drawn = true;
    if (frames_drawn_++ == 0) first_frame_ = parts;
  }
  if (recent_.size() < kRecentFrames) recent_.push_back(parts);
  else recent_[recent_next_] = parts;
  recent_next_ = (recent_next_ + 1) % kRecentFrames;
  ++frames_;
}

// The UI of one frame, built by ImGui (its vertices, not yet drawn).
void LabApp::draw_ui() {
  glfwPollEvents();
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(io.DisplaySize);
  ImGui::Begin("lab", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  content_width_ = ImGui::GetCurrentWindow()->ContentSize.x;  // measured at the last frame's End()
  view_width_ = ImGui::GetCurrentWindow()->ContentRegionRect.GetWidth();
  lab_->draw();
  ImGui::End();
  const ImGuiWindow* hovered = ImGui::GetCurrentContext()->HoveredWindow;
  hovering_scrollable_ = hovered && hovered->ScrollMax.y > 0;
  typing_ = io.WantTextInput;
  ImGui::Render();
}

nlohmann::json LabApp::timing() const {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json mount = nlohmann::json::object();
  for (const auto& [name, ms] : mount_ms_) mount[name] = ms;
  out["mount_ms"] = mount;
  out["first_frame_ms"] = {{"step", first_frame_.step_ms}, {"build", first_frame_.build_ms}, {"draw", first_frame_.draw_ms}};
  out["frames"] = frames_;
  out["frames_drawn"] = frames_drawn_;
  std::vector<float> step, build, draw;
  size_t drawn = 0;
  for (const FrameParts& f : recent_) {
    step.push_back(f.step_ms);
    if (!f.drawn) continue;
    ++drawn;
    build.push_back(f.build_ms);
    draw.push_back(f.draw_ms);
  }
  out["recent"] = {{"frames", recent_.size()}, {"drawn", drawn}, {"step_ms", spread(step)},
                   {"build_ms", spread(build)}, {"draw_ms", spread(draw)}};
  out["visible"] = visible_;
  out["draws_pending"] = draws_pending_;
  out["settle_frames"] = kSettleFrames;
  out["training_redraw_ms"] = kTrainingRedrawMs;
  out["idle_redraw_ms"] = kIdleRedrawMs;
  out["caret_redraw_ms"] = kCaretRedrawMs;
  out["idle_redraw_frames"] = kIdleRedrawFrames;
  return out;
}

}  // namespace epibook::labs
