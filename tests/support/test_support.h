// Helpers shared by the test suites: scratch directories, fixture paths and running
// reference programs (pyBigWig scripts) whose output the golden tests compare with.
#pragma once

#include <string>

namespace epibook::testing {

// A fresh directory under the test temp dir, unique per test; removed by the OS, not us.
std::string scratch_dir(const std::string& name);

// Absolute path of a file in tests/data/.
std::string data_path(const std::string& relative);

// Reads a whole file as bytes; empty string when it cannot be read.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

#ifndef __EMSCRIPTEN__
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};
// Runs a shell command and captures what it prints.
CommandResult run_command(const std::string& command);
#endif

}  // namespace epibook::testing
