// YAML text from JSON values, for the descriptions other tools read (Kipoi's model.yaml
// and dataloader.yaml): block style, keys in the order given, strings quoted whenever a
// YAML 1.1 reader (PyYAML, which Kipoi uses) could take them for anything but a string.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace epibook {

// `value` as a YAML document: objects as indented mappings, arrays as "- " sequences
// (empty ones as {} and []), strings plain when they are safe and double-quoted
// otherwise, floats always with a '.' (PyYAML reads "1e-05" as a string), NaN and
// infinities as .nan / .inf. `comment`, when not empty, opens the document as "# "
// lines. Ends with a newline.
std::string yaml_text(const nlohmann::ordered_json& value, const std::string& comment = "");

// One scalar as it appears in yaml_text's output ("\"(4, 200)\"", "0.003", "true").
std::string yaml_scalar(const nlohmann::ordered_json& value);

}  // namespace epibook
