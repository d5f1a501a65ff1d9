// Helpers for the config tests: parse-or-fail, and a fresh temp dir per test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/zoo_cfg.h"

namespace zk::config::testing {

inline ZooConfig MustParse(const std::string& text, const std::string& file = "/etc/zoo.cfg") {
  ZooConfig cfg;
  Status s = ParseZooConfig(text, file, &cfg);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n--- config ---\n" << text;
  return cfg;
}

// The error message of a parse that must fail with InvalidArgument.
inline std::string ParseError(const std::string& text, const std::string& file = "/etc/zoo.cfg") {
  ZooConfig cfg;
  Status s = ParseZooConfig(text, file, &cfg);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << "parsed:\n" << text;
  return s.message();
}

class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (std::filesystem::temp_directory_path() / "zk-config-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    dir_ = templ;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Writes `text` to dir_/rel (creating parents) and returns the full path.
  std::string Write(const std::string& rel, const std::string& text) {
    const std::filesystem::path p = dir_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string Path(const std::string& rel) const { return (dir_ / rel).string(); }

  std::filesystem::path dir_;
};

}  // namespace zk::config::testing
