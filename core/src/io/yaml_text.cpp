// YAML text from JSON values (see epibook/yaml_text.h): a writer only, in block style,
// careful about the strings YAML 1.1 would read as booleans, numbers or null.
#include "epibook/yaml_text.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace epibook {
namespace {

// Words YAML 1.1 resolves to a boolean or null, in any case.
bool reserved_word(const std::string& text) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* word : {"true", "false", "yes", "no", "on", "off", "y", "n", "null"}) {
    if (lower == word) return true;
  }
  return false;
}

// A string that reads back as itself without quotes: it starts with a letter, '_', '('
// or '/', holds only letters, digits, spaces and _ . , / ( ) + -, does not end in a
// space, and is no reserved word. Anything else (':', '#', quotes, digits first) is quoted.
bool plain_safe(const std::string& text) {
  if (text.empty() || reserved_word(text) || text.back() == ' ') return false;
  const unsigned char first = static_cast<unsigned char>(text[0]);
  if (!(std::isalpha(first) || first == '_' || first == '(' || first == '/')) return false;
  return std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == ' ' || c == '_' || c == '.' || c == ',' || c == '/' || c == '(' || c == ')' ||
           c == '+' || c == '-';
  });
}

std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') {
      out += "\\\"";
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char escape[8];
      std::snprintf(escape, sizeof escape, "\\x%02x", c);
      out += escape;
    } else {
      out += ch;  // UTF-8 passes through: YAML reads it in double quotes
    }
  }
  return out + "\"";
}

std::string float_text(double value) {
  if (std::isnan(value)) return ".nan";
  if (std::isinf(value)) return value > 0 ? ".inf" : "-.inf";
  // JSON's shortest round-trip digits, then a '.' where YAML 1.1 needs one to see a float.
  std::string text = nlohmann::json(value).dump();
  const size_t exponent = text.find_first_of("eE");
  const std::string mantissa = text.substr(0, exponent);
  if (mantissa.find('.') == std::string::npos) {
    text.insert(exponent == std::string::npos ? text.size() : exponent, ".0");
  }
  return text;
}

bool is_collection(const nlohmann::ordered_json& value) {
  return (value.is_object() || value.is_array()) && !value.empty();
}

void write_value(const nlohmann::ordered_json& value, int indent, std::string& out);

// The entries of a non-empty mapping, each on its own line at `indent`.
void write_mapping(const nlohmann::ordered_json& value, int indent, std::string& out, bool first_inline) {
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!(first && first_inline)) out += std::string(static_cast<size_t>(indent), ' ');
    first = false;
    out += (plain_safe(it.key()) ? it.key() : quoted(it.key())) + ":";
    if (is_collection(it.value())) {
      out += "\n";
      write_value(it.value(), indent + 2, out);
    } else {
      out += " " + yaml_scalar(it.value()) + "\n";
    }
  }
}

void write_sequence(const nlohmann::ordered_json& value, int indent, std::string& out) {
  for (const auto& item : value) {
    out += std::string(static_cast<size_t>(indent), ' ') + "- ";
    if (item.is_object() && !item.empty()) {
      write_mapping(item, indent + 2, out, true);
    } else if (item.is_array() && !item.empty()) {
      out += "\n";
      write_sequence(item, indent + 2, out);
    } else {
      out += yaml_scalar(item) + "\n";
    }
  }
}

void write_value(const nlohmann::ordered_json& value, int indent, std::string& out) {
  if (value.is_object() && !value.empty()) {
    write_mapping(value, indent, out, false);
  } else if (value.is_array() && !value.empty()) {
    write_sequence(value, indent, out);
  } else {
    out += std::string(static_cast<size_t>(indent), ' ') + yaml_scalar(value) + "\n";
  }
}

}  // namespace

std::string yaml_scalar(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "null";
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  if (value.is_number_integer()) return value.dump();
  if (value.is_number_float()) return float_text(value.get<double>());
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    return plain_safe(text) ? text : quoted(text);
  }
  if (value.is_object()) return "{}";
  return "[]";
}

std::string yaml_text(const nlohmann::ordered_json& value, const std::string& comment) {
  std::string out;
  size_t start = 0;
  while (!comment.empty() && start <= comment.size()) {
    const size_t end = std::min(comment.find('\n', start), comment.size());
    const std::string line = comment.substr(start, end - start);
    out += line.empty() ? "#\n" : "# " + line + "\n";
    start = end + 1;
  }
  write_value(value, 0, out);
  return out;
}

}  // namespace epibook
