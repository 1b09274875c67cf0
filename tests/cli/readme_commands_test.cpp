// The README's commands, run as a new user would: every line of its ```sh blocks, in
// order, in one scratch folder, with the built CLI as `epibook`. `make ...` lines and
// installers (apt-get, docker, setup-deps) are left out; a command ending in a backslash
// continues on the next line. The first command that fails is named with its output.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/test_support.h"

namespace epibook {
namespace {

bool installs_or_builds(const std::string& command) {
  for (const char* word : {"make", "apt-get", "docker", "sudo", "scripts/setup-deps", "npm"}) {
    if (command.rfind(word, 0) == 0) return true;
  }
  return false;
}

// The shell commands of the README's ```sh blocks, continuation lines joined.
std::vector<std::string> readme_commands(const std::string& readme) {
  std::vector<std::string> commands;
  std::istringstream in(readme);
  bool in_sh = false;
  std::string pending;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("```", 0) == 0) {
      in_sh = !in_sh && line == "```sh";
      continue;
    }
    if (!in_sh) continue;
    const size_t first = line.find_first_not_of(" \t");
    if (pending.empty() && (first == std::string::npos || line[first] == '#')) continue;
    std::string text = pending.empty() ? line.substr(first) : line;
    // A trailing backslash (before any comment) continues the command.
    const size_t hash = text.find(" #");
    std::string code = hash == std::string::npos ? text : text.substr(0, hash);
    while (!code.empty() && (code.back() == ' ' || code.back() == '\t')) code.pop_back();
    if (!code.empty() && code.back() == '\\') {
      code.pop_back();
      pending += code + " ";
      continue;
    }
    const std::string command = pending + text;
    pending.clear();
    if (!installs_or_builds(command)) commands.push_back(command);
  }
  return commands;
}

TEST(ReadmeCommands, EveryShellCommandOfTheReadme_RunsInOrderInAScratchFolder) {
  const std::string readme = testing::read_file(std::string(EPIBOOK_TEST_SOURCE_DIR) + "/../README.md");
  ASSERT_FALSE(readme.empty());
  const std::vector<std::string> commands = readme_commands(readme);
  ASSERT_GE(commands.size(), 10u);
  const std::string dir = testing::scratch_dir("readme-commands");
  const std::string cli = EPIBOOK_CLI;
  const std::string bin = cli.substr(0, cli.rfind('/'));
  bool reached_train = false;
  for (const std::string& command : commands) {
    reached_train = reached_train || command.rfind("epibook train", 0) == 0;
    const auto result = testing::run_command("cd " + dir + " && PATH=" + bin + ":$PATH " + command + " 2>&1");
    ASSERT_EQ(result.exit_code, 0) << "README command failed: " << command << "\n" << result.output;
  }
  EXPECT_TRUE(reached_train) << "the README no longer shows epibook train";
}

}  // namespace
}  // namespace epibook
