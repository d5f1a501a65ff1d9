// Behaviour the plugin adds on top of libraft 0.15 (README.md "libraft 0.15"): no commit of
// an older term's entry by counting replicas, prompt commit notification to followers, the
// leader's no-op, and a single-server ensemble.
#include <gtest/gtest.h>

#include <string>

#include "ensemble.h"

namespace zk::raft_test {
namespace {

// Raft §5.4.2 / Figure 8: a leader must not commit an entry of an older term by counting
// replicas; only its own term's entries commit, and the older ones with them. libraft 0.15
// does count (fixed upstream in 524f735). Here the new leader holds an old entry `x` that
// no majority acknowledged, and its disk is slow: `x` becomes durable before its barrier, and
// meanwhile the other follower acknowledges both. The commit index must jump from below `x`
// straight to the barrier (or later).
TEST(RaftFixesTest, NoCommitOfAnOlderTermByCountingReplicas) {
  Ensemble e(Options{});
  e.StartAll();
  const int old_leader = e.AwaitStableLeader();
  ASSERT_GE(old_leader, 0) << e.Dump();
  const int heir = (old_leader + 1) % 3;
  const int other = (old_leader + 2) % 3;
  ASSERT_TRUE(e.ProposeMany(old_leader, "base-", 2));
  ASSERT_TRUE(e.AwaitApplied("base-1"));

  // `x` reaches only the heir, whose disk takes 500 ms: nobody acknowledges it.
  Plugins::Get().Partition(e.name(old_leader), e.name(other));
  e.node(heir).storage->latency_ms = 500;
  e.Propose(old_leader, "x");
  ASSERT_TRUE(e.sim().RunUntil(
      [&] {
        return e.node(heir).election->Stats().last_index >
               e.node(heir).election->Stats().commit_index;
      },
      1000))
      << e.Dump();
  const uint64_t x_index = e.node(heir).election->Stats().last_index;
  const uint64_t commit_before = e.node(heir).election->Stats().commit_index;
  ASSERT_LT(commit_before, x_index);
  e.Kill(old_leader);
  Plugins::Get().Heal();

  // The heir has the longer log and wins; watch its commit index at every step.
  bool bad = false;
  uint64_t bad_commit = 0;
  ASSERT_TRUE(e.sim().RunUntil(
      [&] {
        const ElectionStats st = e.node(heir).election->Stats();
        if (st.commit_index > commit_before && st.commit_index < x_index + 1) {
          bad = true;
          bad_commit = st.commit_index;
        }
        return e.node(heir).sm->Has("x") && e.node(other).sm->Has("x");
      },
      10000))
      << e.Dump();
  EXPECT_FALSE(bad) << "committed index " << bad_commit << " (entry x at " << x_index
                    << ", of an older term) before any entry of the new term";
  EXPECT_EQ(e.Leader(), heir);
  // x did commit, with the new leader's first entry, and everyone agrees.
  EXPECT_EQ(e.node(heir).sm->Payloads(), e.node(other).sm->Payloads());
  e.node(heir).storage->latency_ms = 0;
}

TEST(RaftFixesTest, FollowersLearnTheCommitAtOnceNotAtTheNextHeartbeat) {
  Options o;
  o.heartbeat_ms = 150;  // a slow heartbeat would show in the follower's apply time
  o.election_ms = 1000;
  Ensemble e(o);
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  const int follower = (leader + 1) % 3;
  // The ensemble is idle: wait just after a heartbeat, then write.
  e.sim().RunFor(10);
  const int64_t t0 = e.sim().now();
  e.Propose(follower, "prompt");
  ASSERT_TRUE(e.AwaitApplied("prompt", {follower})) << e.Dump();
  // No network or disk latency in the simulation: one loop turn, not 150 ms.
  EXPECT_LT(e.sim().now() - t0, 5);
}

TEST(RaftFixesTest, NewLeaderCommitsABarrierBeforeItReportsLeading) {
  Ensemble e(Options{});
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  // Entry 1 is the configuration, entry 2 the barrier: committed without any proposal.
  const ElectionStats st = e.node(leader).election->Stats();
  EXPECT_EQ(st.last_index, 2u);
  EXPECT_EQ(st.commit_index, 2u);
  EXPECT_TRUE(e.node(leader).sm->applied.empty());  // a barrier is not a command
}

TEST(RaftFixesTest, SingleServerEnsembleLeadsAtOnceAndRestarts) {
  Options o;
  o.n = 1;
  Ensemble e(o);
  e.StartAll();
  EXPECT_EQ(e.AwaitStableLeader(100), 0) << e.Dump();
  ASSERT_TRUE(e.ProposeMany(0, "solo-", 3)) << e.Dump();
  e.Kill(0);
  ASSERT_TRUE(e.Start(0).ok());
  EXPECT_EQ(e.AwaitStableLeader(100), 0) << e.Dump();
  ASSERT_TRUE(e.AwaitApplied("solo-2")) << e.Dump();
  EXPECT_EQ(e.node(0).sm->Payloads(), (std::vector<std::string>{"solo-0", "solo-1", "solo-2"}));
  // libraft 0.15 elects a lone voter without a new term (convertToCandidate): still term 1.
  EXPECT_EQ(e.node(0).election->Stats().term, 1u);
}

}  // namespace
}  // namespace zk::raft_test
