// status/assess: lag in transactions, quorum arithmetic, verdicts and their exit codes.
#include "status/assess.h"

#include <gtest/gtest.h>

#include <set>

#include "commands/command.h"

namespace zkops::status {
namespace {

ServerReport Server(const std::string& name, State state, std::optional<uint64_t> zxid = {}) {
  ServerReport r;
  r.name = name;
  r.target.host = "127.0.0.1";
  r.target.client_port = static_cast<uint16_t>(2181 + name.back() - '0');
  r.state = state;
  r.zxid = zxid;
  return r;
}

ServerReport WithConf(ServerReport r, int64_t id, int voters, int observers = 0) {
  r.server_id = id;
  r.conf_voters = voters;
  r.conf_observers = observers;
  return r;
}

TEST(StatusLag, CounterDifferenceWithinAnEpoch) {
  Lag lag = ComputeLag(0x500000010, 0x500000004);
  EXPECT_EQ(lag.kind, Lag::Kind::kSameEpoch);
  EXPECT_EQ(lag.transactions, 12u);
  // Taken a moment later than the leader's: ahead by a little is not lag.
  EXPECT_EQ(ComputeLag(0x500000010, 0x500000012).transactions, 0u);
  EXPECT_EQ(ComputeLag(0x500000010, 0x500000010).transactions, 0u);
  EXPECT_EQ(ComputeLag(0x500000010, 0x4ffffffff).kind, Lag::Kind::kEpochBehind);
  EXPECT_EQ(ComputeLag(0x500000010, 0x0).kind, Lag::Kind::kEpochBehind);
  EXPECT_EQ(ComputeLag(0x500000010, 0x600000000).kind, Lag::Kind::kEpochAhead);
  EXPECT_EQ(ZxidEpoch(0x500000010), 5u);
  EXPECT_EQ(ZxidCounter(0x500000010), 16u);
}

TEST(StatusAssess, HealthyEnsembleWithLag) {
  EnsembleStatus s = Assess({WithConf(Server("s1", State::kFollower, 0x200000005), 1, 3),
                             WithConf(Server("s2", State::kLeader, 0x200000009), 2, 3),
                             WithConf(Server("s3", State::kFollower, 0x100000007), 3, 3)});
  EXPECT_EQ(s.verdict, Verdict::kHealthy);
  EXPECT_EQ(ExitCodeFor(s.verdict), 0);
  EXPECT_EQ(s.voters, 3);
  EXPECT_EQ(s.voters_source, "conf");
  EXPECT_EQ(s.quorum, 2);
  EXPECT_EQ(s.serving_voters, 3);
  EXPECT_EQ(s.tolerated_failures, 1);
  EXPECT_EQ(s.leaders, std::vector<std::string>{"s2"});
  EXPECT_EQ(s.servers[0].lag, 4u);
  EXPECT_EQ(s.servers[0].lag_text, "4");
  EXPECT_EQ(s.servers[1].lag, 0u);
  EXPECT_FALSE(s.servers[2].lag);
  EXPECT_EQ(s.servers[2].lag_text, "epoch behind");
  EXPECT_EQ(s.summary,
            "quorum healthy: leader s2, 2 followers; 3 of 3 voters serving (quorum 2); "
            "tolerates 1 more failure");
}

TEST(StatusAssess, OneDownIsDegraded) {
  EnsembleStatus s = Assess({Server("s1", State::kDown), Server("s2", State::kLeader, 0x1),
                             Server("s3", State::kFollower, 0x1)});
  EXPECT_EQ(s.verdict, Verdict::kDegraded);
  EXPECT_EQ(ExitCodeFor(s.verdict), 1);
  EXPECT_EQ(s.voters_source, "servers");
  EXPECT_EQ(s.tolerated_failures, 0);  // (3 - 1) / 2 - 1
  EXPECT_EQ(s.summary,
            "degraded, quorum holds: s1 down; leader s2, 1 follower; 2 of 3 voters serving "
            "(quorum 2); tolerates 0 more failures");
  EXPECT_EQ(s.servers[0].lag_text, "");  // no lag for a server that is down
}

TEST(StatusAssess, FiveVotersToleranceShrinksWithEachFailure) {
  std::vector<ServerReport> five = {Server("s1", State::kLeader, 0x1),
                                    Server("s2", State::kFollower, 0x1),
                                    Server("s3", State::kFollower, 0x1),
                                    Server("s4", State::kFollower, 0x1),
                                    Server("s5", State::kFollower, 0x1)};
  EXPECT_EQ(Assess(five).tolerated_failures, 2);
  five[4].state = State::kDown;
  EnsembleStatus one_down = Assess(five);
  EXPECT_EQ(one_down.verdict, Verdict::kDegraded);
  EXPECT_EQ(one_down.tolerated_failures, 1);
  five[3].state = State::kNotServing;
  EXPECT_EQ(Assess(five).tolerated_failures, 0);
  EXPECT_EQ(Assess(five).verdict, Verdict::kDegraded);
  five[2].state = State::kNoAnswer;
  EnsembleStatus lost = Assess(five);
  EXPECT_EQ(lost.verdict, Verdict::kNoQuorum);
  EXPECT_EQ(lost.tolerated_failures, -1);
  EXPECT_EQ(lost.summary, "no quorum: 2 of 5 voters serving, 3 needed");
}

TEST(StatusAssess, NoQuorumWhenOnlyOneServes) {
  EnsembleStatus s = Assess({Server("s1", State::kDown), Server("s2", State::kDown),
                             Server("s3", State::kNotServing)});
  EXPECT_EQ(s.verdict, Verdict::kNoQuorum);
  EXPECT_EQ(ExitCodeFor(s.verdict), 3);
  EXPECT_TRUE(s.leaders.empty());
  // An isolated leader that has not stepped down yet still has no quorum behind it.
  s = Assess({Server("s1", State::kDown), Server("s2", State::kDown),
              Server("s3", State::kLeader, 0x100000001)});
  EXPECT_EQ(s.verdict, Verdict::kNoQuorum);
}

TEST(StatusAssess, InconsistentEnsembles) {
  EnsembleStatus two_leaders = Assess({Server("s1", State::kLeader, 0x1),
                                       Server("s2", State::kLeader, 0x1),
                                       Server("s3", State::kFollower, 0x1)});
  EXPECT_EQ(two_leaders.verdict, Verdict::kInconsistent);
  EXPECT_EQ(ExitCodeFor(two_leaders.verdict), 4);
  EXPECT_EQ(two_leaders.summary,
            "2 leaders (s1, s2): split brain, or servers of different ensembles");
  EXPECT_EQ(two_leaders.servers[2].lag_text, "");  // no one leader to measure against

  EnsembleStatus mixed = Assess({Server("s1", State::kStandalone, 0x1),
                                 Server("s2", State::kLeader, 0x1),
                                 Server("s3", State::kFollower, 0x1)});
  EXPECT_EQ(mixed.verdict, Verdict::kInconsistent);
  EXPECT_EQ(mixed.summary, "s1 runs standalone but is listed with 2 other servers");

  EnsembleStatus standalones = Assess({Server("s1", State::kStandalone, 0x1),
                                       Server("s2", State::kStandalone, 0x1)});
  EXPECT_EQ(standalones.verdict, Verdict::kInconsistent);

  EnsembleStatus same_id = Assess({WithConf(Server("s1", State::kLeader, 0x1), 1, 3),
                                   WithConf(Server("s2", State::kFollower, 0x1), 1, 3),
                                   WithConf(Server("s3", State::kFollower, 0x1), 3, 3)});
  EXPECT_EQ(same_id.verdict, Verdict::kInconsistent);
  EXPECT_EQ(same_id.summary,
            "servers claim the same id 1: s1 127.0.0.1:2182, s2 127.0.0.1:2183");
}

TEST(StatusAssess, UnreachableWhenNothingAnswers) {
  EnsembleStatus s = Assess({Server("s1", State::kDown), Server("s2", State::kNoAnswer)});
  EXPECT_EQ(s.verdict, Verdict::kUnreachable);
  EXPECT_EQ(ExitCodeFor(s.verdict), 5);
  EXPECT_EQ(s.summary, "no server could be reached: s1 down, s2 no answer");
}

TEST(StatusAssess, LoneStandaloneIsHealthy) {
  EnsembleStatus s = Assess({Server("s1", State::kStandalone, 0x4)});
  EXPECT_EQ(s.verdict, Verdict::kHealthy);
  EXPECT_EQ(s.voters, 1);
  EXPECT_EQ(s.quorum, 1);
  EXPECT_EQ(s.tolerated_failures, 0);
  EXPECT_EQ(s.summary,
            "healthy: standalone server s1; 1 of 1 voter serving (quorum 1); "
            "tolerates 0 more failures");
}

TEST(StatusAssess, UnknownServersAndUnprobedVoters) {
  // One server cannot be asked (srvr refused): the quorum is confirmed, its health is not.
  EnsembleStatus s = Assess({Server("s1", State::kFourLwDisabled),
                             Server("s2", State::kLeader, 0x1),
                             Server("s3", State::kFollower, 0x1)});
  EXPECT_EQ(s.verdict, Verdict::kDegraded);
  EXPECT_NE(s.summary.find("s1 4lw disabled"), std::string::npos);

  // Two cannot be asked: no quorum can be confirmed.
  s = Assess({Server("s1", State::kFourLwDisabled), Server("s2", State::kFourLwDisabled),
              Server("s3", State::kFollower, 0x1)});
  EXPECT_EQ(s.verdict, Verdict::kNoQuorum);
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NE(s.notes[0].find("could not ask s1 4lw disabled, s2 4lw disabled"),
            std::string::npos);

  // conf lists 5 voters, 3 were probed and serve: a quorum, but two voters unseen.
  s = Assess({WithConf(Server("s1", State::kLeader, 0x1), 1, 5),
              WithConf(Server("s2", State::kFollower, 0x1), 2, 5),
              WithConf(Server("s3", State::kFollower, 0x1), 3, 5)});
  EXPECT_EQ(s.voters, 5);
  EXPECT_EQ(s.tolerated_failures, 0);
  EXPECT_EQ(s.verdict, Verdict::kDegraded);
  EXPECT_NE(s.summary.find("2 voters of the membership not probed"), std::string::npos);

  // Two followers, the leader not listed.
  s = Assess({Server("s1", State::kFollower, 0x1), Server("s2", State::kFollower, 0x1)});
  EXPECT_EQ(s.verdict, Verdict::kDegraded);
  EXPECT_NE(s.summary.find("no leader among the probed servers"), std::string::npos);
}

TEST(StatusAssess, ObserversAreNotVoters) {
  std::vector<ServerReport> servers = {WithConf(Server("s1", State::kLeader, 0x1), 1, 3, 1),
                                       WithConf(Server("s2", State::kFollower, 0x1), 2, 3, 1),
                                       WithConf(Server("s3", State::kFollower, 0x1), 3, 3, 1),
                                       WithConf(Server("s4", State::kObserver, 0x1), 4, 3, 1)};
  EnsembleStatus s = Assess(servers);
  EXPECT_EQ(s.verdict, Verdict::kHealthy);
  EXPECT_EQ(s.voters, 3);
  EXPECT_EQ(s.tolerated_failures, 1);
  EXPECT_NE(s.summary.find("1 observer"), std::string::npos);
  servers[3] = Server("s4", State::kDown);
  s = Assess(servers);
  EXPECT_EQ(s.verdict, Verdict::kDegraded);
  EXPECT_EQ(s.tolerated_failures, 1);  // an observer down costs no voter
}

TEST(StatusAssess, ExitCodesAreDistinctAndAvoidUsage) {
  std::set<int> codes;
  for (Verdict v : {Verdict::kHealthy, Verdict::kDegraded, Verdict::kNoQuorum,
                    Verdict::kInconsistent, Verdict::kUnreachable}) {
    EXPECT_NE(ExitCodeFor(v), kExitUsage) << VerdictName(v);
    codes.insert(ExitCodeFor(v));
  }
  EXPECT_EQ(codes, (std::set<int>{0, 1, 3, 4, 5}));
  EXPECT_STREQ(VerdictName(Verdict::kNoQuorum), "no-quorum");
}

}  // namespace
}  // namespace zkops::status
