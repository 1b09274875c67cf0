// Helpers shared by the test suites: scratch directories, fixture paths and running
// reference programs (pyBigWig scripts) whose output the golden tests compare with.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "epibook/status.h"

#include "epibook/random.h"

namespace epibook::testing {

// A fresh directory under the test temp dir, unique per test; removed by the OS, not us.
std::string scratch_dir(const std::string& name);

// Absolute path of a file in tests/data/.
std::string data_path(const std::string& relative);

// Reads a whole file as bytes; empty string when it cannot be read.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

// A copy of `valid` with 1 to 6 random edits (insert, delete, replace) drawn from
// `alphabet`: the input of the never-crash tests of the text parsers.
std::string mutate_text(const std::string& valid, std::string_view alphabet, CounterRng& rng);

// Feeds `rounds` mutated copies of `valid` to `parse` (which must never crash) and
// checks that every error it returns starts with "<source_name>: line ". Returns how
// many copies were refused, so a test can insist the mutations really broke files.
int count_refused_mutations(const std::string& valid, std::string_view alphabet, const std::string& source_name,
                            const std::function<Status(const std::string&)>& parse, int rounds = 2000);

// Collects mismatches between two implementations: reports the first few in full,
// and fails the test with the total count when it goes out of scope.
class Mismatches {
 public:
  void add(const std::string& what);
  int count() const { return count_; }
  ~Mismatches();

 private:
  int count_ = 0;
};

#ifndef __EMSCRIPTEN__
struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr, interleaved
};
// Runs a shell command and captures what it prints.
CommandResult run_command(const std::string& command);
#endif

}  // namespace epibook::testing
