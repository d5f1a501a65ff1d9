// provision: creates, is idempotent, refuses what it must, and leaves a config zknode loads.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/zoo_cfg.h"
#include "provision/provision.h"

namespace zkops::provision {
namespace {

namespace fs = std::filesystem;
using inventory::RenderedCluster;
using Action = Step::Action;

class ProvisionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zkops-provision-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Load("c1", "dev");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Load(const std::string& cluster, const std::string& env) {
    text_ = "cluster: " + cluster + "\n" +
            "defaults:\n"
            "  host: 127.0.0.1\n"
            "  paths:\n"
            "    installDir: " +
            dir_ +
            "/install{id}\n"
            "    dataDir: " +
            dir_ +
            "/data{id}\n"
            "    dataLogDir: " +
            dir_ +
            "/log{id}\n"
            "servers:\n"
            "  - {id: 0, ports: {client: 2180, quorum: 8000, election: 8100}}\n"
            "  - {id: 1, ports: {client: 2181, quorum: 8001, election: 8101}}\n"
            "  - {id: 2, ports: {client: 2182, quorum: 8002, election: 8102}}\n"
            "environments:\n"
            "  dev: {plugins: {storage: {name: memory, keys: {allowEnsemble: true}}}}\n"
            "  prod: {plugins: {storage: sqlite}}\n";
    ASSERT_TRUE(inventory::ParseInventory(text_, "inv.yaml", &inv_).ok());
    const inventory::Environment* e = nullptr;
    ASSERT_TRUE(inventory::SelectEnvironment(inv_, env, &e).ok());
    ASSERT_TRUE(inventory::RenderCluster(inv_, *e, &cluster_).ok());
  }

  ServerOutcome Run(size_t i, Options options = Options()) {
    options.unit_dir = dir_ + "/units";
    return ProvisionServer(cluster_, cluster_.servers[i], options);
  }

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
  }

  static int Count(const ServerOutcome& out, Action action) {
    int n = 0;
    for (const Step& s : out.steps) n += s.action == action;
    return n;
  }

  static std::string Steps(const ServerOutcome& out) {
    std::string text;
    for (const Step& s : out.steps) text += FormatStep(s, false) + "\n";
    return text;
  }

  std::string dir_, text_;
  inventory::Inventory inv_;
  RenderedCluster cluster_;
};

TEST_F(ProvisionTest, CreatesThenChangesNothing) {
  ServerOutcome first = Run(1);
  ASSERT_TRUE(first.error.ok()) << first.error.ToString();
  EXPECT_FALSE(first.refused);
  EXPECT_EQ(Count(first, Action::kUnchanged), 0) << Steps(first);
  // data, log, conf, logs dirs; two markers, myid, zoo.cfg.
  EXPECT_EQ(first.changes(), 8) << Steps(first);
  EXPECT_EQ(Read(dir_ + "/data1/myid"), "1\n");
  EXPECT_EQ(Read(dir_ + "/data1/zkops-cluster"), "c1\n");
  EXPECT_EQ(Read(dir_ + "/log1/zkops-cluster"), "c1\n");
  EXPECT_EQ(Read(dir_ + "/install1/conf/zoo.cfg"), cluster_.servers[1].zoo_cfg);
  EXPECT_TRUE(fs::is_directory(dir_ + "/install1/logs"));
  EXPECT_EQ(fs::status(dir_ + "/data1").permissions() & fs::perms::others_read, fs::perms::none);

  ServerOutcome second = Run(1);
  EXPECT_EQ(second.changes(), 0) << Steps(second);
  EXPECT_EQ(Count(second, Action::kUnchanged), static_cast<int>(second.steps.size()));
  EXPECT_FALSE(second.refused);
}

// The rendered zoo.cfg plus the written myid is a configuration zknode's loader accepts
// (LoadZooConfig reads dataDir/myid and requires this server in the server lines).
TEST_F(ProvisionTest, ZknodeLoadsTheResult) {
  for (size_t i = 0; i < 3; ++i) ASSERT_FALSE(Run(i).refused);
  for (size_t i = 0; i < 3; ++i) {
    zk::config::ZooConfig cfg;
    zk::Status s = zk::config::LoadZooConfig(cluster_.servers[i].zoo_cfg_path, &cfg);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(cfg.my_id, i);
    ASSERT_NE(cfg.self(), nullptr);
    EXPECT_EQ(cfg.client_port, 2180 + i);
    EXPECT_EQ(cfg.plugin_storage, "memory");
    EXPECT_EQ(cfg.data_log_dir, dir_ + "/log" + std::to_string(i));
  }
}

TEST_F(ProvisionTest, DryRunChangesNothing) {
  Options options;
  options.dry_run = true;
  options.systemd = true;
  ServerOutcome out = Run(0, options);
  EXPECT_GT(out.changes(), 0);
  EXPECT_FALSE(fs::exists(dir_ + "/data0"));
  EXPECT_FALSE(fs::exists(dir_ + "/units"));
  EXPECT_EQ(FormatStep(out.steps[0], true), "  would create  " + dir_ + "/data0 (directory)");
}

