// status/interpret + status/target: real srvr/mntr/conf texts and AdminServer JSON (Apache
// ZooKeeper 3.8 and zknode) turned into ServerReports; --servers parsing.
#include "status/interpret.h"

#include <gtest/gtest.h>

#include "status/target.h"
#include "status_replies.h"

namespace zkops::status {
namespace {

using namespace replies;  // NOLINT: the canned replies

net::FourLetterReply Text(const std::string& text) {
  net::FourLetterReply r;
  r.text = text;
  return r;
}

net::FourLetterReply Failed(net::ProbeError error, const std::string& why) {
  net::FourLetterReply r;
  r.error = error;
  r.error_text = why;
  return r;
}

HttpReply Http(const std::string& body, int status = 200) {
  HttpReply r;
  r.ok = true;
  r.status = status;
  r.body = body;
  return r;
}

Target At(const std::string& host, uint16_t port) {
  Target t;
  t.host = host;
  t.client_port = port;
  return t;
}

TEST(StatusInterpret, ApacheLeaderFromSrvrMntrConf) {
  RawProbe raw;
  raw.srvr = Text(kApacheLeaderSrvr);
  raw.mntr = Text(kApacheLeaderMntr);
  raw.conf = Text(kApacheLeaderConf);
  ServerReport r = Interpret(At("127.0.0.1", 58529), 2, raw);
  EXPECT_EQ(r.state, State::kLeader);
  EXPECT_EQ(r.name, "server.3");  // conf's serverId, as the membership names it
  ASSERT_TRUE(r.zxid);
  EXPECT_EQ(*r.zxid, 0x100000000u);
  EXPECT_EQ(r.connections, 1);
  EXPECT_EQ(r.outstanding, 0);
  EXPECT_EQ(r.znode_count, 5);
  ASSERT_TRUE(r.latency);
  EXPECT_EQ(r.latency->text, "0/0.0/0");
  EXPECT_EQ(r.version, "3.8.0-${mvngit.commit.id}");
  EXPECT_EQ(r.server_id, 3);
  EXPECT_EQ(r.conf_voters, 3);
  EXPECT_EQ(r.conf_observers, 0);
  EXPECT_TRUE(r.plugins.empty());  // Apache ZooKeeper has no plugins
  EXPECT_EQ(r.sources.at("srvr"), "ok");
  EXPECT_EQ(r.sources.at("mntr"), "ok");
  EXPECT_EQ(r.sources.at("conf"), "ok");
  EXPECT_EQ(r.mntr_fields.at("zk_peer_state"), "leading - broadcast");
  EXPECT_EQ(r.srvr_fields.at("Proposal sizes last/min/max"), "-1/-1/-1");
  EXPECT_EQ(r.conf_fields.at("server.2"), "127.0.0.1:50641:53969:participant");
  EXPECT_TRUE(r.notes.empty());
  EXPECT_TRUE(r.detail.empty());
}

TEST(StatusInterpret, ZknodeReportsItsPlugins) {
  RawProbe raw;
  raw.srvr = Text(kZknodeLeaderSrvr);
  raw.mntr = Text(kZknodeLeaderMntr);
  raw.conf = Text(kZknodeLeaderConf);
  ServerReport r = Interpret(At("127.0.0.1", 40533), 0, raw);
  EXPECT_EQ(r.state, State::kLeader);
  EXPECT_EQ(r.name, "server.1");
  EXPECT_EQ(r.version, "3.8.0-zknode-0.1.0");
  EXPECT_EQ(r.zxid, 0u);
  EXPECT_EQ(r.conf_voters, 3);
  std::map<std::string, std::string> plugins = {
      {"election", "raft 0.1.0"}, {"storage", "sqlite 0.1.0"}, {"transport", "tcp 0.1.0"}};
  EXPECT_EQ(r.plugins, plugins);
  // conf alone gives the same plugins (mntr may be off the whitelist).
  raw.mntr = Text(kMntrDenied);
  EXPECT_EQ(Interpret(At("127.0.0.1", 40533), 0, raw).plugins, plugins);
}

TEST(StatusInterpret, DefaultWhitelistKeepsStateFromSrvr) {
  RawProbe raw;
  raw.srvr = Text(kApacheFollowerSrvr);
  raw.mntr = Text(kMntrDenied);
  raw.conf = Text(kConfDenied);
  ServerReport r = Interpret(At("zk2", 2181), 1, raw);
  EXPECT_EQ(r.state, State::kFollower);
  EXPECT_EQ(r.name, "#2");  // no conf, no inventory name
  EXPECT_EQ(r.zxid, 0u);
  EXPECT_EQ(r.sources.at("mntr"), "whitelist-denied");
  EXPECT_EQ(r.sources.at("conf"), "whitelist-denied");
  EXPECT_TRUE(r.mntr_fields.empty());
  EXPECT_FALSE(r.server_id);
  EXPECT_FALSE(r.conf_voters);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "mntr is not in 4lw.commands.whitelist");
}

TEST(StatusInterpret, StatesThatAreNotServing) {
  struct Case {
    net::FourLetterReply srvr;
    State state;
  };
  std::vector<Case> cases = {
      {Text(kNotServing), State::kNotServing},
      {Text(kSrvrDenied), State::kFourLwDisabled},
      {Failed(net::ProbeError::kRefused, "connection refused by h:1"), State::kDown},
      {Failed(net::ProbeError::kUnreachable, "h:1: host not found"), State::kDown},
      {Failed(net::ProbeError::kTimeout, "no answer from h:1 within 5000 ms"), State::kNoAnswer},
      {Text(""), State::kNoAnswer},
      {Text("HTTP/1.1 400 Bad Request\r\n\r\n"), State::kUnrecognised},
      {Text("Mode: looking\n"), State::kUnrecognised},
  };
  for (const Case& c : cases) {
    RawProbe raw;
    raw.srvr = c.srvr;
    ServerReport r = Interpret(At("h", 1), 0, raw);
    EXPECT_EQ(r.state, c.state) << c.srvr.text << c.srvr.error_text;
    EXPECT_FALSE(IsServing(r.state));
    EXPECT_FALSE(r.detail.empty());
    EXPECT_FALSE(r.zxid);
  }
  RawProbe ro;
  ro.srvr = Text("Zookeeper version: 3.8.0\nZxid: 0x5\nMode: read-only\nNode count: 4\n");
  EXPECT_EQ(Interpret(At("h", 1), 0, ro).state, State::kReadOnly);
}

TEST(StatusInterpret, AdminServerAnswersWhenSrvrIsDenied) {
  RawProbe raw;
  raw.srvr = Text(kSrvrDenied);
  raw.admin_srvr = Http(kApacheAdminSrvr);
  raw.admin_mntr = Http(kApacheAdminMntr);
  Target t = At("127.0.0.1", 2181);
  t.admin_port = 8080;
  ServerReport r = Interpret(t, 0, raw);
  EXPECT_EQ(r.state, State::kStandalone);
  EXPECT_EQ(r.zxid, 0u);
  EXPECT_EQ(r.znode_count, 5);
  EXPECT_EQ(r.connections, 0);
  EXPECT_EQ(r.version, "3.8.0-${mvngit.commit.id}");
  ASSERT_TRUE(r.latency);
  EXPECT_EQ(r.latency->max, 0);
  EXPECT_EQ(r.sources.at("srvr"), "whitelist-denied");
  EXPECT_EQ(r.sources.at("admin"), "ok");
  EXPECT_EQ(r.sources.at("admin_mntr"), "ok");
  EXPECT_EQ(r.mntr_fields.at("zk_server_state"), "standalone");
  EXPECT_EQ(r.mntr_fields.at("zk_znode_count"), "5");
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "state from the AdminServer (srvr over the client port: 4lw disabled)");
}

