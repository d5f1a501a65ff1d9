// inventory/check: every acceptance case stops with a message that names its place.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "inventory/check.h"

namespace zkops::inventory {
namespace {

constexpr char kGood[] = R"(cluster: c1
defaults:
  paths: {dataDir: "/nonexistent/zkops-check/{id}"}
servers:
  - {id: 1, host: alpha, ports: {client: 2181, quorum: 2888, election: 3888}}
  - {id: 2, host: beta}
  - {id: 3, host: gamma}
environments:
  dev:
    plugins:
      storage: {name: memory, keys: {allowEnsemble: true}}
    clientCidrs: [10.0.0.0/8]
  prod:
    plugins: {storage: sqlite}
    clientCidrs: [10.0.0.0/8]
)";

class InventoryCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/zkops-check-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // A plugin directory as zknode's build leaves it (files are only looked for).
    for (const char* f :
         {"libzk_transport_tcp.so", "libzk_storage_sqlite.so", "libzk_storage_memory.so",
          "libzk_election_raft.so", "libzk_election_standalone.so"}) {
      std::ofstream(dir_ + "/" + f) << "";
    }
    options_.plugin_dir = dir_;
    // Names resolve by a table, so the test does not depend on DNS.
    options_.resolve = [](const std::string& host, std::vector<std::string>* out) {
      static const std::map<std::string, std::string> kHosts = {
          {"alpha", "10.0.0.1"},       {"beta", "10.0.0.2"},       {"gamma", "10.0.0.3"},
          {"alpha-again", "10.0.0.1"}, {"localhost", "127.0.0.1"}, {"127.0.0.2", "127.0.0.2"}};
      auto it = kHosts.find(host);
      if (it == kHosts.end()) return zk::Status::NotFound("Name or service not known");
      *out = {it->second};
      return zk::Status::OK();
    };
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Parses, renders for `env` and checks; the findings as text, one per line.
  std::string Check(const std::string& text, const std::string& env = "dev") {
    zk::Status s = ParseInventory(text, "inv.yaml", &inv_);
    if (!s.ok()) return "parse: " + s.message();
    const Environment* e = nullptr;
    s = SelectEnvironment(inv_, env, &e);
    if (s.ok()) s = RenderCluster(inv_, *e, &cluster_);
    if (!s.ok()) return "render: " + s.message();
    report_ = CheckCluster(cluster_, options_);
    std::string out;
    for (const Finding& f : report_.findings) out += f.ToString() + "\n";
    return out;
  }

  static std::string Edit(std::string text, const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  }

  std::string dir_;
  CheckOptions options_;
  Inventory inv_;
  RenderedCluster cluster_;
  CheckReport report_;
};

TEST_F(InventoryCheckTest, GoodInventoryPasses) {
  EXPECT_EQ(Check(kGood), "");
  EXPECT_EQ(Check(kGood, "prod"), "");
  ASSERT_EQ(report_.notes.size(), 1u);
  EXPECT_EQ(report_.notes[0], "3 voters: a majority is 2, tolerates 1 failure");
}

TEST_F(InventoryCheckTest, SeedInventoriesPass) {
  options_.resolve = ResolveHost;  // numeric addresses only: no DNS involved
  for (const char* file : {"seed-pseudo-cluster.yaml", "seed-hosts.yaml"}) {
    ASSERT_TRUE(
        LoadInventory(std::string(ZK_SOURCE_DIR) + "/configs/inventory/" + file, &inv_).ok());
    for (const Environment& env : inv_.environments) {
      ASSERT_TRUE(RenderCluster(inv_, env, &cluster_).ok());
      options_.check_disk = false;  // /tmp/zookeeperN may hold another run's myid
      CheckReport report = CheckCluster(cluster_, options_);
      for (const Finding& f : report.findings) ADD_FAILURE() << file << ": " << f.ToString();
    }
  }
}

TEST_F(InventoryCheckTest, DuplicateIds) {
  std::string out = Check(Edit(kGood, "{id: 2, host: beta}", "{id: 1, host: beta}"));
  EXPECT_NE(out.find("error: inv.yaml:6:10: servers[1].id: duplicate id 1: inv.yaml:5:10: "
                     "servers[0].id has it too"),
            std::string::npos)
      << out;
  EXPECT_GE(report_.errors(), 1);
}

