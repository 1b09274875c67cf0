// Force-included into ImGui's OpenGL3 backend only (cmake/Dependencies.cmake). The
// backend saves the GL state with a dozen glGetIntegerv calls every frame; in WebGL
// each is a synchronous round trip to the GPU process that waits for the frame before
// it, which made the labs' frames (and their first frame) slow. Here they are answered
// from what the backend itself restored last time (gl_state_cache.cpp).
#pragma once

#include <GLES2/gl2.h>

#ifdef __cplusplus
extern "C" {
#endif
void epibook_gl_get_integerv(GLenum name, GLint* values);
#ifdef __cplusplus
}
#endif

#define glGetIntegerv epibook_gl_get_integerv
