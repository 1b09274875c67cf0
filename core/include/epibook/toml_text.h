// What the TOML library here (toml++ 3.3, Debian's) cannot read safely, found before it
// parses a config. Its test for Unicode whitespace reaches __builtin_unreachable for many
// non-ASCII characters (U+00A1 to U+0499 among them: é, Cyrillic), which is undefined
// behaviour; it runs that test wherever whitespace may stand: outside strings and comments,
// after a backslash in a multi-line basic string, and on the first character after a
// line-ending backslash (tomlplusplus issues #190 and #295; fixed upstream after 3.3).
// The run_config fuzz target found it with a three-byte config, "Ģ9".
#pragma once

#include <string>
#include <string_view>

namespace epibook {

// Empty when `text` is safe to hand to toml++; otherwise "line L, column C: ..." naming the
// character and the problem. Non-ASCII text inside strings and comments stays allowed, and
// outside them TOML allows none anyway.
std::string toml_text_problem(std::string_view text);

}  // namespace epibook
