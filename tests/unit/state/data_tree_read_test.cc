// DataTree reads: ACL checks, getACL masking, counts, ephemerals, multiRead.
#include "tree_helpers.h"

namespace zk::state::testing {
namespace {

class ReadTest : public TreeTest {
 protected:
  void SetUp() override {
    ASSERT_EQ(Create("/open", "data"), ErrorCode::kOk);
    ASSERT_EQ(Create("/open/a"), ErrorCode::kOk);
    ASSERT_EQ(Create("/open/b"), ErrorCode::kOk);
    ASSERT_EQ(Create("/open/a/x"), ErrorCode::kOk);
    ASSERT_EQ(Write(Req(OpCode::kCreate,
                        CreateBody("/secret", "s", 0,
                                   {{proto::kPermAll, {"digest", DigestId("alice:pw")}}}))),
              ErrorCode::kOk);
    ASSERT_EQ(Write(Req(OpCode::kCreate, CreateBody("/readable", "r", 0,
                                                    {{proto::kPermRead, {"digest", "alice:xyz"}},
                                                     {proto::kPermRead, {"world", "anyone"}}}))),
              ErrorCode::kOk);
  }
};

TEST_F(ReadTest, GetDataAndExists) {
  proto::ResponseBody resp;
  ASSERT_EQ(ReadOp(OpCode::kGetData, proto::PathWatchRequest{"/open", true}, &resp),
            ErrorCode::kOk);
  const auto& got = std::get<proto::GetDataResponse>(resp);
  EXPECT_EQ(got.data, "data");
  EXPECT_EQ(got.stat, StatOf("/open"));
  EXPECT_EQ(ReadOp(OpCode::kGetData, proto::PathWatchRequest{"/nope", false}, &resp),
            ErrorCode::kNoNode);
  EXPECT_TRUE(std::holds_alternative<proto::EmptyResponse>(resp));
  EXPECT_EQ(ReadOp(OpCode::kGetData, proto::PathWatchRequest{"/secret", false}, &resp),
            ErrorCode::kNoAuth);
  // getData with '\0' is just a missing node; exists says BadArguments (FinalRequestProcessor).
  const std::string nul("/a\0b", 4);
  EXPECT_EQ(ReadOp(OpCode::kGetData, proto::PathWatchRequest{nul, false}, &resp),
            ErrorCode::kNoNode);
  EXPECT_EQ(ReadOp(OpCode::kExists, proto::PathWatchRequest{nul, false}, &resp),
            ErrorCode::kBadArguments);
  // exists has no ACL check.
  ASSERT_EQ(ReadOp(OpCode::kExists, proto::PathWatchRequest{"/secret", false}, &resp),
            ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::StatResponse>(resp).stat, StatOf("/secret"));
  EXPECT_EQ(ReadOp(OpCode::kExists, proto::PathWatchRequest{"/nope", true}, &resp),
            ErrorCode::kNoNode);
}

TEST_F(ReadTest, ChildrenSortedWithStat) {
  EXPECT_EQ(Children("/open"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Children("/"), (std::vector<std::string>{"open", "readable", "secret", "zookeeper"}));
  proto::ResponseBody resp;
  ASSERT_EQ(ReadOp(OpCode::kGetChildren2, proto::PathWatchRequest{"/open", false}, &resp),
            ErrorCode::kOk);
  const auto& c2 = std::get<proto::GetChildren2Response>(resp);
  EXPECT_EQ(c2.children, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c2.stat.num_children, 2);
  EXPECT_EQ(ReadOp(OpCode::kGetChildren, proto::PathWatchRequest{"/secret", false}, &resp),
            ErrorCode::kNoAuth);
  EXPECT_EQ(ReadOp(OpCode::kGetChildren2, proto::PathWatchRequest{"/nope", false}, &resp),
            ErrorCode::kNoNode);
}

TEST_F(ReadTest, GetAclMasksDigestsWithoutAdmin) {
  EXPECT_EQ(AclOf("/readable"), (std::vector<proto::Acl>{{proto::kPermRead, {"digest", "alice:x"}},
                                                         {proto::kPermRead, {"world", "anyone"}}}));
  proto::ResponseBody resp;
  EXPECT_EQ(ReadOp(OpCode::kGetAcl, proto::PathRequest{"/secret"}, &resp), ErrorCode::kNoAuth);
  EXPECT_EQ(ReadOp(OpCode::kGetAcl, proto::PathRequest{"/nope"}, &resp), ErrorCode::kNoNode);
  auth_.ids.push_back({"digest", DigestId("alice:pw")});
  ASSERT_EQ(ReadOp(OpCode::kGetAcl, proto::PathRequest{"/secret"}, &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::GetAclResponse>(resp).acl[0].id.id, DigestId("alice:pw"));
  EXPECT_EQ(std::get<proto::GetAclResponse>(resp).stat, StatOf("/secret"));
}

TEST_F(ReadTest, AllChildrenNumber) {
  auto count = [&](const std::string& path, ErrorCode want = ErrorCode::kOk) {
    proto::ResponseBody resp;
    EXPECT_EQ(ReadOp(OpCode::kGetAllChildrenNumber, proto::PathRequest{path}, &resp), want);
    return want == ErrorCode::kOk ? std::get<proto::CountResponse>(resp).total : -1;
  };
  EXPECT_EQ(count("/open"), 3);
  EXPECT_EQ(count("/open/a/x"), 0);
  EXPECT_EQ(count("/zookeeper"), 2);
  // "/": every znode but the root (ZooKeeper: nodes.size() - 2).
  EXPECT_EQ(count("/"), static_cast<int32_t>(tree_.node_count()) - 2);
  count("/nope", ErrorCode::kNoNode);
  count("/secret", ErrorCode::kNoAuth);
}

TEST_F(ReadTest, Ephemerals) {
  ASSERT_EQ(Create("/open/e2", "", 1), ErrorCode::kOk);
  ASSERT_EQ(Create("/e1", "", 1), ErrorCode::kOk);
  ASSERT_EQ(Create("/open/e3", "", 1, nullptr, 0x77), ErrorCode::kOk);
  auto eph = [&](const std::string& prefix, int64_t session = kSession) {
    proto::ResponseBody resp;
    EXPECT_EQ(ReadOp(OpCode::kGetEphemerals, proto::PathRequest{prefix}, &resp, session),
              ErrorCode::kOk);
    return std::get<proto::StringListResponse>(resp).items;
  };
  EXPECT_EQ(eph("/"), (std::vector<std::string>{"/e1", "/open/e2"}));
  EXPECT_EQ(eph(" "), (std::vector<std::string>{"/e1", "/open/e2"}));
  EXPECT_EQ(eph("/open"), std::vector<std::string>{"/open/e2"});
  EXPECT_EQ(eph("/op"), std::vector<std::string>{"/open/e2"});  // a string prefix
  EXPECT_EQ(eph("/x"), std::vector<std::string>{});
  EXPECT_EQ(eph("/", 0x77), std::vector<std::string>{"/open/e3"});
  EXPECT_EQ(eph("/", 0x99), std::vector<std::string>{});
  EXPECT_EQ(tree_.ephemeral_count(), 3u);
  const auto by_session = tree_.EphemeralsBySession();
  EXPECT_EQ(by_session.size(), 2u);
  EXPECT_EQ(by_session.at(0x77), std::set<std::string>{"/open/e3"});
}

TEST_F(ReadTest, MultiRead) {
  proto::MultiRequest m;
  m.ops.push_back({OpCode::kGetData, proto::PathWatchRequest{"/open", false}});
  m.ops.push_back({OpCode::kGetChildren, proto::PathWatchRequest{"/nope", false}});
  m.ops.push_back({OpCode::kGetData, proto::PathWatchRequest{"/secret", false}});
  m.ops.push_back({OpCode::kGetChildren, proto::PathWatchRequest{"/open", false}});
  proto::ResponseBody resp;
  ASSERT_EQ(ReadOp(OpCode::kMultiRead, m, &resp), ErrorCode::kOk);
  const auto& r = std::get<proto::MultiResponse>(resp).results;
  ASSERT_EQ(r.size(), 4u);
  EXPECT_EQ(r[0].type, OpCode::kGetData);
  EXPECT_EQ(std::get<proto::GetDataResponse>(r[0].body).data, "data");
  EXPECT_EQ(r[1].type, OpCode::kError);
  EXPECT_EQ(r[1].err, ErrorCode::kNoNode);
  EXPECT_EQ(std::get<proto::ErrorResponse>(r[1].body).err, -101);
  EXPECT_EQ(r[2].err, ErrorCode::kNoAuth);
  EXPECT_EQ(r[3].type, OpCode::kGetChildren);
  EXPECT_EQ(std::get<proto::GetChildrenResponse>(r[3].body).children,
            (std::vector<std::string>{"a", "b"}));
  m.ops.push_back({OpCode::kSetData, proto::SetDataRequest{"/open", "x", -1}});
  EXPECT_EQ(ReadOp(OpCode::kMultiRead, m, &resp), ErrorCode::kMarshallingError);
}

TEST_F(ReadTest, EmptyPathIsTheRoot) {
  // ZooKeeper maps "" to the root in its node table.
  proto::ResponseBody resp;
  ASSERT_EQ(ReadOp(OpCode::kExists, proto::PathWatchRequest{"", false}, &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::StatResponse>(resp).stat, StatOf("/"));
  ASSERT_EQ(ReadOp(OpCode::kGetAllChildrenNumber, proto::PathRequest{""}, &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::CountResponse>(resp).total,
            static_cast<int32_t>(tree_.node_count()) - 1);
}

TEST_F(ReadTest, WritesAreNotReads) {
  proto::ResponseBody resp;
  EXPECT_EQ(ReadOp(OpCode::kSetData, proto::SetDataRequest{"/open", "x", -1}, &resp),
            ErrorCode::kUnimplemented);
  EXPECT_EQ(ReadOp(OpCode::kGetData, proto::PathRequest{"/open"}, &resp),
            ErrorCode::kMarshallingError);
}

}  // namespace
}  // namespace zk::state::testing
