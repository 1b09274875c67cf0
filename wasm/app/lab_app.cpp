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

#include <cmath>
#include <cstdio>

#include "lab_font.h"

namespace epibook::labs {

namespace {

void run_frame(void* app) { static_cast<LabApp*>(app)->frame(); }

// The labs' text size in CSS pixels, a little under the captions of the page (0.9rem).
constexpr float kFontCssPixels = 14.0f;

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
  EPIBOOK_ASSIGN_OR_RETURN(app->lab_, make_lab(lab_name, params, app->services_));

  if (!glfwInit()) return unsupported(lab_name + ": GLFW could not start (no WebGL2 in this browser?)");
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  // ImGui draws with neither depth nor stencil: a WebGL context without them starts sooner.
  glfwWindowHint(GLFW_DEPTH_BITS, 0);
  glfwWindowHint(GLFW_STENCIL_BITS, 0);
  app->window_ = glfwCreateWindow(width, height, lab_name.c_str(), nullptr, nullptr);
  if (!app->window_) return unsupported(lab_name + ": this browser gave no WebGL2 context");
  glfwMakeContextCurrent(app->window_);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // nothing is written to a (non-existent) disk
  io.LogFilename = nullptr;
  ImGui_ImplGlfw_InitForOpenGL(app->window_, true);
  ImGui_ImplOpenGL3_Init("#version 300 es");
  colours::set_theme(app->theme_);
  app->apply_style();
  app->build_font();
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
}

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
  if (window_) glfwSetWindowSize(window_, width, height);
  if (ui_scale != services_.ui_scale) {
    services_.ui_scale = ui_scale;
    apply_style();
    build_font();
  }
}

bool LabApp::wants_wheel() const { return lab_->wants_wheel() || hovering_scrollable_; }

void LabApp::frame() {
  lab_->step();
  if (!visible_) return;
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
  ImGui::Render();
  int width = 0;
  int height = 0;
  glfwGetFramebufferSize(window_, &width, &height);
  glViewport(0, 0, width, height);
  const ImVec4 background = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(background.x, background.y, background.z, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace epibook::labs
