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
  // This GLFW passes a 'wheel' event's deltaY on as is: pixels, and positive for
  // "down", where GLFW (and ImGui) expect about one unit per notch, positive for "up".
  // The lab gets the event as a legacy 'mousewheel' one, in notches.
  const wheel = GLFW.onMouseWheel;
  const notches = (delta, mode) => {
    const lines = mode === 1 ? delta / 3 : mode === 2 ? delta * 10 : delta / 100;
    return -Math.sign(lines) * Math.min(Math.max(Math.abs(lines), 1), 5);
  };
  GLFW.onMouseWheel = function (event) {
    if (!(Module['lab_wants_wheel'] && Module['lab_wants_wheel']())) return;
    const x = notches(event.deltaX || 0, event.deltaMode);
    const y = notches(event.deltaY || 0, event.deltaMode);
    wheel({
      type: 'mousewheel', target: event.target, wheelDeltaX: x, wheelDeltaY: y, wheelDelta: y * 120,
      detail: -y, preventDefault: () => event.preventDefault(),
    });
  };
})();
