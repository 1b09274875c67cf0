# Third-party libraries, found from Debian packages natively and compiled from
# Debian sources (unpacked into .deps/ by scripts/setup-deps) for WebAssembly.

if(EMSCRIPTEN)
  # zlib from its Debian source package: emscripten's own port would download it.
  set(_zlib_src "${EPIBOOK_DEPS_DIR}/src/zlib")
  if(NOT EXISTS "${_zlib_src}/inflate.c")
    message(FATAL_ERROR "zlib sources missing in ${_zlib_src}: run scripts/setup-deps")
  endif()
  add_library(zlib_wasm STATIC
    ${_zlib_src}/adler32.c ${_zlib_src}/compress.c ${_zlib_src}/crc32.c
    ${_zlib_src}/deflate.c ${_zlib_src}/infback.c ${_zlib_src}/inffast.c
    ${_zlib_src}/inflate.c ${_zlib_src}/inftrees.c ${_zlib_src}/trees.c
    ${_zlib_src}/uncompr.c ${_zlib_src}/zutil.c)
  target_include_directories(zlib_wasm SYSTEM PUBLIC ${_zlib_src})
  target_compile_options(zlib_wasm PRIVATE -O3 -w)
  add_library(ZLIB::ZLIB ALIAS zlib_wasm)

  # Header-only libraries: expose just their folders, never all of /usr/include.
  set(_hdr "${CMAKE_BINARY_DIR}/third_party_include")
  file(MAKE_DIRECTORY "${_hdr}")
  foreach(_dir nlohmann)
    if(NOT EXISTS "${_hdr}/${_dir}")
      file(CREATE_LINK "/usr/include/${_dir}" "${_hdr}/${_dir}" SYMBOLIC)
    endif()
  endforeach()
  add_library(epibook_header_libs INTERFACE)
  target_include_directories(epibook_header_libs SYSTEM INTERFACE "${_hdr}" /usr/include/eigen3)

  # Dear ImGui 1.86 from its Debian source package, with the GLFW (emscripten's port)
  # and WebGL2 (OpenGL ES 3) backends: the immediate-mode UI of the labs.
  set(_imgui_src "${EPIBOOK_DEPS_DIR}/src/imgui")
  if(NOT EXISTS "${_imgui_src}/imgui.cpp")
    message(FATAL_ERROR "ImGui sources missing in ${_imgui_src}: run scripts/setup-deps")
  endif()
  add_library(imgui_wasm STATIC
    ${_imgui_src}/imgui.cpp ${_imgui_src}/imgui_draw.cpp ${_imgui_src}/imgui_tables.cpp
    ${_imgui_src}/imgui_widgets.cpp
    ${_imgui_src}/backends/imgui_impl_glfw.cpp ${_imgui_src}/backends/imgui_impl_opengl3.cpp)
  target_include_directories(imgui_wasm SYSTEM PUBLIC ${_imgui_src} ${_imgui_src}/backends)
  # 32-bit indices: a lab plots tens of thousands of bins in one window.
  target_compile_definitions(imgui_wasm PUBLIC IMGUI_DISABLE_DEMO_WINDOWS "ImDrawIdx=unsigned int")
  target_compile_options(imgui_wasm PRIVATE -Os -w -sUSE_GLFW=3)
  # The backend's per-frame glGetIntegerv calls answered from a cache (wasm/app/gl_state_cache.h).
  set_source_files_properties(${_imgui_src}/backends/imgui_impl_opengl3.cpp PROPERTIES
    COMPILE_OPTIONS "-include;${CMAKE_SOURCE_DIR}/wasm/app/gl_state_cache.h"
    OBJECT_DEPENDS "${CMAKE_SOURCE_DIR}/wasm/app/gl_state_cache.h")
  target_link_options(imgui_wasm INTERFACE -sUSE_GLFW=3 -sMAX_WEBGL_VERSION=2 -sMIN_WEBGL_VERSION=2)
else()
  find_package(ZLIB REQUIRED)
  find_package(Threads REQUIRED)
  find_package(nlohmann_json 3 REQUIRED)
  find_package(CLI11 REQUIRED)

  # libdeflate inflates bigWig blocks about 1.6x faster than zlib; optional.
  find_library(LIBDEFLATE_LIBRARY NAMES deflate)
  find_path(LIBDEFLATE_INCLUDE_DIR NAMES libdeflate.h)
  if(LIBDEFLATE_LIBRARY AND LIBDEFLATE_INCLUDE_DIR)
    add_library(libdeflate::libdeflate UNKNOWN IMPORTED)
    set_target_properties(libdeflate::libdeflate PROPERTIES
      IMPORTED_LOCATION "${LIBDEFLATE_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${LIBDEFLATE_INCLUDE_DIR}")
    set(EPIBOOK_HAVE_LIBDEFLATE ON)
  endif()

  # libBigWig: the reference implementation, used only by tests and benchmarks.
  find_library(LIBBIGWIG_LIBRARY NAMES BigWig)
  find_path(LIBBIGWIG_INCLUDE_DIR NAMES bigWig.h)

  add_library(epibook_header_libs INTERFACE)
  target_include_directories(epibook_header_libs SYSTEM INTERFACE /usr/include/eigen3)
  target_link_libraries(epibook_header_libs INTERFACE nlohmann_json::nlohmann_json)
endif()

if(EPIBOOK_TESTS)
  # GoogleTest from its Debian source tree, so native and wasm test the same way.
  set(gtest_disable_pthreads ${EMSCRIPTEN} CACHE BOOL "" FORCE)
  set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
  set(BUILD_GMOCK OFF CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest "${CMAKE_BINARY_DIR}/googletest" EXCLUDE_FROM_ALL SYSTEM)
endif()
