// The cached glGetIntegerv that ImGui's OpenGL3 backend calls (gl_state_cache.h). The
// backend saves bindings, viewport, scissor and blend state before it draws and sets
// them back after, and nothing else in a lab changes them except the viewport, which
// the lab sets before every frame (lab_app.cpp). So the state the backend saves is
// always what it restored the frame before: ask WebGL once per name, then answer from
// the cache. Names outside that list (versions, limits) go to WebGL every time.
#include "gl_state_cache.h"

#include <GLES2/gl2ext.h>

#include <cstring>

#undef glGetIntegerv

namespace {

struct CachedName {
  GLenum name;
  int count;
  bool known;
  GLint values[4];
};

CachedName cache[] = {
    {GL_ACTIVE_TEXTURE, 1, false, {}},       {GL_CURRENT_PROGRAM, 1, false, {}},
    {GL_TEXTURE_BINDING_2D, 1, false, {}},   {GL_ARRAY_BUFFER_BINDING, 1, false, {}},
    {GL_VERTEX_ARRAY_BINDING_OES, 1, false, {}}, {GL_VIEWPORT, 4, false, {}},
    {GL_SCISSOR_BOX, 4, false, {}},          {GL_BLEND_SRC_RGB, 1, false, {}},
    {GL_BLEND_DST_RGB, 1, false, {}},        {GL_BLEND_SRC_ALPHA, 1, false, {}},
    {GL_BLEND_DST_ALPHA, 1, false, {}},      {GL_BLEND_EQUATION_RGB, 1, false, {}},
    {GL_BLEND_EQUATION_ALPHA, 1, false, {}},
};

}  // namespace

extern "C" void epibook_gl_get_integerv(GLenum name, GLint* values) {
  for (CachedName& entry : cache) {
    if (entry.name != name) continue;
    if (!entry.known) {
      glGetIntegerv(name, entry.values);
      entry.known = true;
    }
    std::memcpy(values, entry.values, sizeof(GLint) * static_cast<size_t>(entry.count));
    return;
  }
  glGetIntegerv(name, values);
}
