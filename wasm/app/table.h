// Lab tables whose text wraps within its column. On a phone a lab is about 340 px wide,
// and ImGui's own header row and TextUnformatted cells clip a word at the column's edge
// ("GC-only m", "mean..."); here a header or cell too long for its column goes on
// to a second line instead, and the row grows to fit it.
#pragma once

#include <imgui.h>

#include <initializer_list>
#include <string_view>

namespace epibook::labs {

// BeginTable with one stretched column per name (equal widths, borders) and a header
// row of those names, wrapped. Call EndTable() when it returns true, as for BeginTable.
inline bool begin_wrapped_table(const char* id, std::initializer_list<const char*> columns,
                                ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_SizingStretchSame) {
  if (!ImGui::BeginTable(id, static_cast<int>(columns.size()), flags)) return false;
  for (const char* name : columns) ImGui::TableSetupColumn(name);
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);  // ImGui paints a headers row's background
  for (const char* name : columns) {
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", name);
  }
  return true;
}

// The next cell of the row, as one line: numbers, which read wrong broken at a point.
inline void text_cell(std::string_view text) {
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
}

// The next cell of the row, its text wrapped to the column: names and labels.
inline void wrapped_cell(std::string_view text) {
  ImGui::TableNextColumn();
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.data(), text.data() + text.size());
  ImGui::PopTextWrapPos();
}

}  // namespace epibook::labs
