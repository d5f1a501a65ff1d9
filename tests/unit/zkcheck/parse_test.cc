// history_parse.cc: the JSON-lines format of tools/zkcheck/README.md.
#include <sstream>

#include "history.h"
#include "history_lines.h"

namespace zkcheck {
namespace {

using namespace zkcheck::testing;

zk::Status Parse(const std::string& text, History* h) {
  std::istringstream in(text);
  return ParseHistory(in, h);
}

TEST(ZkcheckParse, JoinsInvocationsAndCompletions) {
  History h;
  std::string text = "# a comment\n\n" + Inv(1, 10, "0x1", "write", "/r", V("a")) +
                     Inv(2, 11, "0x2", "read", "/r") + Ok(2, 12, VVZ("a", 1, 0x100000002)) +
                     Ok(1, 13, VZ(1, 0x100000002)) + Inv(3, 14, "0x1", "cas", "/r",
                                                         "\"expected_version\":1," + V("b")) +
                     Info(3, 20) + Inv(4, 21, "0x2", "read", "/gone") +
                     Fail(4, 22, "\"error\":\"no_node\"") + Inv(5, 23, "0x2", "write", "/r");
  ASSERT_TRUE(Parse(text, &h).ok());
  ASSERT_EQ(h.ops.size(), 5u);
  EXPECT_EQ(h.ops[0].type, OpType::kWrite);
  EXPECT_EQ(h.ops[0].outcome, Outcome::kOk);
  EXPECT_EQ(h.ops[0].zxid, 0x100000002);
  EXPECT_EQ(h.ops[0].invoke_line, 3);
  EXPECT_EQ(h.ops[0].complete_line, 6);
  EXPECT_EQ(h.ops[1].value, std::optional<std::string>("a"));
  EXPECT_EQ(h.ops[2].outcome, Outcome::kInfo);
  EXPECT_EQ(h.ops[2].complete_time, kNever);
  EXPECT_EQ(h.ops[2].expected_version, 1);
  // A read failing with NoNode observed an absent node.
  EXPECT_EQ(h.ops[3].outcome, Outcome::kOk);
  EXPECT_FALSE(h.ops[3].exists);
  // Never completed: unknown outcome.
  EXPECT_EQ(h.ops[4].outcome, Outcome::kInfo);
}

TEST(ZkcheckParse, HexAndNumericSessionsCompareEqual) {
  History h;
  std::string text =
      "{\"phase\":\"invoke\",\"id\":1,\"time\":1,\"session\":\"0X1F\",\"op\":\"close\"}\n"
      "{\"phase\":\"invoke\",\"id\":2,\"time\":2,\"session\":31,\"op\":\"close\"}\n"
      "{\"phase\":\"final\",\"server\":\"1\",\"nodes\":{\"/e\":{\"value\":\"x\",\"version\":0,"
      "\"mzxid\":\"0x5\",\"ephemeral_owner\":\"0x1f\"}}}\n";
  ASSERT_TRUE(Parse(text, &h).ok());
  EXPECT_EQ(h.ops[0].session, "0x1f");
  EXPECT_EQ(h.ops[1].session, "0x1f");
  ASSERT_EQ(h.finals.size(), 1u);
  EXPECT_EQ(h.finals[0].nodes.at("/e").ephemeral_owner, "0x1f");
  EXPECT_EQ(h.finals[0].nodes.at("/e").mzxid, 5);
}

TEST(ZkcheckParse, MultiSubOpsAndResults) {
  History h;
  std::string text =
      Inv(1, 1, "0x1", "multi", "",
          "\"ops\":[{\"op\":\"write\",\"key\":\"/a\",\"value\":\"m\"},"
          "{\"op\":\"create\",\"key\":\"/b\",\"value\":\"m\"}]") +
      Ok(1, 2, Z(7) + ",\"results\":[{\"version\":3},{\"path\":\"/b\"}]");
  ASSERT_TRUE(Parse(text, &h).ok());
  ASSERT_EQ(h.ops[0].sub_ops.size(), 2u);
  EXPECT_EQ(h.ops[0].sub_ops[0].version, 3);
  EXPECT_EQ(h.ops[0].sub_ops[1].type, OpType::kCreate);
}

TEST(ZkcheckParse, ErrorsNameTheLine) {
  History h;
  zk::Status s = Parse(Inv(1, 1, "s", "write", "/a", V("x")) + "{not json\n", &h);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
  s = Parse(Ok(9, 1), &h);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("without an open invocation"), std::string::npos);
  s = Parse(Inv(1, 1, "s", "frobnicate", "/a"), &h);
  EXPECT_FALSE(s.ok());
  s = Parse(Inv(1, 1, "s", "write", "/a") + Inv(1, 2, "s", "write", "/a"), &h);
  EXPECT_FALSE(s.ok());
  s = Parse(Inv(1, 1, "s", "cas", "/a", V("x")), &h);  // no expected_version
  EXPECT_FALSE(s.ok());
  // Mixing timed and untimed lines.
  s = Parse(Inv(1, 1, "s", "write", "/a") +
                "{\"phase\":\"invoke\",\"id\":2,\"op\":\"read\",\"key\":\"/a\"}\n",
            &h);
  EXPECT_FALSE(s.ok());
}

TEST(ZkcheckParse, LogicalTimeIsTheLineNumber) {
  History h;
  std::string text =
      "{\"phase\":\"invoke\",\"process\":1,\"op\":\"write\",\"key\":\"/a\",\"value\":\"1\"}\n"
      "{\"phase\":\"ok\",\"process\":1}\n";
  ASSERT_TRUE(Parse(text, &h).ok());
  ASSERT_EQ(h.ops.size(), 1u);
  EXPECT_EQ(h.ops[0].invoke_time, 1);
  EXPECT_EQ(h.ops[0].complete_time, 2);
  EXPECT_EQ(h.ops[0].session, "p1");
}

}  // namespace
}  // namespace zkcheck
