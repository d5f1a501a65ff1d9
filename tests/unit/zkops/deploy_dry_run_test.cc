// `zkops deploy --dry-run` changes nothing and contacts no other host: `ssh` and `rsync` are
// replaced on PATH by scripts that record being run, and must never be.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "deploy/deploy.h"
#include "deploy/plan.h"
#include "inventory/command_line.h"

namespace zkops::deploy {
namespace {

namespace fs = std::filesystem;

class DeployDryRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zkops-deploy-dry-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    inventory_ = dir_ + "/zkops.yaml";
    // server.1 on this machine, server.2 and server.3 behind one ssh target.
    std::ofstream(inventory_)
        << "cluster: dry\n"
        << "defaults:\n"
        << "  host: 127.0.0.1\n"
        << "  paths: {installDir: \"" + dir_ + "/i{id}\", dataDir: \"" + dir_ + "/d{id}\"}\n"
        << "servers:\n"
        << "  - {id: 1, ports: {client: 2181, quorum: 8001, election: 8101}}\n"
        << "  - {id: 2, ssh: zk@127.0.0.1,\n"
        << "     ports: {client: 2182, quorum: 8002, election: 8102}}\n"
        << "  - {id: 3, ssh: zk@127.0.0.1,\n"
        << "     ports: {client: 2183, quorum: 8003, election: 8103}}\n"
        << "environments:\n"
        << "  prod: {plugins: {transport: tcp, storage: sqlite, election: raft}}\n";
    inventory::LoadedCluster loaded;
    zk::Status s = inventory::LoadCluster(inventory_, "prod", &loaded);
    ASSERT_TRUE(s.ok()) << s.ToString();
    files_ = InstallFiles(loaded.cluster);
    for (const std::string& f : files_) Write(dir_ + "/build/" + f, "build of " + f, 0755);
    // Stand-ins for ssh and rsync that leave a trace.
    for (const char* tool : {"ssh", "rsync"}) {
      Write(dir_ + "/fakebin/" + tool,
            "#!/bin/sh\necho \"" + std::string(tool) + " $*\" >> " + dir_ + "/contacted\nexit 1\n",
            0755);
    }
    const char* path = std::getenv("PATH");
    old_path_ = path != nullptr ? path : "/usr/bin:/bin";
    ::setenv("PATH", (dir_ + "/fakebin:" + old_path_).c_str(), 1);
  }
  void TearDown() override {
    ::setenv("PATH", old_path_.c_str(), 1);
    fs::remove_all(dir_);
  }

  static void Write(const std::string& path, const std::string& text, int mode) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    ::chmod(path.c_str(), mode);
  }
  std::string Contacted() const {
    std::ifstream in(dir_ + "/contacted");
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  int Deploy(bool dry_run, std::string* out, std::string* err) {
    DeployOptions options;
    options.inventory = inventory_;
    options.env = "prod";
    options.dry_run = dry_run;
    options.build_root = dir_ + "/build";
    std::ostringstream o, e;
    const int rc = RunDeploy(options, o, e);
    *out = o.str();
    *err = e.str();
    return rc;
  }

  std::string dir_, inventory_, old_path_;
  std::vector<std::string> files_;
};

TEST_F(DeployDryRunTest, PlansWithoutContactingSshHostsOrChangingAnything) {
  std::string out, err;
  ASSERT_EQ(Deploy(/*dry_run=*/true, &out, &err), kDeployOk) << out << err;
  EXPECT_EQ(Contacted(), "") << "a dry run ran ssh or rsync";
  EXPECT_FALSE(fs::exists(dir_ + "/i1")) << "a dry run installed files";
  EXPECT_FALSE(fs::exists(dir_ + "/d1")) << "a dry run provisioned";

  const std::string n = std::to_string(files_.size());
  EXPECT_NE(out.find("deploy: dry run: 2 servers over ssh, not contacted\n"), std::string::npos)
      << out;
  // This machine's server: compared, so the plan is exact.
  EXPECT_NE(out.find(dir_ + "/i1: would update bin/zknode, bin/zkops"), std::string::npos) << out;
  EXPECT_NE(out.find("would start server.1 "), std::string::npos) << out;
  // The ssh servers: what would be sent where, and nothing claimed about what runs there.
  for (const char* id : {"2", "3"}) {
    EXPECT_NE(out.find(dir_ + "/i" + id + ": would sync " + n + " files to zk@127.0.0.1"),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("would start server." + std::string(id)), std::string::npos) << out;
  }
  EXPECT_NE(out.find("zknode    not asked (host not contacted)"), std::string::npos) << out;
  EXPECT_NE(out.find("deploy --dry-run: would update " + n +
                     " files, change 0 zoo.cfg, start 1, "
                     "restart 0 on this machine; 2 servers over ssh not contacted (up to " +
                     n + " files each); nothing was changed\n"),
            std::string::npos)
      << out;
}

// The real run does contact them (and stops before any change when they do not answer):
// the stand-ins above really are what deploy would run.
TEST_F(DeployDryRunTest, TheRealRunProbesSshFirst) {
  std::string out, err;
  EXPECT_EQ(Deploy(/*dry_run=*/false, &out, &err), kDeployPreflight) << out << err;
  EXPECT_NE(Contacted().find("ssh "), std::string::npos);
  EXPECT_NE(err.find("unreachable over ssh"), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(dir_ + "/i1"));
}

}  // namespace
}  // namespace zkops::deploy
