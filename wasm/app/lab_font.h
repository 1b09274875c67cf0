// The labs' font: DejaVu Sans (Debian's fonts-dejavu-core) cut down at build time to
// the characters the labs show (scripts/subset-lab-font writes lab_font.cpp into the
// build folder). LabApp rasterises it at the device pixel ratio.
#pragma once

#include <imgui.h>

namespace epibook::labs {

extern const char kLabFontName[];            // the font's family name
extern const unsigned int kLabFontSize;      // bytes of kLabFontData
extern const unsigned char kLabFontData[];   // the subset TrueType file
extern const ImWchar kLabFontGlyphRanges[];  // its characters as ImGui ranges, 0-terminated

}  // namespace epibook::labs
