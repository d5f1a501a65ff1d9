// DataTree writes: every op's success and error paths, Stat bookkeeping, sequential names.
// Expected values come from ZooKeeper 3.8.0 (Debian) probed with kazoo and raw requests.
#include "tree_helpers.h"

namespace zk::state::testing {
namespace {

TEST_F(TreeTest, FreshTreeLooksLikeZooKeeper38) {
  EXPECT_EQ(tree_.node_count(), 5u);  // zk_znode_count on a fresh server
  EXPECT_EQ(tree_.approximate_data_size(), 44);
  EXPECT_EQ(Children("/"), std::vector<std::string>{"zookeeper"});
  EXPECT_EQ(Children("/zookeeper"), (std::vector<std::string>{"config", "quota"}));
  const proto::Stat root = StatOf("/");
  EXPECT_EQ(root.cversion, -1);
  EXPECT_EQ(root.num_children, 1);
  EXPECT_EQ(root.czxid, 0);
  EXPECT_EQ(root.pzxid, 0);
  EXPECT_EQ(StatOf("/zookeeper").cversion, -2);
  EXPECT_EQ(StatOf("/zookeeper/quota").cversion, 0);
  const proto::Stat config = StatOf("/zookeeper/config");
  EXPECT_EQ(config.aversion, -1);
  EXPECT_EQ(config.version, 0);
  EXPECT_EQ(AclOf("/zookeeper/config"),
            (std::vector<proto::Acl>{{proto::kPermRead, {"world", "anyone"}}}));
  EXPECT_EQ(AclOf("/"), OpenAcl());
  EXPECT_EQ(tree_.last_zxid(), 0);
}

TEST_F(TreeTest, CreateSetsStatAndParent) {
  proto::ResponseBody resp;
  ASSERT_EQ(Create("/a", "hello", 0, &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::CreateResponse>(resp).path, "/a");
  const proto::Stat a = StatOf("/a");
  EXPECT_EQ(a.czxid, 1);
  EXPECT_EQ(a.mzxid, 1);
  EXPECT_EQ(a.pzxid, 1);
  EXPECT_EQ(a.ctime, 1'000'001);
  EXPECT_EQ(a.mtime, 1'000'001);
  EXPECT_EQ(a.version, 0);
  EXPECT_EQ(a.cversion, 0);
  EXPECT_EQ(a.aversion, 0);
  EXPECT_EQ(a.ephemeral_owner, 0);
  EXPECT_EQ(a.data_length, 5);
  EXPECT_EQ(a.num_children, 0);
  const proto::Stat root = StatOf("/");
  EXPECT_EQ(root.cversion, 0);  // -1 + one creation
  EXPECT_EQ(root.pzxid, 1);
  EXPECT_EQ(root.num_children, 2);
  EXPECT_EQ(tree_.last_zxid(), 1);
  EXPECT_EQ(tree_.node_count(), 6u);
  EXPECT_EQ(tree_.approximate_data_size(), 44 + 2 + 5);
  EXPECT_EQ(triggers_, (std::vector<Trigger>{{"/a", proto::EventType::kNodeCreated},
                                             {"/", proto::EventType::kNodeChildrenChanged}}));
}

TEST_F(TreeTest, Create2ReturnsStat) {
  proto::Stat stat;
  std::string path;
  ASSERT_EQ(Create2("/b", 0, &stat, &path), ErrorCode::kOk);
  EXPECT_EQ(path, "/b");
  EXPECT_EQ(stat, StatOf("/b"));
}

TEST_F(TreeTest, CreateErrorsInZooKeeperOrder) {
  ASSERT_EQ(Create("/a"), ErrorCode::kOk);
  EXPECT_EQ(Create("/a"), ErrorCode::kNodeExists);
  EXPECT_EQ(Create("/"), ErrorCode::kNodeExists);  // parent "" is the root; "/" exists
  EXPECT_EQ(Create("/x/y"), ErrorCode::kNoNode);
  EXPECT_EQ(Create("a"), ErrorCode::kBadArguments);
  EXPECT_EQ(Create(std::string("/a\0b", 4)), ErrorCode::kBadArguments);
  EXPECT_EQ(Create("/a/"), ErrorCode::kBadArguments);  // parent exists, then validatePath
  EXPECT_EQ(Create("//a"), ErrorCode::kBadArguments);
  EXPECT_EQ(Create("/a/."), ErrorCode::kBadArguments);
  EXPECT_EQ(Create("/x/y/"), ErrorCode::kNoNode);            // parent "/x/y" checked first
  EXPECT_EQ(Create("/a//b"), ErrorCode::kNoNode);            // parent "/a/" does not exist
  EXPECT_EQ(Create("/c", "", 7), ErrorCode::kBadArguments);  // unknown CreateMode
  EXPECT_EQ(Create("/c", "", -1), ErrorCode::kBadArguments);
  // ACL problems come before the parent lookup.
  EXPECT_EQ(Write(Req(OpCode::kCreate, CreateBody("/x/y", "", 0, {}))), ErrorCode::kInvalidAcl);
  const int64_t before = tree_.last_zxid();
  EXPECT_EQ(before, zxid_);  // failed writes still consume their zxid
  EXPECT_FALSE(tree_.Exists("/c"));
}

TEST_F(TreeTest, SequentialNamesUseCreationCount) {
  ASSERT_EQ(Create("/p"), ErrorCode::kOk);
  std::string name;
  ASSERT_EQ(Create2("/p/s-", 2, nullptr, &name), ErrorCode::kOk);
  EXPECT_EQ(name, "/p/s-0000000000");
  ASSERT_EQ(Delete("/p/s-0000000000"), ErrorCode::kOk);
  ASSERT_EQ(Create2("/p/s-", 2, nullptr, &name), ErrorCode::kOk);
  EXPECT_EQ(name, "/p/s-0000000001");   // ZooKeeper: stored cversion counts creations only
  EXPECT_EQ(StatOf("/p").cversion, 3);  // creations + deletions
  ASSERT_EQ(Create("/p/a"), ErrorCode::kOk);
  ASSERT_EQ(Delete("/p/a"), ErrorCode::kOk);
  EXPECT_EQ(StatOf("/p").cversion, 5);
  ASSERT_EQ(Create2("/p/", 2, nullptr, &name), ErrorCode::kOk);  // trailing '/' + suffix
  EXPECT_EQ(name, "/p/0000000003");
  ASSERT_EQ(Create2("/p/e-", 3, nullptr, &name), ErrorCode::kOk);
  EXPECT_EQ(name, "/p/e-0000000004");
  EXPECT_EQ(StatOf(name).ephemeral_owner, kSession);
}

TEST_F(TreeTest, SequentialNameCollisionIsNodeExists) {
  ASSERT_EQ(Create("/p"), ErrorCode::kOk);
  ASSERT_EQ(Create("/p/x0000000001"), ErrorCode::kOk);  // cversion becomes 1
  EXPECT_EQ(Create("/p/x", "", 2), ErrorCode::kNodeExists);
}

TEST_F(TreeTest, EphemeralsCannotHaveChildren) {
  ASSERT_EQ(Create("/e", "", 1), ErrorCode::kOk);
  EXPECT_EQ(StatOf("/e").ephemeral_owner, kSession);
  EXPECT_EQ(Create("/e/c"), ErrorCode::kNoChildrenForEphemerals);
  EXPECT_EQ(Create("/e"), ErrorCode::kNodeExists);  // NodeExists is checked first
  EXPECT_EQ(tree_.ephemeral_count(), 1u);
}

TEST_F(TreeTest, ContainersWorkWithoutExtendedTypes) {
  proto::ResponseBody resp;
  ASSERT_EQ(Write(Req(OpCode::kCreateContainer, CreateBody("/c", "", 4)), &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::Create2Response>(resp).stat.ephemeral_owner, 0);
  ASSERT_EQ(Create("/c/child"), ErrorCode::kOk);  // containers may have children
  // createContainer ignores a non-container flag: still a container.
  ASSERT_EQ(Write(Req(OpCode::kCreateContainer, CreateBody("/c0", "", 0))), ErrorCode::kOk);
  // create/create2 with the container flag make a plain node in ZooKeeper 3.8.
  ASSERT_EQ(Create("/plain", "", 4), ErrorCode::kOk);
  ASSERT_EQ(Create("/plain/x"), ErrorCode::kOk);
  ASSERT_EQ(Delete("/plain/x"), ErrorCode::kOk);
  ASSERT_EQ(Delete("/c/child"), ErrorCode::kOk);
  EXPECT_EQ(tree_.CollectExpired(0), std::vector<std::string>{"/c"});
}

TEST_F(TreeTest, TtlNeedsExtendedTypes) {
  auto ttl_req = [](std::string path, int32_t flags, int64_t ttl) {
    return Req(OpCode::kCreateTtl, CreateBody(std::move(path), "", flags, OpenAcl(), ttl));
  };
  EXPECT_EQ(Write(ttl_req("/t", 5, 1000)), ErrorCode::kUnimplemented);
  EXPECT_EQ(Write(ttl_req("/t", 5, 0)), ErrorCode::kUnimplemented);
  EXPECT_EQ(Write(ttl_req("/t", 0, 5)), ErrorCode::kBadArguments);  // ttl on a non-TTL mode
  EXPECT_EQ(Create("/t", "", 5), ErrorCode::kUnimplemented);
  extended_ = true;
  EXPECT_EQ(Write(ttl_req("/t", 5, 0)), ErrorCode::kBadArguments);
  EXPECT_EQ(Write(ttl_req("/t", 5, -3)), ErrorCode::kBadArguments);
  EXPECT_EQ(Write(ttl_req("/t", 5, kMaxTtlMs + 1)), ErrorCode::kBadArguments);
  EXPECT_EQ(Write(ttl_req("/t", 0, 5)), ErrorCode::kBadArguments);
  EXPECT_EQ(Write(ttl_req("/t", 0, -1)), ErrorCode::kBadArguments);  // crashes ZooKeeper 3.8
  EXPECT_EQ(Create("/t", "", 5), ErrorCode::kBadArguments);          // create (1) carries no ttl
  proto::ResponseBody resp;
  ASSERT_EQ(Write(ttl_req("/t", 5, kMaxTtlMs), &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::Create2Response>(resp).stat.ephemeral_owner, 0);
  ASSERT_EQ(Write(ttl_req("/t/s-", 6, 100), &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::Create2Response>(resp).path, "/t/s-0000000000");
  EXPECT_FALSE(tree_.Exists("/t/s-"));
}

TEST_F(TreeTest, DeleteChecksInZooKeeperOrder) {
  ASSERT_EQ(Create("/a"), ErrorCode::kOk);
  ASSERT_EQ(Create("/a/b"), ErrorCode::kOk);
  EXPECT_EQ(Delete("/a"), ErrorCode::kNotEmpty);
  EXPECT_EQ(Delete("/a/b", 3), ErrorCode::kBadVersion);
  EXPECT_EQ(Delete("/a/zz"), ErrorCode::kNoNode);
  EXPECT_EQ(Delete("/q/zz"), ErrorCode::kNoNode);
  EXPECT_EQ(Delete("a"), ErrorCode::kBadArguments);
  EXPECT_EQ(Delete(std::string("/a\0", 3)), ErrorCode::kBadArguments);
  for (const char* special : {"/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config"}) {
    EXPECT_EQ(Delete(special), ErrorCode::kBadArguments) << special;
  }
  EXPECT_EQ(Delete("/a", 5), ErrorCode::kBadVersion);  // the version is checked first
}

TEST_F(TreeTest, DeleteUpdatesParent) {
  ASSERT_EQ(Create("/a"), ErrorCode::kOk);
  ASSERT_EQ(Create("/a/b", "xyz"), ErrorCode::kOk);
  triggers_.clear();
  const int64_t before = tree_.approximate_data_size();
  ASSERT_EQ(Delete("/a/b", 0), ErrorCode::kOk);
  const proto::Stat a = StatOf("/a");
  EXPECT_EQ(a.pzxid, 3);
  EXPECT_EQ(a.cversion, 2);
  EXPECT_EQ(a.num_children, 0);
  EXPECT_EQ(a.mzxid, 1);  // the parent's data is untouched
  EXPECT_FALSE(tree_.Exists("/a/b"));
  EXPECT_EQ(tree_.approximate_data_size(), before - 4 - 3);
  EXPECT_EQ(triggers_, (std::vector<Trigger>{{"/a/b", proto::EventType::kNodeDeleted},
                                             {"/a", proto::EventType::kNodeChildrenChanged}}));
  // Children of /zookeeper/quota are ordinary nodes.
  ASSERT_EQ(Create("/zookeeper/quota/x"), ErrorCode::kOk);
  EXPECT_EQ(Delete("/zookeeper/quota/x"), ErrorCode::kOk);
}

TEST_F(TreeTest, SetDataVersionsAndStat) {
  ASSERT_EQ(Create("/a", "1"), ErrorCode::kOk);
  triggers_.clear();
  proto::ResponseBody resp;
  ASSERT_EQ(Write(Req(OpCode::kSetData, proto::SetDataRequest{"/a", "two", 0}), &resp),
            ErrorCode::kOk);
  const proto::Stat s = std::get<proto::StatResponse>(resp).stat;
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.mzxid, 2);
  EXPECT_EQ(s.mtime, 1'000'002);
  EXPECT_EQ(s.czxid, 1);
  EXPECT_EQ(s.data_length, 3);
  EXPECT_EQ(s, StatOf("/a"));
  EXPECT_EQ(GetData("/a"), "two");
  EXPECT_EQ(triggers_, (std::vector<Trigger>{{"/a", proto::EventType::kNodeDataChanged}}));
  EXPECT_EQ(SetData("/a", "x", 0), ErrorCode::kBadVersion);
  EXPECT_EQ(SetData("/a", "x", 1), ErrorCode::kOk);
  EXPECT_EQ(SetData("/a", "x", -1), ErrorCode::kOk);
  EXPECT_EQ(StatOf("/a").version, 3);
  EXPECT_EQ(SetData("/nope", "x"), ErrorCode::kNoNode);
  EXPECT_EQ(SetData("/x/", "x"), ErrorCode::kBadArguments);  // validatePath comes first
  EXPECT_EQ(SetData("/zookeeper/config", "x"), ErrorCode::kNoAuth);
}

TEST_F(TreeTest, SetAclChecksAndBumpsAversion) {
  ASSERT_EQ(Create("/a"), ErrorCode::kOk);
  proto::ResponseBody resp;
  const std::vector<proto::Acl> ro = {{proto::kPermRead | proto::kPermAdmin, {"world", "anyone"}}};
  ASSERT_EQ(Write(Req(OpCode::kSetAcl, proto::SetAclRequest{"/a", ro, 0}), &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::StatResponse>(resp).stat.aversion, 1);
  EXPECT_EQ(AclOf("/a"), ro);
  EXPECT_EQ(SetAcl("/a", ro, 0), ErrorCode::kBadVersion);
  EXPECT_EQ(SetAcl("/a", {}, 1), ErrorCode::kInvalidAcl);
  EXPECT_EQ(SetAcl("/nope", {}), ErrorCode::kInvalidAcl);  // fixupACL before the lookup
  EXPECT_EQ(SetAcl("/nope", ro), ErrorCode::kNoNode);
  EXPECT_EQ(SetAcl("/a/", ro), ErrorCode::kBadArguments);
  EXPECT_EQ(SetData("/a", "x"), ErrorCode::kNoAuth);  // no WRITE any more
  EXPECT_EQ(SetAcl("/a", {{0, {"world", "anyone"}}}), ErrorCode::kOk);
  EXPECT_EQ(SetAcl("/a", ro), ErrorCode::kNoAuth);  // no ADMIN any more
  EXPECT_TRUE(triggers_.size() == 2u);              // only the create raised triggers
}

TEST_F(TreeTest, AclEnforcedOnEveryWrite) {
  const std::string alice = DigestId("alice:pw");
  AuthContext alice_auth = auth_;
  alice_auth.ids.push_back({"digest", alice});
  std::swap(auth_, alice_auth);
  // 'auth' expands to the caller's digest id.
  ASSERT_EQ(Write(Req(OpCode::kCreate, CreateBody("/s", "", 0, {{proto::kPermAll, {"auth", ""}}}))),
            ErrorCode::kOk);
  EXPECT_EQ(AclOf("/s"), (std::vector<proto::Acl>{{proto::kPermAll, {"digest", alice}}}));
  ASSERT_EQ(Create("/s/c"), ErrorCode::kOk);
  std::swap(auth_, alice_auth);  // back to anonymous
  EXPECT_EQ(
      Write(Req(OpCode::kCreate, CreateBody("/s2", "", 0, {{proto::kPermAll, {"auth", ""}}}))),
      ErrorCode::kInvalidAcl);
  EXPECT_EQ(Create("/s/d"), ErrorCode::kNoAuth);
  EXPECT_EQ(SetData("/s", "x"), ErrorCode::kNoAuth);
  EXPECT_EQ(SetAcl("/s", OpenAcl()), ErrorCode::kNoAuth);
  EXPECT_EQ(Delete("/s/c"), ErrorCode::kNoAuth);
  EXPECT_EQ(Delete("/s/nonexistent"), ErrorCode::kNoAuth);  // parent ACL before the node
  // The super user passes everything.
  super_ = DigestId("super:test");
  auth_.ids.push_back({"digest", super_});
  EXPECT_EQ(SetData("/s", "x"), ErrorCode::kOk);
  EXPECT_EQ(Delete("/s/c"), ErrorCode::kOk);
  EXPECT_EQ(SetData("/zookeeper/config", "x"), ErrorCode::kOk);
}

TEST_F(TreeTest, SkipAclDisablesChecks) {
  ASSERT_EQ(Write(Req(OpCode::kCreate, CreateBody("/locked", "", 0, {{0, {"world", "anyone"}}}))),
            ErrorCode::kOk);
  EXPECT_EQ(SetData("/locked", "x"), ErrorCode::kNoAuth);
  tree_.set_skip_acl(true);
  EXPECT_EQ(SetData("/locked", "x"), ErrorCode::kOk);
}

TEST_F(TreeTest, TopLevelCheck) {
  ASSERT_EQ(Create("/a"), ErrorCode::kOk);
  proto::ResponseBody resp;
  EXPECT_EQ(Write(Req(OpCode::kCheck, proto::CheckVersionRequest{"/a", 0}), &resp), ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::StatResponse>(resp).stat, StatOf("/a"));
  EXPECT_EQ(Write(Req(OpCode::kCheck, proto::CheckVersionRequest{"/a", 4})),
            ErrorCode::kBadVersion);
  EXPECT_EQ(Write(Req(OpCode::kCheck, proto::CheckVersionRequest{"/b", -1})), ErrorCode::kNoNode);
  EXPECT_EQ(Write(Req(OpCode::kCheck, proto::CheckVersionRequest{"b", -1})),
            ErrorCode::kBadArguments);
}

TEST_F(TreeTest, WrongBodyOrOpIsRejected) {
  EXPECT_EQ(Write(Req(OpCode::kCreate, proto::DeleteRequest{"/a", -1})),
            ErrorCode::kMarshallingError);
  EXPECT_EQ(Write(Req(OpCode::kGetData, proto::PathWatchRequest{"/", false})),
            ErrorCode::kUnimplemented);
  EXPECT_EQ(tree_.node_count(), 5u);
}

TEST_F(TreeTest, DeleteContainerOp) {
  ASSERT_EQ(Create("/e", "", 1), ErrorCode::kOk);
  ASSERT_EQ(Create("/p"), ErrorCode::kOk);
  ASSERT_EQ(Create("/p/c"), ErrorCode::kOk);
  auto del = [&](std::string p) {
    return Write(Req(OpCode::kDeleteContainer, proto::DeleteRequest{std::move(p), 77}));
  };
  EXPECT_EQ(del("/e"), ErrorCode::kBadVersion);  // a session's ephemeral
  EXPECT_EQ(del("/p"), ErrorCode::kNotEmpty);
  EXPECT_EQ(del("/nope"), ErrorCode::kNoNode);
  EXPECT_EQ(del("/zookeeper"), ErrorCode::kBadArguments);
  EXPECT_EQ(del("/p/c"), ErrorCode::kOk);  // version ignored, no ACL check
}

TEST_F(TreeTest, SetConfig) {
  std::vector<Trigger> triggers;
  tree_.SetConfig("server.1=127.0.0.1:2888:3888:participant\nversion=100000000", 0x100000000, 1234,
                  &triggers);
  const proto::Stat s = StatOf("/zookeeper/config");
  EXPECT_EQ(s.version, -1);
  EXPECT_EQ(s.mzxid, 0x100000000);
  EXPECT_EQ(s.mtime, 1234);
  EXPECT_EQ(s.czxid, 0);
  EXPECT_EQ(GetData("/zookeeper/config").substr(0, 9), "server.1=");
  EXPECT_EQ(triggers,
            (std::vector<Trigger>{{"/zookeeper/config", proto::EventType::kNodeDataChanged}}));
  EXPECT_EQ(tree_.last_zxid(), 0x100000000);
}

}  // namespace
}  // namespace zk::state::testing
