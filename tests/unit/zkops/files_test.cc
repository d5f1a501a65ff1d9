// server/files: pidfile and log tail.
#include "server/files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace zkops::server {
namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zkops-files-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
  }
  std::string dir_;
};

TEST_F(FilesTest, PidFileRoundTrip) {
  const std::string path = dir_ + "/zookeeper_server.pid";
  pid_t pid = 0;
  EXPECT_EQ(ReadPidFile(path, &pid).code(), zk::Status::Code::kNotFound);
  ASSERT_TRUE(WritePidFile(path, 4242).ok());
  ASSERT_TRUE(ReadPidFile(path, &pid).ok());
  EXPECT_EQ(pid, 4242);
  // No temp file left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(FilesTest, ReadsZkServerShFormatAndRejectsGarbage) {
  const std::string path = dir_ + "/pid";
  pid_t pid = 0;
  Write(path, "5474");  // zkServer.sh: echo -n $!
  ASSERT_TRUE(ReadPidFile(path, &pid).ok());
  EXPECT_EQ(pid, 5474);
  for (const char* bad : {"", "abc", "-5", "0", "12 34", "99999999999"}) {
    Write(path, bad);
    EXPECT_EQ(ReadPidFile(path, &pid).code(), zk::Status::Code::kCorruption) << bad;
  }
}

TEST_F(FilesTest, RemovePidFileIfOnlyRemovesItsOwnPid) {
  const std::string path = dir_ + "/pid";
  ASSERT_TRUE(WritePidFile(path, 100).ok());
  ASSERT_TRUE(RemovePidFileIf(path, 200).ok());
  EXPECT_TRUE(std::filesystem::exists(path));
  ASSERT_TRUE(RemovePidFileIf(path, 100).ok());
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(RemovePidFileIf(path, 100).ok());  // already gone
}

TEST_F(FilesTest, WritePidFileFailsInMissingDirectory) {
  EXPECT_FALSE(WritePidFile(dir_ + "/missing/pid", 1).ok());
}

TEST_F(FilesTest, MakeDirs) {
  ASSERT_TRUE(MakeDirs(dir_ + "/a/b/c").ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir_ + "/a/b/c"));
  EXPECT_TRUE(MakeDirs(dir_ + "/a/b/c").ok());
  Write(dir_ + "/file", "x");
  EXPECT_FALSE(MakeDirs(dir_ + "/file").ok());
}

TEST_F(FilesTest, TailLinesFromOffset) {
  const std::string path = dir_ + "/log";
  std::string old = "old 1\nold 2\n";
  std::string text = old;
  for (int i = 1; i <= 30; ++i) text += "line " + std::to_string(i) + "\n";
  Write(path, text);
  auto lines = TailLines(path, old.size(), 20);
  ASSERT_EQ(lines.size(), 20u);
  EXPECT_EQ(lines.front(), "line 11");
  EXPECT_EQ(lines.back(), "line 30");
  lines = TailLines(path, 0, 100);
  EXPECT_EQ(lines.front(), "old 1");
  EXPECT_EQ(lines.size(), 32u);
  EXPECT_TRUE(TailLines(path, text.size(), 20).empty());
  EXPECT_TRUE(TailLines(dir_ + "/none", 0, 20).empty());
}

TEST_F(FilesTest, TailLinesOfAHugeLogReadsOnlyTheEnd) {
  const std::string path = dir_ + "/log";
  std::string text(200 * 1024, 'x');
  text += "\nlast\n";
  Write(path, text);
  auto lines = TailLines(path, 0, 5);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "last");
  EXPECT_LE(lines.front().size(), 64u * 1024);
}

}  // namespace
}  // namespace zkops::server
