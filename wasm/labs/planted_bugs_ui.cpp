// The piece of chapter 8's labs' UI that test-bench and bug-curves share: the bug picker
// (planted_bugs.h), apart from the pipeline so that the pipeline builds without ImGui.
#include <imgui.h>

#include "../train/training_panel.h"  // same_line_if_fits
#include "planted_bugs.h"

namespace epibook::labs::bugs {

bool bug_picker(PlantedBug& bug) {
  bool changed = false;
  int chosen = static_cast<int>(bug);
  ImGui::TextUnformatted("planted bug:");
  for (size_t i = 0; i < bug_names().size(); ++i) {
    const std::string& name = bug_names()[i];
    same_line_if_fits(ImGui::CalcTextSize(name.c_str()).x + ImGui::GetFontSize() * 2);
    if (ImGui::RadioButton(name.c_str(), &chosen, static_cast<int>(i))) changed = true;
  }
  if (changed) bug = static_cast<PlantedBug>(chosen);
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("%s", bug_description(bug).c_str());
  ImGui::PopStyleColor();
  return changed;
}

}  // namespace epibook::labs::bugs