TEST_F(ProvisionTest, EnvironmentChangeUpdatesOnlyZooCfg) {
  ASSERT_EQ(Run(0).changes(), 8);
  Load("c1", "prod");
  ServerOutcome out = Run(0);
  EXPECT_EQ(out.changes(), 1) << Steps(out);
  EXPECT_NE(Steps(out).find("updated       " + dir_ +
                            "/install0/conf/zoo.cfg (zoo.cfg, content "
                            "differs)"),
            std::string::npos)
      << Steps(out);
  EXPECT_NE(Read(dir_ + "/install0/conf/zoo.cfg").find("plugin.storage=sqlite\n"),
            std::string::npos);
}

TEST_F(ProvisionTest, RefusesAnotherMyIdUnlessForced) {
  fs::create_directories(dir_ + "/data2");
  std::ofstream(dir_ + "/data2/myid") << "5\n";
  ServerOutcome out = Run(2);
  EXPECT_TRUE(out.refused);
  EXPECT_NE(Steps(out).find("REFUSED       " + dir_ + "/data2/myid (holds myid '5', not 2"),
            std::string::npos)
      << Steps(out);
  // Refused means untouched: no other file appeared.
  EXPECT_EQ(Read(dir_ + "/data2/myid"), "5\n");
  EXPECT_FALSE(fs::exists(dir_ + "/install2"));
  EXPECT_FALSE(fs::exists(dir_ + "/data2/zkops-cluster"));

  Options force;
  force.force = true;
  out = Run(2, force);
  EXPECT_FALSE(out.refused);
  EXPECT_EQ(Read(dir_ + "/data2/myid"), "2\n");
}

TEST_F(ProvisionTest, RefusesAnotherClustersData) {
  ASSERT_FALSE(Run(0).refused);
  std::ofstream(dir_ + "/data0/snapshot.100") << "x";
  Load("c2", "dev");
  ServerOutcome out = Run(0);
  EXPECT_TRUE(out.refused);
  EXPECT_NE(Steps(out).find("REFUSED       " + dir_ + "/data0 (belongs to cluster 'c1'"),
            std::string::npos)
      << Steps(out);
  EXPECT_EQ(Read(dir_ + "/data0/zkops-cluster"), "c1\n");
  Options force;
  force.force = true;
  out = Run(0, force);
  EXPECT_FALSE(out.refused);
  EXPECT_EQ(Read(dir_ + "/data0/zkops-cluster"), "c2\n");
  EXPECT_TRUE(fs::exists(dir_ + "/data0/snapshot.100"));  // --force never deletes data
}

TEST_F(ProvisionTest, RefusesUnmarkedDataWithoutMatchingMyId) {
  fs::create_directories(dir_ + "/log1");
  std::ofstream(dir_ + "/log1/zk.db") << "x";
  ServerOutcome out = Run(1);
  EXPECT_TRUE(out.refused);
  EXPECT_NE(Steps(out).find("holds data (zk.db) but no zkops-cluster marker"), std::string::npos)
      << Steps(out);
}

TEST_F(ProvisionTest, AdoptsTheSeedsHandMadeDataDir) {
  // The seed: mkdir /tmp/zookeeper1; echo 1 > myid; the server ran and left data.
  fs::create_directories(dir_ + "/data1");
  std::ofstream(dir_ + "/data1/myid") << "1\n";
  std::ofstream(dir_ + "/data1/snapshot.7") << "x";
  ServerOutcome out = Run(1);
  EXPECT_FALSE(out.refused) << Steps(out);
  EXPECT_NE(Steps(out).find("this server's myid: adopted"), std::string::npos) << Steps(out);
  EXPECT_EQ(Read(dir_ + "/data1/zkops-cluster"), "c1\n");
}

TEST_F(ProvisionTest, RefusesHandWrittenZooCfg) {
  fs::create_directories(dir_ + "/install0/conf");
  std::ofstream(dir_ + "/install0/conf/zoo.cfg") << "tickTime=2000\n";
  ServerOutcome out = Run(0);
  EXPECT_TRUE(out.refused);
  EXPECT_NE(Steps(out).find("was not rendered by zkops"), std::string::npos) << Steps(out);
  EXPECT_EQ(Read(dir_ + "/install0/conf/zoo.cfg"), "tickTime=2000\n");
}

TEST_F(ProvisionTest, WritesSystemdUnit) {
  Options options;
  options.systemd = true;
  ServerOutcome out = Run(0, options);
  ASSERT_FALSE(out.refused);
  const std::string unit = Read(dir_ + "/units/zknode-c1-0.service");
  EXPECT_NE(unit.find("Type=simple\n"), std::string::npos);
  EXPECT_NE(
      unit.find("ExecStart=" + dir_ + "/install0/bin/zknode " + dir_ + "/install0/conf/zoo.cfg\n"),
      std::string::npos)
      << unit;
  EXPECT_EQ(Run(0, options).changes(), 0);
}

TEST_F(ProvisionTest, WriteFileAtomicallyLeavesNoTemp) {
  ASSERT_TRUE(WriteFileAtomically(dir_ + "/f", "abc", 0600).ok());
  EXPECT_EQ(Read(dir_ + "/f"), "abc");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
  EXPECT_FALSE(WriteFileAtomically(dir_ + "/missing/f", "abc", 0600).ok());
}

}  // namespace
}  // namespace zkops::provision
