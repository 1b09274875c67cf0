// Fuzz target: the TOML run config of `epibook train --config`, read the way the CLI
// reads it (toml++ to JSON, then the core's option table and its checks).
#include <nlohmann/json.hpp>
#include <sstream>
#include <toml++/toml.h>

#include "epibook/toml_text.h"
#include "epibook/train.h"
#include "fuzz_input.h"

using namespace epibook;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The CLI refuses, with the line and character, what toml++ 3.3 cannot read safely
  // (epibook/toml_text.h; corpus/run_config/cyrillic-outside-string.toml once reached
  // __builtin_unreachable inside toml++).
  const std::string problem = toml_text_problem(text);
  if (!problem.empty()) return 0;
  toml::table table;
  try {
    table = toml::parse(text, std::string_view("fuzz.toml"));
  } catch (const toml::parse_error&) {
    return 0;  // the CLI reports these with their line
  }
  std::ostringstream json;
  json << toml::json_formatter{table};
  Result<TrainOptions> options = parse_train_options_json(json.str());
  if (!options.is_ok()) {
    fuzz::check_message(options.status());
    return 0;
  }
  fuzz::check_message(validate_train_options(*options));
  // Written back as TOML, the options read again to the same JSON.
  const std::string toml_text = train_options_toml(*options);
  try {
    const toml::table again = toml::parse(toml_text, std::string_view("written.toml"));
    std::ostringstream again_json;
    again_json << toml::json_formatter{again};
    Result<TrainOptions> reread = parse_train_options_json(again_json.str());
    if (!reread.is_ok() || train_options_json(*reread) != train_options_json(*options)) {
      std::fprintf(stderr, "fuzz: options written as TOML do not read back the same\n");
      std::abort();
    }
  } catch (const toml::parse_error& error) {
    std::fprintf(stderr, "fuzz: options written as TOML do not parse: %s\n", std::string(error.description()).c_str());
    std::abort();
  }
  return 0;
}
