// deploy sync: local change detection and copy, rsync's itemized output, quoting for ssh.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "deploy/remote.h"
#include "deploy/sync.h"

namespace zkops::deploy {
namespace {

namespace fs = std::filesystem;

class DeploySyncTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zkops-deploy-sync-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Write(dir_ + "/src/bin/zknode", "binary v1", 0755);
    Write(dir_ + "/src/lib/zkops/plugins/libzk_storage_sqlite.so", "plugin", 0644);
    Write(dir_ + "/src/lib/zkops/plugins/libzk_storage_memory.so", "other plugin", 0644);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void Write(const std::string& path, const std::string& text, int mode) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    ::chmod(path.c_str(), mode);
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  std::string dir_;
  const std::vector<std::string> files_ = {"bin/zknode",
                                           "lib/zkops/plugins/libzk_storage_sqlite.so"};
};

TEST_F(DeploySyncTest, CopiesOnlyWhatDiffersAndOnlyTheListedFiles) {
  const std::string src = dir_ + "/src", dest = dir_ + "/install";
  std::vector<std::string> changed;
  ASSERT_TRUE(SyncLocal(src, files_, dest, false, &changed).ok());
  EXPECT_EQ(changed, files_);
  EXPECT_EQ(Read(dest + "/bin/zknode"), "binary v1");
  struct stat st {};
  ASSERT_EQ(::stat((dest + "/bin/zknode").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_FALSE(fs::exists(dest + "/lib/zkops/plugins/libzk_storage_memory.so"));

  changed.clear();  // a second run: nothing
  ASSERT_TRUE(SyncLocal(src, files_, dest, false, &changed).ok());
  EXPECT_TRUE(changed.empty());

  // Same size, different bytes: still a change (size+mtime alone could miss it).
  Write(src + "/bin/zknode", "binary v2", 0755);
  ASSERT_TRUE(SyncLocal(src, files_, dest, /*dry_run=*/true, &changed).ok());
  EXPECT_EQ(changed, std::vector<std::string>{"bin/zknode"});
  EXPECT_EQ(Read(dest + "/bin/zknode"), "binary v1");  // dry run wrote nothing
  changed.clear();
  ASSERT_TRUE(SyncLocal(src, files_, dest, false, &changed).ok());
  EXPECT_EQ(changed, std::vector<std::string>{"bin/zknode"});
  EXPECT_EQ(Read(dest + "/bin/zknode"), "binary v2");
}

TEST_F(DeploySyncTest, ReplacesARunningBinaryByRename) {
  const std::string src = dir_ + "/src", dest = dir_ + "/install";
  std::vector<std::string> changed;
  ASSERT_TRUE(SyncLocal(src, files_, dest, false, &changed).ok());
  struct stat before {}, after {};
  ASSERT_EQ(::stat((dest + "/bin/zknode").c_str(), &before), 0);
  Write(src + "/bin/zknode", "binary v2 longer", 0755);
  changed.clear();
  ASSERT_TRUE(SyncLocal(src, files_, dest, false, &changed).ok());
  ASSERT_EQ(::stat((dest + "/bin/zknode").c_str(), &after), 0);
  EXPECT_NE(before.st_ino, after.st_ino);  // a new inode: the old one stays intact for its user
}

TEST(DeployRsyncTest, ParsesItemizedChanges) {
  const std::string out =
      "cd+++++++++ bin/\n"
      ">f+++++++++ bin/zknode\n"
      ".f..t...... bin/zkops\n"
      ">fcst...... lib/zkops/plugins/libzk_storage_sqlite.so\n"
      "cd+++++++++ lib/zkops/plugins/\n";
  EXPECT_EQ(ParseItemizedChanges(out),
            (std::vector<std::string>{"bin/zknode", "lib/zkops/plugins/libzk_storage_sqlite.so"}));
  EXPECT_TRUE(ParseItemizedChanges("").empty());
}

TEST(DeployRsyncTest, CommandUsesChecksumsAndBatchModeSsh) {
  ::setenv("ZKOPS_SSH_OPTS", "-i /k/id -p 2222", 1);
  std::vector<std::string> argv = RsyncArgv("/b", "/tmp/list", "root@10.0.0.1", "/opt/zk", true);
  ::unsetenv("ZKOPS_SSH_OPTS");
  auto has = [&](const std::string& w) {
    return std::find(argv.begin(), argv.end(), w) != argv.end();
  };
  EXPECT_EQ(argv[0], "rsync");
  EXPECT_TRUE(has("--checksum"));
  EXPECT_TRUE(has("--dry-run"));
  EXPECT_TRUE(has("--files-from=/tmp/list"));
  EXPECT_TRUE(has("ssh -o BatchMode=yes -o ConnectTimeout=5 -i /k/id -p 2222"));
  EXPECT_EQ(argv[argv.size() - 2], "/b/");
  EXPECT_EQ(argv.back(), "root@10.0.0.1:/opt/zk/");
}

TEST(DeployRemoteTest, QuotesForTheRemoteShell) {
  EXPECT_EQ(ShellQuote("/opt/zk/bin/zkops"), "/opt/zk/bin/zkops");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
  std::vector<std::string> argv = SshArgv("root@h", ShellJoin({"echo", "a;b"}));
  EXPECT_EQ(argv.back(), "echo 'a;b'");
  EXPECT_EQ(argv[argv.size() - 2], "root@h");
}

TEST(DeployRemoteTest, RunProcessCapturesOutputAndExitCode) {
  ExecResult r = RunProcess({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, 10);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.output.find("out"), std::string::npos);
  EXPECT_NE(r.output.find("err"), std::string::npos);
  ExecResult slow = RunProcess({"/bin/sleep", "10"}, 0.2);
  EXPECT_TRUE(slow.timed_out);
}

}  // namespace
}  // namespace zkops::deploy
