// status/render: the table and the JSON object `zkops status` prints.
#include "status/render.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <sstream>

#include "status/assess.h"
#include "status/interpret.h"
#include "status_replies.h"

namespace zkops::status {
namespace {

using namespace replies;  // NOLINT: the canned replies

EnsembleStatus Sample() {
  std::vector<ServerReport> servers;
  Target t;
  t.host = "127.0.0.1";
  t.client_port = 40533;
  RawProbe leader;
  leader.srvr.text = kZknodeLeaderSrvr;
  leader.mntr = net::FourLetterReply{};
  leader.mntr->text = kZknodeLeaderMntr;
  leader.conf = net::FourLetterReply{};
  leader.conf->text = kZknodeLeaderConf;
  servers.push_back(Interpret(t, 0, leader));
  t.client_port = 40534;
  RawProbe down;
  down.srvr.error = net::ProbeError::kRefused;
  down.srvr.error_text = "connection refused by 127.0.0.1:40534";
  servers.push_back(Interpret(t, 1, down));
  t.client_port = 40535;
  RawProbe follower;
  follower.srvr.text = kApacheFollowerSrvr;  // Zxid 0x0 under a leader at 0x0: lag 0
  servers.push_back(Interpret(t, 2, follower));
  return Assess(std::move(servers));
}

Poco::JSON::Object::Ptr Parse(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text).extract<Poco::JSON::Object::Ptr>();
}

TEST(StatusRender, JsonShape) {
  EnsembleStatus st = Sample();
  ASSERT_EQ(st.verdict, Verdict::kDegraded);
  Poco::JSON::Object::Ptr doc = Parse(RenderJson(st, 2));
  EXPECT_EQ(doc->getValue<std::string>("verdict"), "degraded");
  EXPECT_EQ(doc->getValue<int>("exit_code"), 1);
  EXPECT_EQ(doc->getValue<std::string>("summary"), st.summary);
  EXPECT_EQ(doc->getValue<std::string>("leader"), "server.1");
  EXPECT_EQ(doc->getArray("leaders")->size(), 1u);
  Poco::JSON::Object::Ptr q = doc->getObject("quorum");
  ASSERT_FALSE(q.isNull());
  EXPECT_EQ(q->getValue<int>("voters"), 3);
  EXPECT_EQ(q->getValue<std::string>("voters_source"), "conf");
  EXPECT_EQ(q->getValue<int>("needed"), 2);
  EXPECT_EQ(q->getValue<int>("serving_voters"), 2);
  EXPECT_TRUE(q->getValue<bool>("has_quorum"));
  EXPECT_EQ(q->getValue<int>("tolerated_failures"), 0);

  Poco::JSON::Array::Ptr servers = doc->getArray("servers");
  ASSERT_EQ(servers->size(), 3u);
  Poco::JSON::Object::Ptr s0 = servers->getObject(0);
  for (const char* key :
       {"name", "address", "host", "client_port", "admin_port", "expected_id", "server_id",
        "state", "serving", "detail", "zxid", "zxid_epoch", "zxid_counter", "lag", "lag_text",
        "connections", "outstanding", "latency", "znode_count", "version", "plugins",
        "membership_voters", "membership_observers", "sources", "notes", "raw"}) {
    EXPECT_TRUE(s0->has(key)) << key;
  }
  EXPECT_EQ(s0->getValue<std::string>("state"), "leader");
  EXPECT_EQ(s0->getValue<std::string>("zxid"), "0x0");
  EXPECT_EQ(s0->getValue<int>("lag"), 0);
  EXPECT_EQ(s0->getValue<int>("server_id"), 1);
  EXPECT_EQ(s0->getObject("latency")->getValue<double>("max"), 0.0);
  EXPECT_EQ(s0->getObject("plugins")->getValue<std::string>("election"), "raft 0.1.0");
  EXPECT_EQ(s0->getObject("sources")->getValue<std::string>("mntr"), "ok");
  Poco::JSON::Object::Ptr raw = s0->getObject("raw");
  EXPECT_EQ(raw->getObject("srvr")->getValue<std::string>("Mode"), "leader");
  EXPECT_EQ(raw->getObject("mntr")->getValue<std::string>("zk_synced_followers"), "2");
  EXPECT_EQ(raw->getObject("conf")->getValue<std::string>("serverId"), "1");
  EXPECT_TRUE(s0->isNull("admin_port"));

  Poco::JSON::Object::Ptr s1 = servers->getObject(1);
  EXPECT_EQ(s1->getValue<std::string>("state"), "down");
  EXPECT_FALSE(s1->getValue<bool>("serving"));
  for (const char* key : {"zxid", "lag", "connections", "latency", "znode_count"}) {
    EXPECT_TRUE(s1->isNull(key)) << key;
  }
  EXPECT_EQ(s1->getObject("sources")->getValue<std::string>("srvr"), "refused");

  // --watch --json: one object per line.
  std::string line = RenderJson(st, 0);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(Parse(line)->getValue<std::string>("verdict"), "degraded");
}

TEST(StatusRender, TableRowsAndVerdict) {
  std::string table = RenderTable(Sample());
  std::istringstream in(table);
  std::string header, leader, down, follower, blank, verdict;
  std::getline(in, header);
  std::getline(in, leader);
  std::getline(in, down);
  std::getline(in, follower);
  std::getline(in, blank);
  std::getline(in, verdict);
  EXPECT_EQ(header.rfind("SERVER", 0), 0u);
  size_t at = 0;
  for (const char* col : {"ADDRESS", "STATE", "ZXID", "LAG", "CONNS", "OUTST", "LATENCY",
                          "ZNODES", "VERSION", "PLUGINS"}) {
    size_t pos = header.find(col, at);
    ASSERT_NE(pos, std::string::npos) << col;
    at = pos;
  }
  EXPECT_NE(leader.find("server.1"), std::string::npos);
  EXPECT_NE(leader.find("127.0.0.1:40533"), std::string::npos);
  EXPECT_NE(leader.find("leader"), std::string::npos);
  EXPECT_NE(leader.find("0/0.0/0"), std::string::npos);
  EXPECT_NE(leader.find("3.8.0-zknode-0.1.0"), std::string::npos);
  EXPECT_NE(leader.find("election=raft,storage=sqlite,transport=tcp"), std::string::npos);
  // Columns line up: STATE starts at the same offset in every row.
  EXPECT_EQ(leader.find("leader"), header.find("STATE"));
  EXPECT_EQ(down.find("down"), header.find("STATE"));
  EXPECT_NE(down.find("#2"), std::string::npos);
  EXPECT_NE(down.find("-"), std::string::npos);
  EXPECT_NE(follower.find("follower"), std::string::npos);
  EXPECT_EQ(blank, "");
  EXPECT_EQ(verdict.rfind("verdict: degraded (exit 1): degraded, quorum holds: #2 down", 0), 0u)
      << verdict;
  EXPECT_NE(table.find("  #2: connection refused by 127.0.0.1:40534\n"), std::string::npos);
}

}  // namespace
}  // namespace zkops::status
