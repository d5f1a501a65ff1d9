// Global sessions across a leader change (DESIGN §3): the leader decides expiry from the
// touches followers report; a new leader re-arms every session with a full timeout, as
// ZooKeeper's new leader does (its SessionTrackerImpl is built from the session table and
// adds every session with `now + timeout`, rounded up to the next tick by ExpiryQueue).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "zk_ensemble.h"

namespace zk::ensemble_test {
namespace {

using proto::ErrorCode;

constexpr int32_t kTimeout = 4000;  // 2 x tickTime 2000: the smallest session ZooKeeper grants
constexpr int kTick = 2000;
// Latest expiry after the leader's last reason to keep a session (a touch, or its own
// election): ExpiryQueue rounds the deadline up to the next tick (<= 1 tick), the expiry
// check runs every half tick, and committing the close takes a few ms in the simulation.
constexpr int64_t kExpirySlack = kTick + kTick / 2 + 50;

// (a) A client on a follower creates an ephemeral and goes silent; the leader that tracked
// it dies. The new leader must expire the session a full timeout after it took over (not
// earlier: it cannot know when the client was last heard of; not much later either), the
// ephemeral must go on every surviving server, and a re-attach must be told it expired.
void SilentSessionExpiresOnTheNewLeader(uint64_t seed) {
  ZkEnsemble e(EnsembleOptions{.tick_ms = kTick, .seed = seed});
  e.StartAll();
  const int old_leader = e.AwaitStableLeader();
  ASSERT_GE(old_leader, 0) << e.Dump();
  const int home = (old_leader + 1) % 3;
  const int other = (old_leader + 2) % 3;

  SimClient* c = e.NewClient("silent");
  ASSERT_TRUE(e.ConnectNew(c, home, kTimeout)) << e.Dump();
  ASSERT_EQ(c->timeout_ms(), kTimeout);
  const int64_t sid = c->session_id();
  const auto* r = e.AwaitReply(c, c->Create("/eph", "x", true));
  ASSERT_NE(r, nullptr) << e.Dump();
  ASSERT_EQ(r->err(), ErrorCode::kOk);
  // Alive for two timeouts: its pings reach the leader through the follower's reports.
  c->StartPinging(kTimeout / 3);
  e.sim().RunFor(2 * kTimeout);
  ASSERT_TRUE(e.ExistsEverywhere("/eph")) << e.Dump();
  ASSERT_GT(c->pings_answered(), 4);

  // Silent from here on. The leader dies 0, 0.5 or 1 s into the silence: a crash (its links
  // reset at once) for odd seeds, a hang (followers notice by the election timeout, then it
  // is killed) for even ones.
  c->StopPinging();
  const int64_t silent_at = c->last_sent_ms();
  e.sim().RunFor(static_cast<int64_t>(seed % 3) * 500);
  const bool hang = seed % 2 == 0;
  if (hang) {
    e.Freeze(old_leader);
  } else {
    e.Kill(old_leader);
  }
  const int64_t killed_at = e.now();
  ASSERT_TRUE(e.Await([&] { return e.Leader() >= 0; }, 5000)) << e.Dump();
  const int new_leader = e.Leader();
  const int64_t elected_at = e.now();
  ASSERT_TRUE(new_leader == home || new_leader == other) << e.Dump();
  ASSERT_LT(elected_at - killed_at, 2000) << e.Dump();
  if (hang) e.Kill(old_leader);
  ASSERT_EQ(e.AwaitStableLeader(), new_leader) << e.Dump();

  // The session goes from the new leader's table when its close is applied there.
  ASSERT_TRUE(e.Await([&] { return e.zk(new_leader).sessions().Find(sid) == nullptr; },
                      kTimeout + kExpirySlack + 1000))
      << "session never expired\n" << e.Dump();
  const int64_t expired_at = e.now();
  EXPECT_GE(expired_at, elected_at + kTimeout)
      << "expired before a full timeout on the new leader (elected at " << elected_at << ")\n"
      << e.Dump();
  EXPECT_LE(expired_at, elected_at + kTimeout + kExpirySlack) << e.Dump();
  EXPECT_GE(expired_at - silent_at, kTimeout);
  std::printf("seed %llu: leader server.%d %s %lld ms into the silence; server.%d leads %lld ms "
              "later; session expired %lld ms after that\n",
              static_cast<unsigned long long>(seed), old_leader + 1, hang ? "hung" : "died",
              static_cast<long long>(killed_at - silent_at), new_leader + 1,
              static_cast<long long>(elected_at - killed_at),
              static_cast<long long>(expired_at - elected_at));

  // Every survivor deleted the ephemeral and forgot the session; the follower that held the
  // connection closed it.
  ASSERT_TRUE(e.Await([&] { return e.GoneEverywhere("/eph"); }, 200)) << e.Dump();
  EXPECT_FALSE(e.SessionKnownAnywhere(sid));
  EXPECT_EQ(e.zk(home).tree().ephemeral_count(), 0u);
  EXPECT_EQ(e.zk(other).tree().ephemeral_count(), 0u);
  ASSERT_TRUE(e.Await([&] { return !c->connection_open(); }, 200)) << e.Dump();

  // A re-attach, at either survivor, is told the session expired: timeOut 0, session 0.
  for (int i : {home, other}) {
    EXPECT_FALSE(e.Reattach(c, i)) << "server." << i + 1 << "\n" << e.Dump();
    EXPECT_TRUE(c->expired()) << "server." << i + 1;
    ASSERT_TRUE(c->handshake().has_value());
    EXPECT_EQ(c->handshake()->timeout_ms, 0);
    EXPECT_EQ(c->handshake()->session_id, 0);
    EXPECT_TRUE(e.Await([&] { return !c->connection_open(); }, 200));
  }
}

// (b) The converse: a client that keeps pinging through a follower across the leader change
// keeps its session and its ephemeral, although the leader that tracked it is gone. Once it
// stops, it does expire (so the test above cannot pass by a session that never expires).
void PingingSessionSurvivesTheLeaderChange(uint64_t seed) {
  ZkEnsemble e(EnsembleOptions{.tick_ms = kTick, .seed = seed});
  e.StartAll();
  const int old_leader = e.AwaitStableLeader();
  ASSERT_GE(old_leader, 0) << e.Dump();
  const int home = (old_leader + 1) % 3;
  const int other = (old_leader + 2) % 3;

  SimClient* c = e.NewClient("pinging");
  ASSERT_TRUE(e.ConnectNew(c, home, kTimeout)) << e.Dump();
  const int64_t sid = c->session_id();
  const auto* r = e.AwaitReply(c, c->Create("/eph", "x", true));
  ASSERT_NE(r, nullptr) << e.Dump();
  ASSERT_EQ(r->err(), ErrorCode::kOk);
  c->StartPinging(kTimeout / 3);
  // The leader dies (odd seeds) or hangs (even seeds) at a different point of the ping
  // cycle for each seed.
  e.sim().RunFor(kTimeout + static_cast<int64_t>(seed % 4) * 333);
  const bool hang = seed % 2 == 0;
  if (hang) {
    e.Freeze(old_leader);
  } else {
    e.Kill(old_leader);
  }
  ASSERT_TRUE(e.Await([&] { return e.Leader() >= 0; }, 5000)) << e.Dump();
  if (hang) e.Kill(old_leader);
  const int new_leader = e.AwaitStableLeader(5000);
  ASSERT_TRUE(new_leader == home || new_leader == other) << e.Dump();
  std::printf("seed %llu: leader server.%d %s, server.%d leads; client on server.%d\n",
              static_cast<unsigned long long>(seed), old_leader + 1, hang ? "hung" : "died",
              new_leader + 1, home + 1);

  // Three session timeouts under the new leader: the session must stay everywhere.
  const bool lost = e.Await(
      [&] {
        return e.zk(new_leader).sessions().Find(sid) == nullptr ||
               !e.ExistsEverywhere("/eph") || !c->connection_open();
      },
      3 * kTimeout);
  ASSERT_FALSE(lost) << "session, ephemeral or connection lost at " << e.now() << "\n"
                     << e.Dump();
  EXPECT_EQ(c->connections_closed(), 0);
  EXPECT_GE(c->last_ping_answer_ms(), e.now() - kTimeout / 3 - 10);
  for (int i : {home, other}) {
    proto::Stat st;
    ASSERT_TRUE(e.zk(i).tree().GetStat("/eph", &st)) << "server." << i + 1;
    EXPECT_EQ(st.ephemeral_owner, sid) << "server." << i + 1;
  }
  // Reads and writes through the same connection still work, the write via the new leader.
  r = e.AwaitReply(c, c->Exists("/eph", false));
  ASSERT_NE(r, nullptr) << e.Dump();
  EXPECT_EQ(r->err(), ErrorCode::kOk);
  r = e.AwaitReply(c, c->Create("/after", "y", false));
  ASSERT_NE(r, nullptr) << e.Dump();
  EXPECT_EQ(r->err(), ErrorCode::kOk);
  EXPECT_TRUE(e.Await([&] { return e.ExistsEverywhere("/after"); }, 200));

  // Now silent: the new leader expires it within the timeout (plus the follower's report
  // period of half a tick and the slack) of the last ping.
  c->StopPinging();
  const int64_t silent_at = c->last_sent_ms();
  ASSERT_TRUE(e.Await([&] { return !e.SessionKnownAnywhere(sid); },
                      kTimeout + kExpirySlack + kTick))
      << e.Dump();
  EXPECT_GE(e.now() - silent_at, kTimeout);
  EXPECT_LE(e.now() - silent_at, kTimeout + kExpirySlack + kTick / 2) << e.Dump();
  EXPECT_TRUE(e.Await([&] { return e.GoneEverywhere("/eph"); }, 200)) << e.Dump();
  EXPECT_TRUE(e.ExistsEverywhere("/after"));
}

TEST(EnsembleSessionTest, SilentSessionExpiresOnTheNewLeaderAfterAFullTimeout) {
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    SilentSessionExpiresOnTheNewLeader(seed);
    if (HasFailure()) break;
  }
}

TEST(EnsembleSessionTest, PingingSessionSurvivesTheLeaderChange) {
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    PingingSessionSurvivesTheLeaderChange(seed);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace zk::ensemble_test
