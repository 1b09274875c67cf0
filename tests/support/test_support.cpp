// Implementation of the shared test helpers (see test_support.h).
#include "support/test_support.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace epibook::testing {

namespace {

// ctest runs each test in its own process, several at once: every process gets its
// own root, removed when the process ends (set EPIBOOK_KEEP_TEST_FILES to keep it).
const std::filesystem::path& process_root() {
  // Never destroyed: the atexit handler below runs after static destructors would.
  static const std::filesystem::path* root = [] {
    auto* path = new std::filesystem::path(
        std::filesystem::path(::testing::TempDir()) / ("epibook-tests-" + std::to_string(getpid())));
    std::error_code ec;
    std::filesystem::remove_all(*path, ec);
    std::atexit([] {
      if (std::getenv("EPIBOOK_KEEP_TEST_FILES") != nullptr) return;
      std::error_code ignored;
      std::filesystem::remove_all(process_root(), ignored);
    });
    return path;
  }();
  return *root;
}

}  // namespace

std::string scratch_dir(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string leaf = name;
  if (info != nullptr) leaf = std::string(info->test_suite_name()) + "." + info->name() + "." + name;
  std::filesystem::path dir = process_root() / leaf;
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string data_path(const std::string& relative) { return std::string(EPIBOOK_TEST_DATA_DIR) + "/" + relative; }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

std::string mutate_text(const std::string& valid, std::string_view alphabet, CounterRng& rng) {
  std::string text = valid;
  for (uint64_t edits = 1 + rng.next_below(6); edits > 0; --edits) {
    const size_t at = rng.next_below(text.size() + 1);
    const char letter = alphabet[rng.next_below(alphabet.size())];
    switch (rng.next_below(3)) {
      case 0: text.insert(at, 1, letter); break;
      case 1: if (at < text.size()) text.erase(at, 1 + rng.next_below(4)); break;
      default: if (at < text.size()) text[at] = letter; break;
    }
  }
  return text;
}

int count_refused_mutations(const std::string& valid, std::string_view alphabet, const std::string& source_name,
                            const std::function<Status(const std::string&)>& parse, int rounds) {
  CounterRng rng(2026);
  int refused = 0;
  for (int round = 0; round < rounds; ++round) {
    const Status status = parse(mutate_text(valid, alphabet, rng));
    if (status.is_ok()) continue;
    ++refused;
    EXPECT_EQ(status.message().rfind(source_name + ": line ", 0), 0u) << status.message();
  }
  return refused;
}

void Mismatches::add(const std::string& what) {
  if (count_++ < 8) ADD_FAILURE() << what;
}

Mismatches::~Mismatches() { EXPECT_EQ(count_, 0) << "mismatches in total"; }

#ifndef __EMSCRIPTEN__
CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}
#endif

}  // namespace epibook::testing
