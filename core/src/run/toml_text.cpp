// A pass over a TOML config that knows only where strings and comments begin and end:
// enough to find the characters toml++ 3.3 cannot test for whitespace (toml_text.h).
#include "epibook/toml_text.h"

#include <cstdint>
#include <cstdio>

namespace epibook {
namespace {

bool is_ascii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// The UTF-8 character at `at` as U+XXXX (or its first byte when it is not UTF-8).
std::string code_point_at(std::string_view text, size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  char name[16];
  if (length == 1 || at + length > text.size()) {
    std::snprintf(name, sizeof(name), "byte 0x%02X", lead);
    return name;
  }
  uint32_t value = lead & (0x7fu >> length);
  for (size_t i = 1; i < length; ++i) value = (value << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3fu);
  std::snprintf(name, sizeof(name), "U+%04X", static_cast<unsigned>(value));
  return name;
}

size_t run_of(std::string_view text, size_t at, char c) {
  size_t n = 0;
  while (at + n < text.size() && text[at + n] == c) ++n;
  return n;
}

}  // namespace

std::string toml_text_problem(std::string_view text) {
  enum class State { kCode, kComment, kBasic, kLiteral, kMultiBasic, kMultiLiteral };
  State state = State::kCode;
  size_t line = 1, line_start = 0;
  // The last character of code before this one, spaces and tabs aside ('\n' at a line's
  // start): a quote opens a string only where a key or a value may start. Elsewhere
  // ("=+++'...") toml++ reads on through it as code, testing what follows for whitespace.
  char before = '\n';
  const size_t start = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // a byte-order mark, which toml++ skips
  auto where = [&](size_t at) {
    return "line " + std::to_string(line) + ", column " + std::to_string(at - line_start + 1) + ": " + code_point_at(text, at);
  };
  for (size_t at = start; at < text.size(); ++at) {
    const char c = text[at];
    if (c == '\n') {
      ++line;
      line_start = at + 1;
      before = '\n';
      if (state == State::kComment || state == State::kBasic || state == State::kLiteral) state = State::kCode;
      continue;
    }
    switch (state) {
      case State::kCode:
        if (!is_ascii(c)) return where(at) + " outside a string or comment, where TOML allows only ASCII";
        if (c == '#') state = State::kComment;
        if ((c == '"' || c == '\'') && std::string_view("\n=[,{.").find(before) != std::string_view::npos) {
          const bool multi = run_of(text, at, c) >= 3;
          state = c == '"' ? (multi ? State::kMultiBasic : State::kBasic) : (multi ? State::kMultiLiteral : State::kLiteral);
          if (multi) at += 2;
        }
        if (c != ' ' && c != '\t') before = c;
        break;
      case State::kComment:
        break;
      case State::kBasic:
        if (c == '\\' && at + 1 < text.size() && text[at + 1] != '\n') ++at;
        else if (c == '"') {
          state = State::kCode;
          before = c;
        }
        break;
      case State::kLiteral:
        if (c == '\'') {
          state = State::kCode;
          before = c;
        }
        break;
      case State::kMultiBasic:
        if (c == '\\') {
          size_t next = at + 1;
          if (next < text.size() && !is_ascii(text[next])) {
            return where(next) + " after a backslash in a multi-line string, which the TOML library here (toml++ 3.3) "
                                 "cannot read safely (write it as \\uXXXX)";
          }
          while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\r')) ++next;
          if (next < text.size() && text[next] == '\n') {
            // A line-ending backslash: the whitespace and line breaks after it are skipped,
            // and the first character after them is tested for whitespace.
            while (next < text.size() && (text[next] == ' ' || text[next] == '\t' || text[next] == '\r' || text[next] == '\n')) {
              if (text[next] == '\n') {
                ++line;
                line_start = next + 1;
              }
              ++next;
            }
            if (next < text.size() && !is_ascii(text[next])) {
              return where(next) + " first after a line-ending backslash, which the TOML library here (toml++ 3.3) "
                                   "cannot read safely (write it as \\uXXXX)";
            }
            at = next - 1;
          } else {
            ++at;  // an escape: the escaped character is content
          }
        } else if (c == '"' && run_of(text, at, '"') >= 3) {
          at += run_of(text, at, '"') - 1;
          state = State::kCode;
          before = c;
        }
        break;
      case State::kMultiLiteral:
        if (c == '\'' && run_of(text, at, '\'') >= 3) {
          at += run_of(text, at, '\'') - 1;
          state = State::kCode;
          before = c;
        }
        break;
    }
  }
  return "";
}

}  // namespace epibook
