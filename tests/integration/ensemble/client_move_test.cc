// A client whose server dies moves to another server with its session id and password, as
// ZooKeeper clients do (ClientCnxn: reconnect with sessionId/passwd, then SetWatches
// relative to the last zxid seen): its session, ephemeral and watch survive the move.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "zk_ensemble.h"

namespace zk::ensemble_test {
namespace {

using proto::ErrorCode;
using proto::EventType;

constexpr int32_t kTimeout = 4000;
constexpr int kTick = 2000;

const SimClient::Reply* MustAnswer(ZkEnsemble& e, SimClient* c, int32_t xid) {
  const SimClient::Reply* r = e.AwaitReply(c, xid);
  EXPECT_NE(r, nullptr) << "no answer to xid " << xid << "\n" << e.Dump();
  return r;
}

// Variants by seed: the dead server is a follower (even seeds) or the leader (odd seeds);
// the watched node changes after the watch was re-sent (seed / 2 even) or while the client
// was away, so SetWatches itself must fire it (seed / 2 odd).
void MovedClientKeepsSessionEphemeralAndWatch(uint64_t seed) {
  ZkEnsemble e(EnsembleOptions{.tick_ms = kTick, .seed = seed});
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  const bool kill_leader = seed % 2 == 1;
  const bool write_while_away = (seed / 2) % 2 == 1;
  const int home = kill_leader ? leader : (leader + 1) % 3;
  const int writer_server = (home + 1) % 3;  // both survive
  const int target = (home + 2) % 3;

  SimClient* a = e.NewClient("mover");
  ASSERT_TRUE(e.ConnectNew(a, home, kTimeout)) << e.Dump();
  a->StartPinging(kTimeout / 3);
  const int64_t sid = a->session_id();
  const std::string passwd = a->passwd();
  const SimClient::Reply* r = MustAnswer(e, a, a->Create("/w", "v0", false));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
  r = MustAnswer(e, a, a->Create("/eph", "mine", true));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
  r = MustAnswer(e, a, a->GetData("/w", true));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::GetDataResponse>(r->body).data, "v0");

  SimClient* b = e.NewClient("writer");
  ASSERT_TRUE(e.ConnectNew(b, writer_server, kTimeout)) << e.Dump();
  b->StartPinging(kTimeout / 3);
  e.sim().RunFor(1000);

  // a's server dies; a notices the connection end at once.
  e.Kill(home);
  ASSERT_TRUE(e.Await([&] { return !a->connection_open(); }, 100)) << e.Dump();
  const int new_leader = e.AwaitStableLeader(5000);
  ASSERT_GE(new_leader, 0) << e.Dump();
  if (!kill_leader) {
    EXPECT_EQ(new_leader, leader);
  }
  ASSERT_TRUE(b->connected()) << e.Dump();

  if (write_while_away) {
    r = MustAnswer(e, b, b->SetData("/w", "v1"));
    ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
    ASSERT_TRUE(e.Await([&] { return e.zk(target).last_zxid() >= r->header.zxid; }, 200));
  }

  // a re-attaches elsewhere with its id and password: the same session, the same timeout.
  ASSERT_TRUE(e.Reattach(a, target)) << e.Dump();
  EXPECT_EQ(a->session_id(), sid);
  EXPECT_EQ(a->passwd(), passwd);
  EXPECT_EQ(a->timeout_ms(), kTimeout);
  r = MustAnswer(e, a, a->SetWatches({"/w"}, {}, {}));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
  if (!write_while_away) {
    EXPECT_TRUE(a->events().empty());
    r = MustAnswer(e, b, b->SetData("/w", "v1"));
    ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
  }

  // Exactly one NodeDataChanged for /w, now and after more time.
  ASSERT_TRUE(e.Await([&] { return !a->events().empty(); }, 500))
      << "no watch event after the move\n" << e.Dump();
  e.sim().RunFor(2000);
  ASSERT_EQ(a->events().size(), 1u) << e.Dump();
  EXPECT_EQ(a->events()[0].type, EventType::kNodeDataChanged);
  EXPECT_EQ(a->events()[0].path, "/w");
  // One-shot: a second change is not reported (the watch was not set again).
  r = MustAnswer(e, b, b->SetData("/w", "v2"));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
  e.sim().RunFor(1000);
  EXPECT_EQ(a->events().size(), 1u);

  // The ephemeral survived the move, still owned by the session, on both survivors; the
  // session lives on for several timeouts while a pings its new server.
  e.sim().RunFor(3 * kTimeout);
  ASSERT_TRUE(a->connected()) << e.Dump();
  for (int i : {writer_server, target}) {
    proto::Stat st;
    ASSERT_TRUE(e.zk(i).tree().GetStat("/eph", &st)) << "server." << i + 1 << "\n" << e.Dump();
    EXPECT_EQ(st.ephemeral_owner, sid) << "server." << i + 1;
    EXPECT_NE(e.zk(i).sessions().Find(sid), nullptr) << "server." << i + 1;
  }
  r = MustAnswer(e, a, a->GetData("/w", false));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
  EXPECT_EQ(std::get<proto::GetDataResponse>(r->body).data, "v2");
  std::printf("seed %llu: %s server.%d died, client moved to server.%d, %s\n",
              static_cast<unsigned long long>(seed), kill_leader ? "leader" : "follower",
              home + 1, target + 1,
              write_while_away ? "change while away (fired by SetWatches)"
                               : "change after SetWatches");
}

TEST(EnsembleClientMoveTest, MovedClientKeepsSessionEphemeralAndWatch) {
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    MovedClientKeepsSessionEphemeralAndWatch(seed);
    if (HasFailure()) break;
  }
}

