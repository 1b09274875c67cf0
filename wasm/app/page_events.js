// Appended to the labs module (--post-js): emscripten's GLFW listens for keys on the
// whole window and swallows Backspace/Tab and every wheel event over the canvas. With
// labs inside a book page that would break the page's search box and scrolling, so
// keys reach a lab only while it has the focus (the reader last clicked it) and the
// wheel only when the lab asks for it (zoom, a scrollable list).
(function guardPageEvents() {
  const onlyWhenFocused = (handler) => function (event) {
    if (Module['epibookHasFocus'] && Module['epibookHasFocus']()) return handler(event);
  };
  GLFW.onKeydown = onlyWhenFocused(GLFW.onKeydown);
  GLFW.onKeyup = onlyWhenFocused(GLFW.onKeyup);
  GLFW.onKeyPress = onlyWhenFocused(GLFW.onKeyPress);
  const wheel = GLFW.onMouseWheel;
  GLFW.onMouseWheel = function (event) {
    if (Module['lab_wants_wheel'] && Module['lab_wants_wheel']()) return wheel(event);
  };
})();