TEST(StatusInterpret, AdminServerOfZknode) {
  std::map<std::string, std::string> fields;
  std::string error;
  ASSERT_TRUE(ParseAdminSrvr(kZknodeAdminSrvr, &fields, &error)) << error;
  EXPECT_EQ(fields.at("Mode"), "standalone");
  EXPECT_EQ(fields.at("Zxid"), "0x0");
  EXPECT_EQ(fields.count("command"), 0u);
  ASSERT_TRUE(ParseAdminMntr(kZknodeAdminMntr, &fields, &error)) << error;
  EXPECT_EQ(fields.at("zk_plugin_election"), "standalone 0.1.0");
  EXPECT_EQ(fields.at("zk_znode_count"), "5");

  // The same through Interpret: mntr denied over the client port, filled by the AdminServer.
  RawProbe raw;
  raw.srvr = Text(kZknodeLeaderSrvr);
  raw.mntr = Text(kMntrDenied);
  raw.admin_mntr = Http(kZknodeAdminMntr);
  ServerReport r = Interpret(At("h", 1), 0, raw);
  EXPECT_EQ(r.state, State::kLeader);  // srvr's word wins; the AdminServer only fills in
  EXPECT_EQ(r.plugins.at("election"), "standalone 0.1.0");
  EXPECT_EQ(r.sources.at("admin_mntr"), "ok");
}

