// The YAML writer behind Kipoi's model.yaml: the layout of mappings and sequences, and
// every string a YAML 1.1 reader could mistake for a boolean, number or null quoted.
// (tests/cli/export_cli_test.cpp reads whole exported files back with PyYAML.)
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "epibook/yaml_text.h"

namespace epibook {
namespace {

using ojson = nlohmann::ordered_json;

TEST(YamlText, NestedMappingsAndSequencesInBlockStyle) {
  ojson value;
  value["defined_as"] = "model.EpibookModel";
  value["args"] = {{"weights", "model.npz"}};
  value["info"] = {{"authors", ojson::array({ojson{{"name", "A B"}, {"github", "ab"}}, ojson{{"name", "C"}}})},
                   {"tags", {"epibook", "bce"}}};
  value["schema"] = {{"inputs", {{"shape", "(4, 200)"}, {"doc", "A, C, G, T: one-hot"}}}};
  value["empty_list"] = ojson::array();
  value["empty_map"] = ojson::object();
  value["test"] = {{"precision_decimal", 4}, {"ok", true}, {"nothing", nullptr}};
  EXPECT_EQ(yaml_text(value, "first line\nsecond"),
            "# first line\n"
            "# second\n"
            "defined_as: model.EpibookModel\n"
            "args:\n"
            "  weights: model.npz\n"
            "info:\n"
            "  authors:\n"
            "    - name: A B\n"
            "      github: ab\n"
            "    - name: C\n"
            "  tags:\n"
            "    - epibook\n"
            "    - bce\n"
            "schema:\n"
            "  inputs:\n"
            "    shape: (4, 200)\n"
            "    doc: \"A, C, G, T: one-hot\"\n"
            "empty_list: []\n"
            "empty_map: {}\n"
            "test:\n"
            "  precision_decimal: 4\n"
            "  ok: true\n"
            "  nothing: null\n");
}

TEST(YamlText, StringsThatWouldReadAsOtherTypesAreQuoted) {
  for (const char* text : {"yes", "No", "on", "OFF", "y", "null", "true", "1e-05", "42", "-3", ".5", "", " lead",
                           "trail ", "a: b", "# hash", "x#y", "[list]", "{map}", "*anchor", "!tag", "it's"}) {
    const std::string written = yaml_scalar(ojson(text));
    EXPECT_EQ(written.front(), '"') << text;
    EXPECT_EQ(written.back(), '"') << text;
  }
  for (const char* text : {"model.npz", "(4, 200)", "dataloader.py", "GenomicRanges", "A, C, G, T", "/abs/path-1"}) {
    EXPECT_EQ(yaml_scalar(ojson(text)), text);
  }
  EXPECT_EQ(yaml_scalar(ojson("say \"hi\"\\\n\tend\x01")), "\"say \\\"hi\\\"\\\\\\n\\tend\\x01\"");
}

TEST(YamlText, FloatsAlwaysCarryADot) {
  EXPECT_EQ(yaml_scalar(ojson(0.003)), "0.003");
  EXPECT_EQ(yaml_scalar(ojson(3.0)), "3.0");
  EXPECT_EQ(yaml_scalar(ojson(1e-05)), "1.0e-05");
  EXPECT_EQ(yaml_scalar(ojson(2.5e+20)), "2.5e+20");
  EXPECT_EQ(yaml_scalar(ojson(-7)), "-7");
  EXPECT_EQ(yaml_scalar(ojson(std::nan(""))), ".nan");
  EXPECT_EQ(yaml_scalar(ojson(-INFINITY)), "-.inf");
}

TEST(YamlText, SequencesOfSequencesAndScalarDocuments) {
  EXPECT_EQ(yaml_text(ojson::array({ojson::array({1, 2}), 3})), "- \n  - 1\n  - 2\n- 3\n");
  EXPECT_EQ(yaml_text(ojson("plain")), "plain\n");
}

}  // namespace
}  // namespace epibook