TEST_F(InventoryCheckTest, PortClashOnOneHost) {
  // beta's address is alpha's: its client port 2181 is alpha's, too.
  std::string out = Check(Edit(kGood, "{id: 2, host: beta}", "{id: 2, host: alpha-again}"));
  EXPECT_NE(out.find("error: inv.yaml:"), std::string::npos) << out;
  EXPECT_NE(out.find("port 2181 clash on host alpha-again: server.2's client port is also "
                     "server.1's client port (inv.yaml:5:42: servers[0].ports.client)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("port 2888 clash"), std::string::npos) << out;
  // And the same dataDir? No: {id} keeps them apart.
  EXPECT_EQ(out.find("dataDir"), std::string::npos) << out;
}

TEST_F(InventoryCheckTest, PortClashWithinOneServer) {
  std::string out =
      Check(Edit(kGood, "quorum: 2888, election: 3888", "quorum: 2888, election: 2888"));
  EXPECT_NE(out.find("servers[0].ports.election: port 2888 clash on host alpha: server.1's "
                     "election port is also server.1's quorum port"),
            std::string::npos)
      << out;
}

TEST_F(InventoryCheckTest, LoopbackAddressesAreOneMachine) {
  std::string text = Edit(kGood, "host: alpha,", "host: localhost,");
  text = Edit(text, "{id: 2, host: beta}", "{id: 2, host: 127.0.0.2}");
  std::string out = Check(text);
  EXPECT_NE(out.find("port 2181 clash on host 127.0.0.2"), std::string::npos) << out;
}

TEST_F(InventoryCheckTest, SharedDataDirOnOneHost) {
  std::string text = Edit(kGood, "{id: 2, host: beta}",
                          "{id: 2, host: alpha-again, ports: {client: 1, quorum: 2, election: 3}, "
                          "paths: {dataDir: /nonexistent/zkops-check/1}}");
  std::string out = Check(text);
  EXPECT_NE(out.find("servers[1].paths.dataDir: /nonexistent/zkops-check/1 is used by server.2 "
                     "(dataDir) and server.1"),
            std::string::npos)
      << out;
}

TEST_F(InventoryCheckTest, UnknownPlugin) {
  std::string out =
      Check(Edit(kGood, "plugins: {storage: sqlite}", "plugins: {storage: rocksdb}"), "prod");
  EXPECT_NE(out.find("error: inv.yaml:14:24: environments.prod.plugins.storage: no storage "
                     "plugin 'rocksdb': " +
                     dir_ +
                     "/libzk_storage_rocksdb.so does not exist; "
                     "available storage plugins: memory, sqlite"),
            std::string::npos)
      << out;
}

TEST_F(InventoryCheckTest, DefaultPluginsAreCheckedToo) {
  std::filesystem::remove(dir_ + "/libzk_election_raft.so");
  std::string out = Check(kGood, "prod");
  EXPECT_NE(out.find("environments.prod.plugins.election (zknode's default): no election "
                     "plugin 'raft'"),
            std::string::npos)
      << out;
  options_.plugin_dir = dir_ + "/missing";
  out = Check(kGood, "prod");
  EXPECT_NE(out.find("the plugin directory " + dir_ + "/missing does not exist"), std::string::npos)
      << out;
}

TEST_F(InventoryCheckTest, UnresolvableHost) {
  std::string out = Check(Edit(kGood, "host: gamma", "host: no-such-host.invalid"));
  EXPECT_NE(out.find("error: inv.yaml:7:19: servers[2].host: host 'no-such-host.invalid' does "
                     "not resolve: Name or service not known"),
            std::string::npos)
      << out;
}

TEST_F(InventoryCheckTest, RealResolverFailsOnInvalidName) {
  std::vector<std::string> addresses;
  EXPECT_FALSE(ResolveHost("no-such-host.invalid", &addresses).ok());
  ASSERT_TRUE(ResolveHost("127.0.0.1", &addresses).ok());
  EXPECT_EQ(addresses, std::vector<std::string>{"127.0.0.1"});
}

TEST_F(InventoryCheckTest, EvenVotersWarn) {
  std::string text = Edit(kGood, "  - {id: 3, host: gamma}\n",
                          "  - {id: 3, host: gamma}\n  - {id: 4, host: 10.0.0.4}\n");
  options_.resolve = [](const std::string& host, std::vector<std::string>* out) {
    *out = {host};
    return zk::Status::OK();
  };
  std::string out = Check(text);
  EXPECT_NE(out.find("warning: inv.yaml:5:5: servers[0]: 4 voters: a majority is 3, so the "
                     "ensemble tolerates 1 failure, no more than 3 voters would"),
            std::string::npos)
      << out;
  EXPECT_EQ(report_.errors(), 0) << out;
  // An observer does not vote: 3 voters again.
  out = Check(Edit(text, "{id: 4, host: 10.0.0.4}", "{id: 4, host: 10.0.0.4, role: observer}"));
  EXPECT_EQ(out.find("voters:"), std::string::npos) << out;
}

TEST_F(InventoryCheckTest, MemoryStorageNeedsAllowEnsemble) {
  std::string out = Check(Edit(kGood, "{name: memory, keys: {allowEnsemble: true}}", "memory"));
  EXPECT_NE(out.find("environments.dev.plugins.storage: zknode refuses memory storage in a "
                     "multi-server ensemble"),
            std::string::npos)
      << out;
}

TEST_F(InventoryCheckTest, RenderedConfigRejectedByZknodePointsAtYaml) {
  std::string out = Check(Edit(kGood, "clientCidrs: [10.0.0.0/8]\n  prod",
                               "clientCidrs: [10.0.0.0/8]\n    zooCfg: {tickTime: -5}\n  prod"));
  // zknode's parser rejects the rendered line; the message points at the YAML value.
  EXPECT_NE(out.find("error: inv.yaml:13:24: environments.dev.zooCfg.tickTime: rendered zoo.cfg "
                     "of server.1, line 3"),
            std::string::npos)
      << out;
}

TEST_F(InventoryCheckTest, ExistingMyIdOnDiskMustAgree) {
  std::string text = Edit(kGood, "/nonexistent/zkops-check/{id}", dir_ + "/data{id}");
  std::filesystem::create_directories(dir_ + "/data2");
  std::ofstream(dir_ + "/data2/myid") << "7\n";
  std::string out = Check(text);
  EXPECT_NE(out.find("servers[1].id: " + dir_ +
                     "/data2/myid already holds myid '7', but this "
                     "server is server.2"),
            std::string::npos)
      << out;
  options_.check_disk = false;
  EXPECT_EQ(Check(text), "");
}

}  // namespace
}  // namespace zkops::inventory