TEST(StatusInterpret, AdminServerErrors) {
  std::map<std::string, std::string> fields;
  std::string error;
  EXPECT_FALSE(ParseAdminSrvr(
      R"({"command":"srvr","error":"This ZooKeeper instance is not currently serving requests"})",
      &fields, &error));
  EXPECT_EQ(error, "This ZooKeeper instance is not currently serving requests");
  EXPECT_FALSE(ParseAdminSrvr("<html>", &fields, &error));
  EXPECT_NE(error.find("bad JSON"), std::string::npos);

  // srvr hung, the AdminServer says not serving: the process is up without a quorum.
  RawProbe raw;
  raw.srvr = Failed(net::ProbeError::kTimeout, "no answer");
  raw.admin_srvr = Http(std::string(R"({"command":"server_stats","error":")") +
                        net::kNotServingText.data() + "\"}");
  EXPECT_EQ(Interpret(At("h", 1), 0, raw).state, State::kNotServing);

  // An AdminServer that is not there changes nothing.
  RawProbe down;
  down.srvr = Failed(net::ProbeError::kRefused, "refused");
  down.admin_srvr = HttpReply{false, 0, "", "Connection refused"};
  ServerReport r = Interpret(At("h", 1), 0, down);
  EXPECT_EQ(r.state, State::kDown);
  EXPECT_EQ(r.sources.at("admin"), "error: Connection refused");
}

TEST(StatusInterpret, ConfMembershipCountsObservers) {
  ConfFacts facts = ParseConf(
      "serverId=4\nmembership: \n"
      "server.1=10.0.0.1:2888:3888:participant;0.0.0.0:2181\n"
      "server.2=10.0.0.2:2888:3888:participant;0.0.0.0:2181\n"
      "server.3=10.0.0.3:2888:3888:participant;0.0.0.0:2181\n"
      "server.4=10.0.0.4:2888:3888:observer;0.0.0.0:2181\n"
      "version=100000000\n");
  EXPECT_TRUE(facts.has_membership);
  EXPECT_EQ(facts.voters, 3);
  EXPECT_EQ(facts.observers, 1);
  EXPECT_EQ(facts.server_id, 4);
  // Standalone Apache conf: no membership section.
  ConfFacts standalone = ParseConf("clientPort=2181\nserverId=0\n");
  EXPECT_FALSE(standalone.has_membership);
  EXPECT_EQ(standalone.voters, 0);
}

TEST(StatusInterpret, ExpectedIdMismatchIsNoted) {
  RawProbe raw;
  raw.srvr = Text(kApacheLeaderSrvr);
  raw.conf = Text(kApacheLeaderConf);
  Target t = At("zk3", 2181);
  t.name = "zk3";
  t.expected_id = 2;
  ServerReport r = Interpret(t, 0, raw);
  EXPECT_EQ(r.name, "zk3");
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0], "expected id 2, conf says 3");
}

TEST(StatusInterpret, ParsesZxidAndMntr) {
  EXPECT_EQ(ParseZxid("0x100000009"), 0x100000009u);
  EXPECT_EQ(ParseZxid("0x0"), 0u);
  EXPECT_FALSE(ParseZxid("100"));
  EXPECT_FALSE(ParseZxid("0x"));
  EXPECT_FALSE(ParseZxid("0xzz"));
  auto mntr = ParseMntr(kApacheLeaderMntr);
  EXPECT_EQ(mntr.at("zk_version"), "3.8.0-${mvngit.commit.id}, built on 2024-12-29 17:54 UTC");
  EXPECT_EQ(mntr.at("zk_learners"), "2");
}

TEST(StatusTargets, ParsesServerList) {
  std::vector<Target> t;
  std::string error;
  ASSERT_TRUE(ParseServerList("a:2181,b:2182:8081, c ,[::1]:2183:9000", &t, &error)) << error;
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t[0].host, "a");
  EXPECT_EQ(t[0].client_port, 2181);
  EXPECT_FALSE(t[0].admin_port);
  EXPECT_EQ(t[1].admin_port, 8081);
  EXPECT_EQ(t[2].host, "c");
  EXPECT_EQ(t[2].client_port, kDefaultClientPort);
  EXPECT_EQ(t[3].host, "::1");
  EXPECT_EQ(t[3].client_port, 2183);
  EXPECT_EQ(t[3].admin_port, 9000);
  EXPECT_EQ(t[3].Address(), "[::1]:2183");

  for (const char* bad : {"", "a:2181,", ",a", "a:0", "a:65536", "a:x", "a:1:", "a:1:2:3",
                          ":2181", "[::1", "[]:1", "a:1,a:1"}) {
    std::vector<Target> out;
    EXPECT_FALSE(ParseServerList(bad, &out, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

}  // namespace
}  // namespace zkops::status
