// inventory/parse: the YAML schema, strictness and error places.
#include <gtest/gtest.h>

#include "inventory/inventory.h"

namespace zkops::inventory {
namespace {

const std::string kSeedPseudo =
    std::string(ZK_SOURCE_DIR) + "/configs/inventory/seed-pseudo-cluster.yaml";
const std::string kSeedHosts = std::string(ZK_SOURCE_DIR) + "/configs/inventory/seed-hosts.yaml";

constexpr char kMinimal[] = R"(cluster: c1
defaults:
  paths: {dataDir: "/var/lib/zk{id}"}
servers:
  - {id: 1, host: 10.0.0.1}
environments:
  dev: {}
)";

TEST(InventoryParseTest, SeedPseudoCluster) {
  Inventory inv;
  ASSERT_TRUE(LoadInventory(kSeedPseudo, &inv).ok());
  EXPECT_EQ(inv.cluster, "seed");
  ASSERT_EQ(inv.servers.size(), 3u);
  for (uint64_t i = 0; i < 3; ++i) {
    const ServerSpec& s = inv.servers[i];
    EXPECT_EQ(s.id, i);
    EXPECT_EQ(s.host, "127.0.0.1");
    EXPECT_TRUE(s.ssh.empty());
    EXPECT_EQ(s.ports.client, 2180 + i);
    EXPECT_EQ(s.ports.quorum, 8000 + i);
    EXPECT_EQ(s.ports.election, 8100 + i);
    EXPECT_EQ(s.ports.admin, 0);
    EXPECT_EQ(s.paths.data_dir, "/tmp/zookeeper{id}");
  }
  EXPECT_EQ(inv.servers[1].id_place.line, 25);  // "  - id: 1"
  const Environment* env = nullptr;
  ASSERT_TRUE(SelectEnvironment(inv, "", &env).ok());
  EXPECT_EQ(env->name, "dev");
  EXPECT_EQ(env->plugins.at("storage").name, "memory");
  ASSERT_TRUE(SelectEnvironment(inv, "prod", &env).ok());
  EXPECT_EQ(env->plugins.at("storage").name, "sqlite");
}

TEST(InventoryParseTest, SeedHosts) {
  Inventory inv;
  ASSERT_TRUE(LoadInventory(kSeedHosts, &inv).ok());
  ASSERT_EQ(inv.servers.size(), 3u);
  EXPECT_EQ(inv.servers[0].id, 101u);
  EXPECT_EQ(inv.servers[1].id, 102u);
  EXPECT_EQ(inv.servers[2].id, 202u);
  EXPECT_EQ(inv.servers[2].host, "192.168.100.202");
  EXPECT_EQ(inv.servers[2].ssh, "root@192.168.100.202");
  EXPECT_EQ(inv.servers[2].name, "redis-b");
  EXPECT_EQ(inv.servers[0].ports.admin, 8080);
  EXPECT_EQ(inv.systemd.user, "zookeeper");
}

zk::Status Parse(const std::string& text) {
  Inventory inv;
  return ParseInventory(text, "inv.yaml", &inv);
}

TEST(InventoryParseTest, MinimalUsesDefaults) {
  Inventory inv;
  ASSERT_TRUE(ParseInventory(kMinimal, "inv.yaml", &inv).ok());
  EXPECT_EQ(inv.servers[0].ports.client, 2181);
  EXPECT_EQ(inv.servers[0].ports.quorum, 2888);
  EXPECT_EQ(inv.servers[0].ports.election, 3888);
  const Environment* env = nullptr;
  EXPECT_TRUE(SelectEnvironment(inv, "", &env).ok());  // the only one
  zk::Status s = SelectEnvironment(inv, "prod", &env);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no environment 'prod' (have: dev)"), std::string::npos);
}

TEST(InventoryParseTest, YamlSyntaxErrorHasPlace) {
  zk::Status s = Parse("cluster: c1\nservers:\n  - {id: 1, host: [a\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("inv.yaml:", 0), 0u) << s.message();
  EXPECT_NE(s.message().find("YAML"), std::string::npos);
}

TEST(InventoryParseTest, UnknownKeySuggestsAndNamesPlace) {
  std::string text = kMinimal;
  text.replace(text.find("  - {id: 1, host: 10.0.0.1}"), 27,
               "  - id: 1\n    host: 10.0.0.1\n    prots: {client: 1}");
  zk::Status s = Parse(text);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(
      s.message().rfind("inv.yaml:7:5: servers[0].prots: unknown key; did you mean 'ports'?", 0),
      0u)
      << s.message();
}

TEST(InventoryParseTest, BadValuesNameTheirPlace) {
  struct Case {
    std::string from, to, expect;
  } cases[] = {
      {"{id: 1,", "{id: 256,", "inv.yaml:5:10: servers[0].id: 256 is above the maximum 255"},
      {"{id: 1,", "{id: one,", "servers[0].id: 'one' is not a whole number"},
      {"dev: {}", "dev: {clientCidrs: [10.0.0.0/33]}",
       "environments.dev.clientCidrs[0]: '10.0.0.0/33': bad prefix"},
      {"dev: {}", "dev: {clientCidrs: [nonsense]}", "is not an IPv4 or IPv6 address"},
      {"dev: {}", "dev: {plugins: {storage: {keys: {a: 1}}}}",
       "environments.dev.plugins.storage: missing 'name'"},
      {"dev: {}", "dev: {plugins: {storag: memory}}", "did you mean 'storage'?"},
      {"cluster: c1", "cluster: 'bad name'", "cluster: 'bad name': a cluster name is"},
      {"  paths: {dataDir: \"/var/lib/zk{id}\"}\n", "  ssh: ''\n", "servers[0]: no dataDir"},
      {"host: 10.0.0.1", "host: 10.0.0.1, ports: {client: 70000}",
       "servers[0].ports.client: 70000 is above the maximum 65535"},
  };
  for (const Case& c : cases) {
    std::string text = kMinimal;
    size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    zk::Status s = Parse(text);
    ASSERT_FALSE(s.ok()) << c.to;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
    EXPECT_EQ(s.message().rfind("inv.yaml:", 0), 0u) << s.message();
  }
}

TEST(InventoryParseTest, MissingFileIsNotFound) {
  Inventory inv;
  EXPECT_EQ(LoadInventory("/nonexistent/inv.yaml", &inv).code(), zk::Status::Code::kNotFound);
}

}  // namespace
}  // namespace zkops::inventory
