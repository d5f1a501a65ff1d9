// A follower cut off from the rest of the ensemble stops serving (DESIGN §3 "Quorum loss",
// as ZooKeeper's LOOKING server does): it closes its client connections and refuses new
// ones; after the partition heals it catches up and serves again.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "zk_ensemble.h"

namespace zk::ensemble_test {
namespace {

using proto::ErrorCode;

constexpr int32_t kTimeout = 4000;
constexpr int kTick = 2000;

void CutFollowerStopsServingUntilHealed(uint64_t seed) {
  ZkEnsemble e(EnsembleOptions{.tick_ms = kTick, .seed = seed});
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  const int cut = (leader + 1 + static_cast<int>(seed % 2)) % 3;
  const int other = 3 - leader - cut;

  SimClient* c = e.NewClient("on-cut");
  ASSERT_TRUE(e.ConnectNew(c, cut, kTimeout)) << e.Dump();
  c->StartPinging(kTimeout / 3);
  const int64_t sid = c->session_id();
  const SimClient::Reply* r = e.AwaitReply(c, c->Create("/eph-cut", "", true));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk) << e.Dump();
  SimClient* m = e.NewClient("on-leader");
  ASSERT_TRUE(e.ConnectNew(m, leader, kTimeout)) << e.Dump();
  m->StartPinging(kTimeout / 3);
  e.sim().RunFor(static_cast<int64_t>(seed % 5) * 300);

  // Cut the follower from the other servers (clients still reach it).
  const int64_t t0 = e.now();
  EXPECT_GT(Plugins::Get().Partition(e.name(cut), e.Group({leader, other})), 0);
  ASSERT_TRUE(e.Await([&] { return e.zk(cut).role() == Role::kLooking; }, 2000)) << e.Dump();
  const int64_t looking_at = e.now();
  // Its clients go after a grace of at most a tick (server.cc OnRoleChange), although they
  // keep pinging it.
  ASSERT_TRUE(e.Await([&] { return !c->connection_open(); }, kTick + 100)) << e.Dump();
  const int64_t closed_at = e.now();
  EXPECT_LE(closed_at - looking_at, kTick + 50);
  EXPECT_EQ(e.zk(cut).role(), Role::kLooking);

  // A new connect there is refused: the connection closes without a ConnectResponse.
  SimClient* refused = e.NewClient("refused");
  EXPECT_FALSE(e.ConnectNew(refused, cut, kTimeout)) << e.Dump();
  EXPECT_FALSE(refused->handshake().has_value());
  EXPECT_FALSE(refused->connection_open());
  // A re-attach of c's session there is refused the same way.
  EXPECT_FALSE(e.Reattach(c, cut));
  EXPECT_FALSE(c->handshake().has_value());

  // The majority keeps serving and writing.
  r = e.AwaitReply(m, m->Create("/during", "d", false));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk) << e.Dump();
  EXPECT_FALSE(e.zk(cut).tree().Exists("/during"));
  // The leader hears nothing of c any more: its session expires there, a timeout (plus the
  // tick rounding and check period) after its last touch reached the leader.
  ASSERT_TRUE(e.Await([&] { return e.zk(leader).sessions().Find(sid) == nullptr; },
                      kTimeout + 2 * kTick))
      << e.Dump();
  EXPECT_LE(e.now() - t0, kTimeout + 2 * kTick);
  EXPECT_FALSE(e.zk(other).tree().Exists("/eph-cut"));
  EXPECT_TRUE(e.zk(cut).tree().Exists("/eph-cut"));  // stale until it catches up
  const int64_t cut_for = e.now() - t0;

  // Healed: it rejoins the same leader, catches up, and serves again.
  Plugins::Get().Heal();
  ASSERT_EQ(e.AwaitStableLeader(5000), leader) << e.Dump();
  ASSERT_TRUE(e.Await([&] { return e.zk(cut).tree().Exists("/during"); }, 1000)) << e.Dump();
  EXPECT_FALSE(e.zk(cut).tree().Exists("/eph-cut"));
  EXPECT_EQ(e.zk(cut).sessions().Find(sid), nullptr);
  EXPECT_EQ(e.zk(cut).last_zxid(), e.zk(leader).last_zxid());
  // c's session expired meanwhile: re-attaching at its old server now says so.
  EXPECT_FALSE(e.Reattach(c, cut));
  EXPECT_TRUE(c->expired()) << e.Dump();
  SimClient* back = e.NewClient("back");
  ASSERT_TRUE(e.ConnectNew(back, cut, kTimeout)) << e.Dump();
  r = e.AwaitReply(back, back->GetData("/during", false));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk) << e.Dump();
  EXPECT_EQ(std::get<proto::GetDataResponse>(r->body).data, "d");
  r = e.AwaitReply(back, back->Create("/after", "", false));
  ASSERT_TRUE(r && r->err() == ErrorCode::kOk) << e.Dump();
  EXPECT_TRUE(e.Await([&] { return e.ExistsEverywhere("/after"); }, 200));
  std::printf("seed %llu: follower server.%d cut for %lld ms; looking after %lld ms, its "
              "client closed %lld ms later\n",
              static_cast<unsigned long long>(seed), cut + 1, static_cast<long long>(cut_for),
              static_cast<long long>(looking_at - t0),
              static_cast<long long>(closed_at - looking_at));
}

TEST(EnsemblePartitionTest, CutFollowerStopsServingUntilHealed) {
  for (uint64_t seed : Seeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    CutFollowerStopsServingUntilHealed(seed);
    if (HasFailure()) break;
  }
}

}  // namespace
}  // namespace zk::ensemble_test
