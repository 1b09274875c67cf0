// The run archive a lab offers for download, read back by the two tools a reader would
// use: GNU tar and Python's tarfile (`/usr/bin/python3`). Every file must come out with
// its name and its bytes, binary checkpoints included.
#include <gtest/gtest.h>

#include "epibook/random.h"
#include "epibook/run_record.h"
#include "support/test_support.h"

namespace epibook {
namespace {

std::vector<std::pair<std::string, std::string>> sample_run() {
  std::string checkpoint;
  CounterRng rng(7, 1);
  for (int i = 0; i < 5000; ++i) checkpoint.push_back(static_cast<char>(rng.next_below(256)));
  return {{"run/manifest.json", "{\"tool\": \"epibook lab\"}\n"},
          {"run/metrics.jsonl", "{\"epoch\": 0}\n{\"epoch\": 1}\n"},
          {"run/last.ckpt", checkpoint},
          {"run/empty.txt", ""}};
}

TEST(RunArchiveGolden, GnuTarExtractsEveryFileByteForByte) {
  const std::string dir = testing::scratch_dir("run_tar_gnu");
  const auto files = sample_run();
  testing::write_file(dir + "/run.tar", tar_archive(files));
  const testing::CommandResult extracted = testing::run_command("cd " + dir + " && tar xf run.tar 2>&1");
  ASSERT_EQ(extracted.exit_code, 0) << extracted.output;
  for (const auto& [path, bytes] : files) EXPECT_EQ(testing::read_file(dir + "/" + path), bytes) << path;
}

TEST(RunArchiveGolden, PythonTarfileListsNamesSizesAndBytes) {
  const std::string dir = testing::scratch_dir("run_tar_python");
  const auto files = sample_run();
  testing::write_file(dir + "/run.tar", tar_archive(files));
  const testing::CommandResult listed = testing::run_command(
      "/usr/bin/python3 -c \"import tarfile, hashlib; t = tarfile.open('" + dir +
      "/run.tar'); [print(m.name, m.size, m.isreg(), hashlib.sha256(t.extractfile(m).read()).hexdigest()) for m in "
      "t.getmembers()]\" 2>&1");
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  std::string expected;
  for (const auto& [path, bytes] : files) {
    const testing::CommandResult sha = testing::run_command(
        "/usr/bin/python3 -c \"import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], 'rb').read()).hexdigest())\" " +
        [&] {
          const std::string file = dir + "/" + std::to_string(expected.size()) + ".bin";
          testing::write_file(file, bytes);
          return file;
        }());
    expected += path + " " + std::to_string(bytes.size()) + " True " + sha.output;
  }
  EXPECT_EQ(listed.output, expected);
}

}  // namespace
}  // namespace epibook
