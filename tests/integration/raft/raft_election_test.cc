// The raft election plugin in a simulated 3-server ensemble (inproc transport, memory
// storage, fake clock): elections, proposals, leader loss, follower messages, transfers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "ensemble_test_base.h"

namespace zk::raft_test {
namespace {

using RaftElectionTest = EnsembleTest;

TEST_F(RaftElectionTest, ElectsExactlyOneLeaderAndKeepsIt) {
  ASSERT_TRUE(StartWithLeader());
  const uint64_t term = e_->node(leader_).election->Stats().term;
  // A quiet ensemble stays put: no second leader, no new term, for 10 s.
  for (int k = 0; k < 100; ++k) {
    e_->sim().RunFor(100);
    ASSERT_EQ(e_->CountLeaders(), 1) << e_->Dump();
    ASSERT_EQ(e_->Leader(), leader_) << e_->Dump();
  }
  EXPECT_EQ(e_->node(leader_).election->Stats().term, term);
  for (int i = 0; i < e_->size(); ++i) {
    if (i == leader_) {
      EXPECT_EQ(e_->node(i).sm->role, Role::kLeader);
      EXPECT_EQ(e_->node(i).sm->leader, static_cast<uint64_t>(leader_));
      continue;
    }
    EXPECT_EQ(e_->node(i).election->role(), Role::kFollower);
    EXPECT_EQ(e_->node(i).election->leader_id(), static_cast<uint64_t>(leader_));
    EXPECT_EQ(e_->node(i).sm->role, Role::kFollower);
    EXPECT_EQ(e_->node(i).sm->leader, static_cast<uint64_t>(leader_));
  }
}

TEST_F(RaftElectionTest, ProposalsFromFollowersAndLeaderApplyInOneOrderEverywhere) {
  ASSERT_TRUE(StartWithLeader());
  const int f1 = (leader_ + 1) % 3;
  const int f2 = (leader_ + 2) % 3;
  std::vector<std::shared_ptr<Outcome>> outcomes;
  for (int k = 0; k < 5; ++k) {
    outcomes.push_back(e_->Propose(f1, "f1-" + std::to_string(k)));
    outcomes.push_back(e_->Propose(leader_, "l-" + std::to_string(k)));
    outcomes.push_back(e_->Propose(f2, "f2-" + std::to_string(k)));
  }
  ASSERT_TRUE(e_->AwaitApplied("f1-4") && e_->AwaitApplied("l-4") && e_->AwaitApplied("f2-4"))
      << e_->Dump();
  e_->sim().RunFor(100);
  for (auto& o : outcomes) {
    EXPECT_TRUE(o->done);
    EXPECT_TRUE(o->status.ok()) << o->status.ToString();
  }
  const auto reference = e_->node(leader_).sm->applied;
  ASSERT_EQ(reference.size(), 15u);
  const uint64_t term = e_->node(leader_).election->Stats().term;
  for (int i = 0; i < 3; ++i) {
    const auto& applied = e_->node(i).sm->applied;
    ASSERT_EQ(applied.size(), reference.size()) << "server." << i;
    for (size_t k = 0; k < applied.size(); ++k) {
      EXPECT_EQ(applied[k].index, reference[k].index);
      EXPECT_EQ(applied[k].data, reference[k].data);
      // The entry's term travels in its payload: it is the leader's term.
      EXPECT_EQ(applied[k].term, term);
    }
  }
  // FIFO per proposer: a follower's proposals keep their order.
  std::vector<std::string> from_f1;
  for (const auto& a : reference) {
    if (a.data.rfind("f1-", 0) == 0) from_f1.push_back(a.data);
  }
  EXPECT_EQ(from_f1, (std::vector<std::string>{"f1-0", "f1-1", "f1-2", "f1-3", "f1-4"}));
}

// With no leader a proposal waits (an election or a handoff is brief) and fails only when
// none appears within the forward timeout (max(1 s, 4 election timeouts)).
TEST_F(RaftElectionTest, ProposeWithoutLeaderWaitsThenFails) {
  Ensemble e(Options{});
  ASSERT_TRUE(e.Start(0).ok());
  e.sim().RunFor(1000);  // alone: no quorum, no leader
  EXPECT_EQ(e.node(0).election->role(), Role::kLooking);
  auto o = e.Propose(0, "x");
  e.sim().RunReady();
  EXPECT_FALSE(o->done) << "failed at once: " << o->status.ToString();
  e.sim().RunFor(1500);
  ASSERT_TRUE(o->done);
  EXPECT_EQ(o->status.code(), Status::Code::kUnavailable) << o->status.ToString();
}

// A proposal made while no leader is known is sent once one is, and applied everywhere.
TEST_F(RaftElectionTest, ProposalParkedWithoutLeaderIsAppliedOnceOneIsElected) {
  Ensemble e(Options{});
  ASSERT_TRUE(e.Start(0).ok());
  e.sim().RunFor(500);
  auto o = e.Propose(0, "parked");
  ASSERT_TRUE(e.Start(1).ok());
  ASSERT_TRUE(e.Start(2).ok());
  e.sim().RunFor(900);
  ASSERT_TRUE(o->done);
  EXPECT_TRUE(o->status.ok()) << o->status.ToString();
  e.sim().RunFor(200);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(e.node(i).sm->Has("parked")) << "server." << i;
}

// Kills the leader, then measures (simulated ms) until a survivor leads and until a write
// proposed through the other survivor is applied there.
struct Failover {
  int64_t leader_ms = -1;
  int64_t write_ms = -1;
};

Failover MeasureFailover(Ensemble& e, int old_leader) {
  Failover f;
  const int64_t t0 = e.sim().now();
  e.Kill(old_leader);
  if (e.sim().RunUntil([&] { return e.Leader() >= 0; }, 20000)) f.leader_ms = e.sim().now() - t0;
  const int leader = e.Leader();
  if (leader < 0) return f;
  int survivor = -1;
  for (int i = 0; i < e.size(); ++i) {
    if (i != leader && e.node(i).up) survivor = i;
  }
  // The first write that succeeds through the survivor (it may not know the leader yet).
  for (int attempt = 0; attempt < 200; ++attempt) {
    const std::string payload = "after-failover-" + std::to_string(attempt);
    auto o = e.Propose(survivor, payload);
    e.sim().RunUntil([&] { return o->done; }, 1000);
    if (o->done && o->status.ok() && e.AwaitApplied(payload, {survivor}, 2000)) {
      f.write_ms = e.sim().now() - t0;
      return f;
    }
    e.sim().RunFor(5);
  }
  return f;
}

TEST_F(RaftElectionTest, LeaderKillElectsNewLeaderAndKeepsCommittedEntries) {
  ASSERT_TRUE(StartWithLeader());
  const int follower = (leader_ + 1) % 3;
  ASSERT_TRUE(e_->ProposeMany(follower, "before-", 10)) << e_->Dump();
  ASSERT_TRUE(e_->AwaitApplied("before-9")) << e_->Dump();
  const uint64_t old_term = e_->node(follower).election->Stats().term;

  const Failover f = MeasureFailover(*e_, leader_);
  ASSERT_GE(f.leader_ms, 0) << e_->Dump();
  ASSERT_GE(f.write_ms, 0) << e_->Dump();
  std::printf(
      "[ measure  ] fake clock, one failover: new leader after %lld ms, first write "
      "through a survivor after %lld ms\n",
      static_cast<long long>(f.leader_ms), static_cast<long long>(f.write_ms));
  const int new_leader = e_->AwaitStableLeader();
  ASSERT_GE(new_leader, 0);
  ASSERT_NE(new_leader, leader_);
  EXPECT_GT(e_->node(new_leader).election->Stats().term, old_term);
  for (int i = 0; i < 3; ++i) {
    if (i == leader_) continue;
    for (int k = 0; k < 10; ++k) EXPECT_TRUE(e_->node(i).sm->Has("before-" + std::to_string(k)));
  }

  // The old leader comes back from its storage and catches up.
  ASSERT_TRUE(e_->Start(leader_).ok());
  ASSERT_TRUE(e_->AwaitApplied("after-failover-0", {leader_})) << e_->Dump();
  EXPECT_EQ(e_->node(leader_).sm->Payloads(), e_->node(new_leader).sm->Payloads());
  EXPECT_EQ(e_->AwaitStableLeader(), new_leader);
}

TEST_F(RaftElectionTest, FailoverTimeOnTheFakeClock) {
  // Default timeouts (tickTime 2000 -> election 200 ms, heartbeat 40 ms), 20 seeds.
  std::vector<int64_t> leader_ms, write_ms;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    Options o;
    o.seed = seed;
    ASSERT_TRUE(StartWithLeader(o));
    ASSERT_TRUE(e_->ProposeMany(leader_, "w", 3));
    e_->sim().RunFor(static_cast<int64_t>(seed * 7 % 40));  // kill at a different heartbeat phase
    const Failover f = MeasureFailover(*e_, leader_);
    ASSERT_GE(f.write_ms, 0) << e_->Dump();
    leader_ms.push_back(f.leader_ms);
    write_ms.push_back(f.write_ms);
  }
  std::sort(leader_ms.begin(), leader_ms.end());
  std::sort(write_ms.begin(), write_ms.end());
  std::printf(
      "[ measure  ] fake clock, 20 failovers: new leader after min %lld / median %lld / "
      "max %lld ms; first write through a survivor min %lld / median %lld / max %lld "
      "ms\n",
      static_cast<long long>(leader_ms.front()), static_cast<long long>(leader_ms[10]),
      static_cast<long long>(leader_ms.back()), static_cast<long long>(write_ms.front()),
      static_cast<long long>(write_ms[10]), static_cast<long long>(write_ms.back()));
  // A killed leader's links close: the survivors forget it at once and the lower-ranked
  // one campaigns at once, the other 50 ms later (election timeout / 4), instead of both
  // waiting their random [200, 400] ms election timeouts.
  EXPECT_LE(leader_ms.back(), 50);
  EXPECT_LE(write_ms.back(), 100);
}

TEST_F(RaftElectionTest, SendToLeaderReachesTheLeadersStateMachine) {
  ASSERT_TRUE(StartWithLeader());
  const int follower = (leader_ + 2) % 3;
  e_->node(follower).election->SendToLeader("touched:1,2");
  e_->node(leader_).election->SendToLeader("mine");
  ASSERT_TRUE(
      e_->sim().RunUntil([&] { return e_->node(leader_).sm->follower_messages.size() == 2; }, 1000))
      << e_->Dump();
  auto msgs = e_->node(leader_).sm->follower_messages;
  std::sort(msgs.begin(), msgs.end());
  std::vector<std::pair<uint64_t, std::string>> want{
      {static_cast<uint64_t>(follower), "touched:1,2"}, {static_cast<uint64_t>(leader_), "mine"}};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(msgs, want);
  for (int i = 0; i < 3; ++i) {
    if (i != leader_) {
      EXPECT_TRUE(e_->node(i).sm->follower_messages.empty());
    }
  }
}

TEST_F(RaftElectionTest, TransferLeadershipMovesTheLeader) {
  ASSERT_TRUE(StartWithLeader());
  ASSERT_TRUE(e_->ProposeMany(leader_, "t", 3));
  const int target = (leader_ + 1) % 3;

  auto on_follower = Transfer(*e_, target, static_cast<uint64_t>(leader_));
  auto moved = Transfer(*e_, leader_, static_cast<uint64_t>(target));
  ASSERT_TRUE(e_->sim().RunUntil([&] { return moved->done && on_follower->done; }, 5000))
      << e_->Dump();
  EXPECT_TRUE(moved->status.ok()) << moved->status.ToString();
  EXPECT_EQ(on_follower->status.code(), Status::Code::kUnavailable);
  EXPECT_EQ(e_->AwaitStableLeader(), target) << e_->Dump();

  // kAnyServer lets libraft pick.
  auto picked = Transfer(*e_, target, Election::kAnyServer);
  ASSERT_TRUE(e_->sim().RunUntil([&] { return picked->done; }, 5000)) << e_->Dump();
  EXPECT_TRUE(picked->status.ok()) << picked->status.ToString();
  const int third = e_->AwaitStableLeader();
  EXPECT_GE(third, 0);
  EXPECT_NE(third, target);
  ASSERT_TRUE(e_->ProposeMany(third, "after-transfer-", 2)) << e_->Dump();
  EXPECT_TRUE(e_->AwaitApplied("after-transfer-1"));
}

TEST_F(RaftElectionTest, StopFailsPendingProposalsWithAborted) {
  ASSERT_TRUE(StartWithLeader());
  const int f1 = (leader_ + 1) % 3;
  const int f2 = (leader_ + 2) % 3;
  // Followers stalled: nothing can commit; the leader's proposals stay pending.
  e_->Pause(f1);
  e_->Pause(f2);
  auto a = e_->Propose(leader_, "a");
  auto b = e_->Propose(leader_, "b");
  e_->sim().RunFor(50);
  EXPECT_FALSE(a->done);
  e_->node(leader_).election->Stop();
  EXPECT_TRUE(a->done && b->done);
  EXPECT_EQ(a->status.code(), Status::Code::kAborted) << a->status.ToString();
  EXPECT_EQ(b->status.code(), Status::Code::kAborted) << b->status.ToString();
  EXPECT_EQ(e_->node(leader_).election->role(), Role::kLooking);
  e_->node(leader_).election->Stop();  // idempotent
  auto c = e_->Propose(leader_, "c");
  e_->sim().RunReady();
  EXPECT_TRUE(c->done);
  EXPECT_FALSE(c->status.ok());
}

TEST_F(RaftElectionTest, ObserverReplicatesButNeverVotes) {
  Options o;
  o.n = 4;
  o.observers = {3};
  ASSERT_TRUE(StartWithLeader(o));
  ASSERT_NE(leader_, 3);
  EXPECT_EQ(e_->node(3).election->role(), Role::kObserver);
  ASSERT_TRUE(e_->ProposeMany(3, "obs-", 3)) << e_->Dump();  // forwarded by the observer
  EXPECT_TRUE(e_->AwaitApplied("obs-2"));
  const ElectionStats st = e_->node(leader_).election->Stats();
  EXPECT_EQ(st.synced_followers, 2);  // voters only
  EXPECT_EQ(st.learners, 3);          // followers and the observer

  // Two of three voters gone: the remaining voter and the observer are no quorum.
  const int other = leader_ == 0 ? 1 : 0;
  e_->Kill(leader_);
  e_->Kill(other);
  e_->sim().RunFor(3000);
  EXPECT_EQ(e_->Leader(), -1) << e_->Dump();
  for (int i = 0; i < 4; ++i) {
    if (e_->node(i).up) {
      EXPECT_EQ(e_->node(i).election->role(), Role::kLooking) << "server." << i;
    }
  }
}

TEST_F(RaftElectionTest, StatsOnTheLeader) {
  ASSERT_TRUE(StartWithLeader());
  ASSERT_TRUE(e_->ProposeMany(leader_, "s", 4));
  e_->sim().RunFor(200);
  const ElectionStats st = e_->node(leader_).election->Stats();
  EXPECT_EQ(st.leader_id, static_cast<uint64_t>(leader_));
  EXPECT_EQ(st.commit_index, st.last_index);
  EXPECT_EQ(st.applied_index, st.last_index);
  EXPECT_GE(st.last_index, 6u);  // configuration, barrier, 4 proposals
  EXPECT_EQ(st.synced_followers, 2);
  EXPECT_EQ(st.learners, 2);
  const ElectionStats fs = e_->node((leader_ + 1) % 3).election->Stats();
  EXPECT_EQ(fs.term, st.term);
  EXPECT_EQ(fs.applied_index, st.applied_index);
  EXPECT_EQ(fs.synced_followers, 0);
}

}  // namespace
}  // namespace zk::raft_test
