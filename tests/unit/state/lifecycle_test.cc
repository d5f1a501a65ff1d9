// Ephemerals and KillSession, containers and TTL nodes (CollectExpired), quotas.
#include "tree_helpers.h"

namespace zk::state::testing {
namespace {

TEST_F(TreeTest, KillSessionDeletesItsEphemeralsInPathOrder) {
  ASSERT_EQ(Create("/app"), ErrorCode::kOk);
  ASSERT_EQ(Create("/app/z", "", 1), ErrorCode::kOk);
  ASSERT_EQ(Create("/app/a", "", 1), ErrorCode::kOk);
  ASSERT_EQ(Create("/b", "", 1), ErrorCode::kOk);
  ASSERT_EQ(Create("/other", "", 1, nullptr, 0x55), ErrorCode::kOk);
  ASSERT_EQ(Create("/app/p"), ErrorCode::kOk);
  EXPECT_EQ(tree_.ephemeral_count(), 4u);
  const proto::Stat app_before = StatOf("/app");
  triggers_.clear();
  tree_.KillSession(kSession, 100, 5000, &triggers_);
  EXPECT_EQ(triggers_, (std::vector<Trigger>{{"/app/a", proto::EventType::kNodeDeleted},
                                             {"/app", proto::EventType::kNodeChildrenChanged},
                                             {"/app/z", proto::EventType::kNodeDeleted},
                                             {"/app", proto::EventType::kNodeChildrenChanged},
                                             {"/b", proto::EventType::kNodeDeleted},
                                             {"/", proto::EventType::kNodeChildrenChanged}}));
  EXPECT_FALSE(tree_.Exists("/app/a"));
  EXPECT_FALSE(tree_.Exists("/b"));
  EXPECT_TRUE(tree_.Exists("/app/p"));
  EXPECT_TRUE(tree_.Exists("/other"));
  EXPECT_EQ(tree_.ephemeral_count(), 1u);
  const proto::Stat app = StatOf("/app");
  EXPECT_EQ(app.pzxid, 100);
  EXPECT_EQ(app.cversion, app_before.cversion + 2);
  EXPECT_EQ(app.mzxid, app_before.mzxid);
  EXPECT_EQ(tree_.last_zxid(), 100);
  EXPECT_EQ(tree_.EphemeralsBySession().count(kSession), 0u);
  // A second kill is a no-op apart from the zxid.
  triggers_.clear();
  tree_.KillSession(kSession, 101, 5001, &triggers_);
  EXPECT_TRUE(triggers_.empty());
  EXPECT_EQ(tree_.last_zxid(), 101);
}

TEST_F(TreeTest, EphemeralWithoutSessionIsPersistent) {
  // EphemeralType.VOID: owner 0 is no owner.
  ASSERT_EQ(Create("/e", "", 1, nullptr, 0), ErrorCode::kOk);
  EXPECT_EQ(StatOf("/e").ephemeral_owner, 0);
  EXPECT_EQ(tree_.ephemeral_count(), 0u);
  EXPECT_EQ(Create("/e/c"), ErrorCode::kOk);
}

TEST_F(TreeTest, ContainersAreCollectedOnceEmptiedAfterUse) {
  ASSERT_EQ(Write(Req(OpCode::kCreateContainer, CreateBody("/c", "", 4))), ErrorCode::kOk);
  ASSERT_EQ(Write(Req(OpCode::kCreateContainer, CreateBody("/never", "", 4))), ErrorCode::kOk);
  const int64_t created = StatOf("/never").mtime;
  EXPECT_TRUE(tree_.CollectExpired(created + 10'000'000).empty());  // never had children
  // With znode.container.maxNeverUsedIntervalMs: both are unused, /c is one tick older.
  EXPECT_EQ(tree_.CollectExpired(created + 11, 10), (std::vector<std::string>{"/c", "/never"}));
  EXPECT_EQ(tree_.CollectExpired(created + 10, 10), std::vector<std::string>{"/c"});  // strictly
  ASSERT_EQ(Create("/c/x"), ErrorCode::kOk);
  EXPECT_TRUE(tree_.CollectExpired(0).empty());  // has a child
  ASSERT_EQ(Delete("/c/x"), ErrorCode::kOk);
  EXPECT_EQ(tree_.CollectExpired(0), std::vector<std::string>{"/c"});
  // The caller turns it into deleteContainer.
  ASSERT_EQ(Write(Req(OpCode::kDeleteContainer, proto::DeleteRequest{"/c", -1})), ErrorCode::kOk);
  EXPECT_TRUE(tree_.CollectExpired(0).empty());
}

TEST_F(TreeTest, TtlNodesExpireAfterTheirTtlWithoutChildren) {
  extended_ = true;
  auto ttl = [&](std::string path, int64_t ms) {
    return Write(Req(OpCode::kCreateTtl, CreateBody(std::move(path), "", 5, OpenAcl(), ms)));
  };
  ASSERT_EQ(ttl("/t1", 100), ErrorCode::kOk);
  ASSERT_EQ(ttl("/t2", 1000), ErrorCode::kOk);
  const int64_t t1 = StatOf("/t1").mtime;
  const int64_t t2 = StatOf("/t2").mtime;
  EXPECT_TRUE(tree_.CollectExpired(t1 + 100).empty());
  EXPECT_EQ(tree_.CollectExpired(t1 + 101), std::vector<std::string>{"/t1"});
  EXPECT_EQ(tree_.CollectExpired(t2 + 1001), (std::vector<std::string>{"/t1", "/t2"}));
  // A write refreshes mtime; a child keeps it alive.
  ASSERT_EQ(SetData("/t1", "x"), ErrorCode::kOk);
  const int64_t t1_mtime = StatOf("/t1").mtime;
  EXPECT_TRUE(tree_.CollectExpired(t1_mtime + 100).empty());
  ASSERT_EQ(Create("/t2/child"), ErrorCode::kOk);
  EXPECT_EQ(tree_.CollectExpired(t2 + 5000), std::vector<std::string>{"/t1"});
  ASSERT_EQ(Write(Req(OpCode::kDeleteContainer, proto::DeleteRequest{"/t1", -1})), ErrorCode::kOk);
  EXPECT_FALSE(tree_.Exists("/t1"));
}

TEST_F(TreeTest, QuotaStatsFollowTheSubtree) {
  // What zkCli setquota -n 10 /app does, then writes under /app.
  ASSERT_EQ(Create("/app", "12345"), ErrorCode::kOk);
  ASSERT_EQ(Create("/app/x", "ab"), ErrorCode::kOk);
  ASSERT_EQ(Create("/zookeeper/quota/app"), ErrorCode::kOk);
  ASSERT_EQ(Create("/zookeeper/quota/app/zookeeper_limits", "count=10,bytes=-1"), ErrorCode::kOk);
  ASSERT_EQ(Create("/zookeeper/quota/app/zookeeper_stats", "count=0,bytes=0"), ErrorCode::kOk);
  const std::string stats = "/zookeeper/quota/app/zookeeper_stats";
  EXPECT_EQ(GetData(stats), "count=2,bytes=7");
  const proto::Stat before = StatOf(stats);
  ASSERT_EQ(Create("/app/y", "xyz"), ErrorCode::kOk);
  EXPECT_EQ(GetData(stats), "count=3,bytes=10");
  ASSERT_EQ(SetData("/app", "1"), ErrorCode::kOk);
  EXPECT_EQ(GetData(stats), "count=3,bytes=6");
  ASSERT_EQ(Delete("/app/x"), ErrorCode::kOk);
  EXPECT_EQ(GetData(stats), "count=2,bytes=4");
  ASSERT_EQ(Create("/application"), ErrorCode::kOk);  // not under /app (component prefix)
  EXPECT_EQ(GetData(stats), "count=2,bytes=4");
  const proto::Stat after = StatOf(stats);
  EXPECT_EQ(after.version, before.version);  // the stat node's Stat is not touched
  EXPECT_EQ(after.mzxid, before.mzxid);
  // A failed multi leaves the stats as they were.
  proto::ResponseBody resp;
  ASSERT_EQ(Write(Req(OpCode::kMulti,
                      proto::MultiRequest{{MCreate("/app/z", 0, "zzzz"), MCreate("/nope/x")}}),
                  &resp),
            ErrorCode::kOk);
  EXPECT_EQ(GetData(stats), "count=2,bytes=4");
  // Removing the limits node ends the tracking.
  ASSERT_EQ(Delete("/zookeeper/quota/app/zookeeper_limits"), ErrorCode::kOk);
  ASSERT_EQ(Create("/app/w", "w"), ErrorCode::kOk);
  EXPECT_EQ(GetData(stats), "count=2,bytes=4");
}

TEST_F(TreeTest, QuotaStatsKeepExtraKeys) {
  ASSERT_EQ(Create("/q"), ErrorCode::kOk);
  ASSERT_EQ(Create("/zookeeper/quota/q"), ErrorCode::kOk);
  ASSERT_EQ(Create("/zookeeper/quota/q/zookeeper_limits", "count=-1,bytes=-1=;byteHardLimit=5"),
            ErrorCode::kOk);
  ASSERT_EQ(Create("/zookeeper/quota/q/zookeeper_stats", ""), ErrorCode::kOk);
  const std::string stats = "/zookeeper/quota/q/zookeeper_stats";
  EXPECT_EQ(GetData(stats), "count=1,bytes=0");
  ASSERT_EQ(SetData(stats, "count=1,bytes=0=;countHardLimit=7"), ErrorCode::kOk);
  ASSERT_EQ(Create("/q/a", "abc"), ErrorCode::kOk);
  EXPECT_EQ(GetData(stats), "count=2,bytes=3=;countHardLimit=7");
}

}  // namespace
}  // namespace zk::state::testing
