// The lab host (lab_app.h): GLFW + WebGL2 + ImGui 1.86 on the module's canvas, styled
// for the book's page, with fonts rebuilt when the device pixel ratio changes.
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

namespace epibook::labs {

namespace {

void run_frame(void* app) { static_cast<LabApp*>(app)->frame(); }

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
  EPIBOOK_ASSIGN_OR_RETURN(app->lab_, make_lab(lab_name, params, app->services_));

  if (!glfwInit()) return unsupported(lab_name + ": GLFW could not start (no WebGL2 in this browser?)");
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
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
  app->apply_style();
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
  ImGui::StyleColorsLight(&style);
  style.WindowPadding = ImVec2(10, 8);
  style.FramePadding = ImVec2(6, 3);
  style.ItemSpacing = ImVec2(8, 5);
  style.FrameRounding = 3;
  style.GrabRounding = 3;
  style.WindowBorderSize = 0;
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.975f, 0.978f, 0.985f, 1);
  style.Colors[ImGuiCol_FrameBg] = ImVec4(1, 1, 1, 1);
  style.Colors[ImGuiCol_Border] = ImVec4(0.75f, 0.77f, 0.8f, 1);
  style.FrameBorderSize = 1;
  style.ScaleAllSizes(scale);

  // ImGui's built-in font is a pixel font: crisp at whole multiples of 13 px. Larger
  // whole multiples keep it sharp on HiDPI screens.
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig font;
  font.SizePixels = 13.0f * std::max(1.0f, std::round(scale));
  io.Fonts->AddFontDefault(&font);
  io.FontGlobalScale = scale / std::max(1.0f, std::round(scale));
  built_font_scale_ = scale;
  ImGui_ImplOpenGL3_DestroyFontsTexture();
}

void LabApp::resize(int width, int height, float ui_scale) {
  if (window_) glfwSetWindowSize(window_, width, height);
  if (ui_scale != services_.ui_scale) {
    services_.ui_scale = ui_scale;
    apply_style();
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
  lab_->draw();
  ImGui::End();
  const ImGuiWindow* hovered = ImGui::GetCurrentContext()->HoveredWindow;
  hovering_scrollable_ = hovered && hovered->ScrollMax.y > 0;
  ImGui::Render();
  int width = 0;
  int height = 0;
  glfwGetFramebufferSize(window_, &width, &height);
  glViewport(0, 0, width, height);
  glClearColor(0.975f, 0.978f, 0.985f, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

}  // namespace epibook::labs