// A crashed server restarts over its storage (the raft log replays into a fresh ZkServer),
// catches up with what it missed, and takes back a session re-attaching there.
TEST(EnsembleClientMoveTest, RestartedServerRecoversAndTakesSessionsBack) {
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ZkEnsemble e(EnsembleOptions{.tick_ms = kTick, .seed = seed});
    e.StartAll();
    const int leader = e.AwaitStableLeader();
    ASSERT_GE(leader, 0) << e.Dump();
    const int victim = (leader + 1 + static_cast<int>(seed % 2)) % 3;
    SimClient* a = e.NewClient("a");
    ASSERT_TRUE(e.ConnectNew(a, leader, kTimeout)) << e.Dump();
    a->StartPinging(kTimeout / 3);
    const SimClient::Reply* r = MustAnswer(e, a, a->Create("/before", "1", false));
    ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
    ASSERT_TRUE(e.Await([&] { return e.ExistsEverywhere("/before"); }, 200));
    e.Kill(victim);
    r = MustAnswer(e, a, a->Create("/eph", "", true));
    ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
    e.sim().RunFor(1000);
    ASSERT_TRUE(e.Start(victim).ok());
    ASSERT_EQ(e.AwaitStableLeader(), leader) << e.Dump();
    ASSERT_TRUE(e.Await(
        [&] { return e.zk(victim).last_zxid() == e.zk(leader).last_zxid(); }, 2000))
        << e.Dump();
    EXPECT_TRUE(e.ExistsEverywhere("/before"));
    EXPECT_TRUE(e.ExistsEverywhere("/eph"));
    EXPECT_EQ(e.zk(victim).tree().Digest(), e.zk(leader).tree().Digest());
    EXPECT_EQ(e.zk(victim).sessions().size(), e.zk(leader).sessions().size());
    ASSERT_TRUE(e.Reattach(a, victim)) << e.Dump();
    r = MustAnswer(e, a, a->Exists("/eph", false));
    ASSERT_TRUE(r && r->err() == ErrorCode::kOk);
    if (HasFailure()) break;
  }
}

// A session taken over through another server is gone from its old connection: ZooKeeper
// (the leader checks the session's owner, PrepRequestProcessor; FinalRequestProcessor closes
// the connection on SessionMovedException, ZOOKEEPER-710; QuorumTest.testSessionMoved) makes
// the old handle's next write fail with a lost connection. Without that check both
// connections act for one session, and the old one, on a lagging server, can write after the
// new one (e.g. re-create an ephemeral the new owner just deleted). zknode records the owner
// in the log (kSetOwner on a re-attach) and every replica refuses the old server's write.
TEST(EnsembleClientMoveTest, OldConnectionOfAMovedSessionLosesIt) {
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    ZkEnsemble e(EnsembleOptions{.tick_ms = kTick, .seed = seed});
    e.StartAll();
    const int leader = e.AwaitStableLeader();
    ASSERT_GE(leader, 0) << e.Dump();
    const int first = (leader + 1) % 3;
    const int second = seed % 2 == 0 ? leader : (leader + 2) % 3;
    SimClient* old = e.NewClient("old");
    ASSERT_TRUE(e.ConnectNew(old, first, kTimeout)) << e.Dump();
    old->StartPinging(kTimeout / 3);
    const SimClient::Reply* r = MustAnswer(e, old, old->Create("/n", "", false));
    ASSERT_TRUE(r && r->err() == ErrorCode::kOk);

    SimClient* moved = e.NewClient("moved");
    moved->AdoptSession(old->session_id(), old->passwd(), kTimeout);
    ASSERT_TRUE(e.Reattach(moved, second)) << e.Dump();
    r = MustAnswer(e, moved, moved->SetData("/n", "new owner"));
    ASSERT_TRUE(r && r->err() == ErrorCode::kOk);

    const int32_t xid = old->SetData("/n", "old owner");
    ASSERT_TRUE(e.Await([&] { return old->reply(xid) != nullptr || !old->connection_open(); },
                        2000));
    const SimClient::Reply* stale = old->reply(xid);
    EXPECT_TRUE(stale == nullptr || stale->err() == ErrorCode::kSessionMoved)
        << "the old connection's write was answered "
        << (stale ? proto::ErrorName(stale->err()) : "-") << "\n" << e.Dump();
    e.sim().RunFor(100);
    EXPECT_FALSE(old->connection_open());
    proto::Stat st;
    ASSERT_TRUE(e.zk(leader).tree().GetStat("/n", &st));
    EXPECT_EQ(st.version, 1) << "the old connection's write was applied";
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace zk::ensemble_test
