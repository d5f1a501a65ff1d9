// inventory/render: goldens for the seed inventories, zknode's parser accepts the result,
// environments pick plugins, templates and reserved keys.
#include <gtest/gtest.h>

#include "config/zoo_cfg.h"
#include "inventory/inventory.h"

namespace zkops::inventory {
namespace {

const std::string kInvDir = std::string(ZK_SOURCE_DIR) + "/configs/inventory/";

struct Loaded {
  Inventory inv;
  RenderedCluster cluster;
};

void Render(const std::string& file, const std::string& env_name, Loaded* out) {
  ASSERT_TRUE(LoadInventory(kInvDir + file, &out->inv).ok());
  const Environment* env = nullptr;
  ASSERT_TRUE(SelectEnvironment(out->inv, env_name, &env).ok());
  zk::Status s = RenderCluster(out->inv, *env, &out->cluster);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST(InventoryRenderTest, SeedPseudoClusterGolden) {
  Loaded l;
  Render("seed-pseudo-cluster.yaml", "dev", &l);
  ASSERT_EQ(l.cluster.servers.size(), 3u);
  const RenderedServer& s = l.cluster.servers[2];
  // The seed's zoo2.cfg (configs/seed-pseudo-cluster/zoo2.cfg) line for line, then the
  // environment's keys.
  EXPECT_EQ(s.zoo_cfg,
            "# zoo.cfg of server.2 (127.0.0.1), cluster 'seed', environment 'dev'.\n"
            "# Rendered by zkops from seed-pseudo-cluster.yaml: edit the inventory and run "
            "`zkops provision`, not this file.\n"
            "tickTime=2000\n"
            "initLimit=10\n"
            "syncLimit=5\n"
            "dataDir=/tmp/zookeeper2\n"
            "dataLogDir=/tmp/zookeeper2\n"
            "clientPort=2182\n"
            "server.0=127.0.0.1:8000:8100\n"
            "server.1=127.0.0.1:8001:8101\n"
            "server.2=127.0.0.1:8002:8102\n"
            "admin.enableServer=false\n"
            "plugin.transport=tcp\n"
            "plugin.storage=memory\n"
            "storage.memory.allowEnsemble=true\n"
            "plugin.election=raft\n");
  EXPECT_EQ(s.myid, "2\n");
  EXPECT_EQ(s.myid_path, "/tmp/zookeeper2/myid");
  EXPECT_EQ(s.zoo_cfg_path, "/tmp/zkops-seed/server2/conf/zoo.cfg");
  EXPECT_EQ(s.log_dir, "/tmp/zookeeper2");
  // Each line knows where it came from: line 8 (clientPort) is servers[2].ports.client.
  ASSERT_GE(s.line_origin.size(), 8u);
  EXPECT_EQ(s.line_origin[7].key, "servers[2].ports.client");
  EXPECT_GT(s.line_origin[7].line, 0);
}

TEST(InventoryRenderTest, SeedHostsGolden) {
  Loaded l;
  Render("seed-hosts.yaml", "prod", &l);
  const RenderedServer* s = l.cluster.Find(101);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->zoo_cfg,
            "# zoo.cfg of server.101 (h101), cluster 'seed-hosts', environment 'prod'.\n"
            "# Rendered by zkops from seed-hosts.yaml: edit the inventory and run "
            "`zkops provision`, not this file.\n"
            "tickTime=2000\n"
            "initLimit=10\n"
            "syncLimit=5\n"
            "4lw.commands.whitelist=srvr,ruok,stat,conf,mntr,cons,isro,dirs\n"
            "autopurge.purgeInterval=1\n"
            "autopurge.snapRetainCount=3\n"
            "dataDir=/tmp/zookeeper101\n"
            "dataLogDir=/tmp/zookeeper101\n"
            "clientPort=2180\n"
            "server.101=192.168.100.101:8000:8100\n"
            "server.102=192.168.100.102:8000:8100\n"
            "server.202=192.168.100.202:8000:8100\n"
            "admin.serverPort=8080\n"
            "plugin.transport=tcp\n"
            "plugin.storage=sqlite\n"
            "storage.sqlite.synchronous=full\n"
            "plugin.election=raft\n");
  EXPECT_EQ(s->ssh, "root@192.168.100.101");
  EXPECT_EQ(s->zoo_cfg_path, "/root/zk/zookeeper-3.4.6-real/conf/zoo.cfg");
  EXPECT_EQ(l.cluster.Find(202)->myid, "202\n");
}

// Acceptance: one inventory, --env dev and --env prod render different storage plugins.
TEST(InventoryRenderTest, EnvironmentsChooseStorage) {
  Loaded dev, prod;
  Render("seed-hosts.yaml", "dev", &dev);
  Render("seed-hosts.yaml", "prod", &prod);
  for (size_t i = 0; i < 3; ++i) {
    zk::config::ZooConfig d, p;
    ASSERT_TRUE(zk::config::ParseZooConfig(dev.cluster.servers[i].zoo_cfg, "dev", &d).ok());
    ASSERT_TRUE(zk::config::ParseZooConfig(prod.cluster.servers[i].zoo_cfg, "prod", &p).ok());
    EXPECT_EQ(d.plugin_storage, "memory");
    EXPECT_EQ(p.plugin_storage, "sqlite");
  }
}

// Every rendered zoo.cfg of both seed inventories, every environment, is one zknode's own
// parser accepts, with the server lines and ports the inventory says.
TEST(InventoryRenderTest, ZknodeParserAcceptsEveryRenderedConfig) {
  for (const char* file : {"seed-pseudo-cluster.yaml", "seed-hosts.yaml"}) {
    Inventory inv;
    ASSERT_TRUE(LoadInventory(kInvDir + file, &inv).ok());
    for (const Environment& env : inv.environments) {
      RenderedCluster cluster;
      ASSERT_TRUE(RenderCluster(inv, env, &cluster).ok());
      for (const RenderedServer& s : cluster.servers) {
        zk::config::ZooConfig cfg;
        zk::Status st = zk::config::ParseZooConfig(s.zoo_cfg, s.zoo_cfg_path, &cfg);
        ASSERT_TRUE(st.ok()) << file << " " << env.name << ": " << st.ToString();
        EXPECT_TRUE(cfg.warnings.empty()) << cfg.warnings.front();
        cfg.my_id = s.id;
        cfg.has_my_id = true;
        ASSERT_NE(cfg.self(), nullptr);
        EXPECT_EQ(cfg.self()->host, s.host);
        EXPECT_EQ(cfg.self()->quorum_port, s.quorum_port);
        EXPECT_EQ(cfg.client_port, s.client_port);
        EXPECT_EQ(cfg.data_dir, s.data_dir);
        EXPECT_EQ(cfg.servers.size(), 3u);
        EXPECT_TRUE(cfg.distributed());
        EXPECT_EQ(cfg.admin_enable_server, s.admin_port != 0);
      }
    }
  }
}

constexpr char kBase[] = R"(cluster: c1
defaults:
  paths: {installDir: "/opt/zk/{cluster}", dataDir: "{installDir}/data{id}"}
zooCfg: {tickTime: 2000}
servers:
  - {id: 1, host: 10.0.0.1, role: observer}
  - {id: 2, host: 10.0.0.2, zooCfg: {tickTime: 3000}}
environments:
  dev: {zooCfg: {maxClientCnxns: 10}}
)";

zk::Status RenderText(const std::string& text, RenderedCluster* cluster, Inventory* inv) {
  zk::Status s = ParseInventory(text, "inv.yaml", inv);
  if (!s.ok()) return s;
  return RenderCluster(*inv, inv->environments[0], cluster);
}

TEST(InventoryRenderTest, TemplatesLayersAndObservers) {
  Inventory inv;
  RenderedCluster c;
  ASSERT_TRUE(RenderText(kBase, &c, &inv).ok());
  EXPECT_EQ(c.servers[0].data_dir, "/opt/zk/c1/data1");
  EXPECT_EQ(c.servers[0].conf_dir, "/opt/zk/c1/conf");
  const std::string& one = c.servers[0].zoo_cfg;
  EXPECT_NE(one.find("tickTime=2000\ninitLimit=10\nsyncLimit=5\nmaxClientCnxns=10\n"),
            std::string::npos)
      << one;
  EXPECT_NE(one.find("peerType=observer\n"), std::string::npos);
  EXPECT_NE(one.find("server.1=10.0.0.1:2888:3888:observer\n"), std::string::npos);
  // A server's own zooCfg wins, in place.
  EXPECT_NE(
      c.servers[1].zoo_cfg.find("tickTime=3000\ninitLimit=10\nsyncLimit=5\nmaxClientCnxns=10\n"),
      std::string::npos);
}

TEST(InventoryRenderTest, ReservedKeysAndBadTemplatesNamePlace) {
  struct Case {
    std::string from, to, expect;
  } cases[] = {
      {"{tickTime: 2000}", "{tickTime: 2000, clientPort: 1}",
       "inv.yaml:4:38: zooCfg.clientPort: zkops writes 'clientPort' itself: set ports.client"},
      {"{maxClientCnxns: 10}", "{server.9: 'x:1:2'}", "list the server under servers"},
      {"{maxClientCnxns: 10}", "{storage.sqlite.x: 1}", "plugins.<kind>.keys"},
      {"data{id}", "data{idd}", "defaults.paths.dataDir: unknown template {idd}"},
      {"\"/opt/zk/{cluster}\"", "opt/zk",
       "defaults.paths.installDir: 'opt/zk' is not an absolute path"},
  };
  for (const Case& c : cases) {
    std::string text = kBase;
    size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    Inventory inv;
    RenderedCluster cluster;
    zk::Status s = RenderText(text, &cluster, &inv);
    ASSERT_FALSE(s.ok()) << c.to;
    EXPECT_NE(s.message().find(c.expect), std::string::npos) << s.message();
  }
}

TEST(InventoryRenderTest, SystemdUnit) {
  Loaded l;
  Render("seed-hosts.yaml", "prod", &l);
  RenderedUnit unit = RenderSystemdUnit(l.cluster, *l.cluster.Find(202));
  EXPECT_EQ(unit.name, "zknode-seed-hosts-202.service");
  for (const char* line : {
           "Type=simple\n",
           "User=zookeeper\n",
           "Group=zookeeper\n",
           "ExecStart=/root/zk/zookeeper-3.4.6-real/bin/zknode "
           "/root/zk/zookeeper-3.4.6-real/conf/zoo.cfg\n",
           "Restart=on-failure\n",
           "RestartPreventExitStatus=2\n",
           "LimitNOFILE=65536\n",
           "After=network-online.target\n",
           "ReadWritePaths=-/tmp/zookeeper202 -/root/zk/zookeeper-3.4.6-real/logs\n",
           "WantedBy=multi-user.target\n",
       }) {
    EXPECT_NE(unit.text.find(line), std::string::npos) << line << "\n" << unit.text;
  }
}

}  // namespace
}  // namespace zkops::inventory
