// firewall/rules: which host, which sources, and both text formats.
#include <gtest/gtest.h>

#include "firewall/rules.h"

namespace zkops::firewall {
namespace {

using inventory::RenderedServer;

zk::Status Literal(const std::string& host, std::vector<std::string>* out) {
  *out = {host};
  return zk::Status::OK();
}

class FirewallRulesTest : public ::testing::Test {
 protected:
  void Load(const std::string& file, const std::string& env) {
    ASSERT_TRUE(
        inventory::LoadInventory(std::string(ZK_SOURCE_DIR) + "/configs/inventory/" + file, &inv_)
            .ok());
    const inventory::Environment* e = nullptr;
    ASSERT_TRUE(inventory::SelectEnvironment(inv_, env, &e).ok());
    ASSERT_TRUE(inventory::RenderCluster(inv_, *e, &cluster_).ok());
  }
  RuleSet Rules(std::optional<uint64_t> server) {
    std::vector<const RenderedServer*> servers;
    zk::Status s = ServersOnHost(cluster_, server, Literal, &servers);
    EXPECT_TRUE(s.ok()) << s.ToString();
    RuleSet rules;
    s = BuildRuleSet(cluster_, servers, Deny::kReject, Literal, &rules);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return rules;
  }
  inventory::Inventory inv_;
  inventory::RenderedCluster cluster_;
};

TEST_F(FirewallRulesTest, SeedHostsServer202Nftables) {
  Load("seed-hosts.yaml", "prod");
  RuleSet rules = Rules(202);
  EXPECT_EQ(rules.server_ids, std::vector<uint64_t>{202});
  EXPECT_EQ(rules.ports, (std::vector<uint16_t>{2180, 8000, 8080, 8100}));
  const std::string text = RenderNftables(rules);
  const std::string body =
      "table inet zkops_seed_hosts\n"
      "delete table inet zkops_seed_hosts\n"
      "table inet zkops_seed_hosts {\n"
      "\tchain input {\n"
      "\t\ttype filter hook input priority filter; policy accept;\n"
      "\t\t# Loopback: this machine's own tools and servers (zkops server status, zkCli.sh "
      "localhost)\n"
      "\t\tiif \"lo\" accept comment \"zkops seed-hosts loopback\"\n"
      "\t\t# server.202 client port 2180: clients from environments.prod.clientCidrs\n"
      "\t\ttcp dport 2180 ip saddr { 192.168.100.0/24 } accept comment \"server.202 client\"\n"
      "\t\t# server.202 quorum port 8000: the other servers only\n"
      "\t\ttcp dport 8000 ip saddr { 192.168.100.101, 192.168.100.102 } accept comment "
      "\"server.202 quorum\"\n"
      "\t\t# server.202 election port 8100: the other servers only\n"
      "\t\ttcp dport 8100 ip saddr { 192.168.100.101, 192.168.100.102 } accept comment "
      "\"server.202 election\"\n"
      "\t\t# server.202 AdminServer port 8080: environments.prod.adminCidrs\n"
      "\t\ttcp dport 8080 ip saddr { 192.168.100.101, 192.168.100.102, 192.168.100.202 } accept "
      "comment \"server.202 admin\"\n"
      "\t\t# Everyone else, on the ports above:\n"
      "\t\ttcp dport { 2180, 8000, 8080, 8100 } reject with tcp reset comment "
      "\"zkops seed-hosts deny\"\n"
      "\t}\n"
      "}\n";
  ASSERT_GE(text.size(), body.size());
  EXPECT_EQ(text.substr(text.size() - body.size()), body) << text;
  EXPECT_EQ(text.rfind("# zkops firewall rules (nft -f) for cluster 'seed-hosts', environment "
                       "'prod'\n# host 192.168.100.202: server.202\n",
                       0),
            0u)
      << text;
}

TEST_F(FirewallRulesTest, SeedHostsServer101Iptables) {
  Load("seed-hosts.yaml", "prod");
  const std::string text = RenderIptables(Rules(101));
  const std::string body =
      "*filter\n"
      ":ZKOPS-seed-hosts - [0:0]\n"
      "-F ZKOPS-seed-hosts\n"
      "# Loopback: this machine's own tools and servers (zkops server status, zkCli.sh "
      "localhost)\n"
      "-A ZKOPS-seed-hosts -i lo -m comment --comment \"zkops seed-hosts loopback\" -j ACCEPT\n"
      "# server.101 client port 2180: clients from environments.prod.clientCidrs\n"
      "-A ZKOPS-seed-hosts -p tcp -s 192.168.100.0/24 --dport 2180 -m comment --comment "
      "\"server.101 client\" -j ACCEPT\n"
      "# server.101 quorum port 8000: the other servers only\n"
      "-A ZKOPS-seed-hosts -p tcp -s 192.168.100.102 --dport 8000 -m comment --comment "
      "\"server.101 quorum\" -j ACCEPT\n"
      "-A ZKOPS-seed-hosts -p tcp -s 192.168.100.202 --dport 8000 -m comment --comment "
      "\"server.101 quorum\" -j ACCEPT\n"
      "# server.101 election port 8100: the other servers only\n"
      "-A ZKOPS-seed-hosts -p tcp -s 192.168.100.102 --dport 8100 -m comment --comment "
      "\"server.101 election\" -j ACCEPT\n"
      "-A ZKOPS-seed-hosts -p tcp -s 192.168.100.202 --dport 8100 -m comment --comment "
      "\"server.101 election\" -j ACCEPT\n";
  EXPECT_NE(text.find(body), std::string::npos) << text;
  EXPECT_NE(text.find("-A ZKOPS-seed-hosts -p tcp --dport 8000 -m comment --comment \"zkops "
                      "seed-hosts deny\" -j REJECT --reject-with tcp-reset\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.substr(text.size() - 7), "COMMIT\n");
  // The own address is not a peer.
  EXPECT_EQ(text.find("-s 192.168.100.101 --dport 8000"), std::string::npos);
}

TEST_F(FirewallRulesTest, PseudoClusterIsOneHost) {
  Load("seed-pseudo-cluster.yaml", "dev");
  RuleSet rules = Rules(std::nullopt);
  EXPECT_EQ(rules.server_ids, (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(rules.ports,
            (std::vector<uint16_t>{2180, 2181, 2182, 8000, 8001, 8002, 8100, 8101, 8102}));
  EXPECT_EQ(rules.chain, "ZKOPS-seed");
  const std::string text = RenderNftables(rules);
  EXPECT_NE(text.find("tcp dport 8001 ip saddr { 127.0.0.1 } accept"), std::string::npos);
  EXPECT_NE(text.find("tcp dport 2182 ip saddr { 127.0.0.0/8 } accept"), std::string::npos);
  // No admin port is enabled, so none is governed.
  EXPECT_EQ(text.find("AdminServer port"), std::string::npos);
}

TEST_F(FirewallRulesTest, SeveralHostsNeedServer) {
  Load("seed-hosts.yaml", "prod");
  std::vector<const RenderedServer*> servers;
  zk::Status s = ServersOnHost(cluster_, std::nullopt, Literal, &servers);
  EXPECT_EQ(s.code(), zk::Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("choose one with --server N"), std::string::npos);
  EXPECT_EQ(ServersOnHost(cluster_, 7, Literal, &servers).code(), zk::Status::Code::kNotFound);
}

TEST_F(FirewallRulesTest, DropAndIpv6) {
  ASSERT_TRUE(inventory::ParseInventory(R"(cluster: v6
defaults: {paths: {dataDir: "/d{id}"}}
servers:
  - {id: 1, host: "fd00::1"}
  - {id: 2, host: "fd00::2"}
  - {id: 3, host: "fd00::3"}
environments:
  e: {clientCidrs: ["fd00::/64", 10.0.0.0/8]}
)",
                                        "v6.yaml", &inv_)
                  .ok());
  ASSERT_TRUE(inventory::RenderCluster(inv_, inv_.environments[0], &cluster_).ok());
  EXPECT_NE(cluster_.servers[0].zoo_cfg.find("server.2=[fd00::2]:2888:3888\n"), std::string::npos);
  std::vector<const RenderedServer*> servers;
  ASSERT_TRUE(ServersOnHost(cluster_, 1, Literal, &servers).ok());
  RuleSet rules;
  ASSERT_TRUE(BuildRuleSet(cluster_, servers, Deny::kDrop, Literal, &rules).ok());
  const std::string nft = RenderNftables(rules);
  EXPECT_NE(nft.find("tcp dport 2181 ip saddr { 10.0.0.0/8 } accept"), std::string::npos) << nft;
  EXPECT_NE(nft.find("tcp dport 2181 ip6 saddr { fd00::/64 } accept"), std::string::npos) << nft;
  EXPECT_NE(nft.find("tcp dport 2888 ip6 saddr { fd00::2, fd00::3 } accept"), std::string::npos);
  EXPECT_NE(nft.find("tcp dport { 2181, 2888, 3888 } drop"), std::string::npos) << nft;
  const std::string ipt = RenderIptables(rules);
  EXPECT_NE(ipt.find("#   fd00::2 is IPv6: not in iptables"), std::string::npos) << ipt;
  EXPECT_NE(ipt.find("-j DROP\n"), std::string::npos);
}

TEST_F(FirewallRulesTest, Removal) {
  Load("seed-pseudo-cluster.yaml", "dev");
  RuleSet rules = Rules(std::nullopt);
  EXPECT_NE(RenderRemoval(rules, Format::kNftables).find("nft delete table inet zkops_seed"),
            std::string::npos);
  EXPECT_NE(RenderRemoval(rules, Format::kIptables).find("iptables -X ZKOPS-seed"),
            std::string::npos);
}

}  // namespace
}  // namespace zkops::firewall
