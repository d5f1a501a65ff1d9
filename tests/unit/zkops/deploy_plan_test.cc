// deploy plan: which files a server gets, what each server needs, rolling order.
#include <gtest/gtest.h>

#include "deploy/plan.h"
#include "deploy_fixture.h"
#include "status/assess.h"

namespace zkops::deploy {
namespace {

using status::State;
using testing::Report;

TEST(DeployPlanTest, InstallsOnlyTheEnvironmentsPlugins) {
  testing::DeployCluster prod;
  prod.Load("prod");
  EXPECT_EQ(InstallFiles(prod.cluster()),
            (std::vector<std::string>{"bin/zknode", "bin/zkops",
                                      "lib/zkops/plugins/libzk_transport_tcp.so",
                                      "lib/zkops/plugins/libzk_storage_sqlite.so",
                                      "lib/zkops/plugins/libzk_election_raft.so"}));
  testing::DeployCluster dev;
  dev.Load("dev");
  // dev names only storage: the other kinds are zknode's defaults (tcp; raft for an ensemble).
  EXPECT_EQ(InstallFiles(dev.cluster())[3], "lib/zkops/plugins/libzk_storage_memory.so");
  EXPECT_EQ(InstallFiles(dev.cluster())[4], "lib/zkops/plugins/libzk_election_raft.so");
}

TEST(DeployPlanTest, BuildRootIsTheParentOfBin) {
  EXPECT_EQ(BuildRootFor("/work/build/bin"), "/work/build");
  EXPECT_EQ(BuildRootFor("/opt/zkops/bin/"), "/opt/zkops");
}

TEST(DeployPlanTest, MissingBuildFilesAreNamed) {
  zk::Status s = CheckBuildFiles("/nonexistent-build", {"bin/zknode", "bin/zkops"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("/nonexistent-build/bin/zknode"), std::string::npos);
  EXPECT_NE(s.message().find("/nonexistent-build/bin/zkops"), std::string::npos);
}

TEST(DeployPlanTest, ParsesServerLists) {
  std::vector<uint64_t> ids;
  ASSERT_TRUE(ParseServerIds("101,102,101", &ids).ok());
  EXPECT_EQ(ids, (std::vector<uint64_t>{101, 102}));
  for (const char* bad : {"", "1,,2", "a", "1,", "-1"}) {
    std::vector<uint64_t> none;
    EXPECT_FALSE(ParseServerIds(bad, &none).ok()) << bad;
  }
}

TEST(DeployPlanTest, DecidesPerServer) {
  ServerChange c;
  c.running = false;
  EXPECT_EQ(Decide(c, false), Action::kStart);
  EXPECT_EQ(Decide(c, true), Action::kStart);
  c.running = true;
  EXPECT_EQ(Decide(c, false), Action::kNothing);  // a second deploy: nothing to do
  c.config_changed = true;
  EXPECT_EQ(Decide(c, false), Action::kRestart);
  EXPECT_EQ(Decide(c, true), Action::kRestartSkipped);
  c.config_changed = false;
  c.changed_files = {"lib/zkops/plugins/libzk_storage_sqlite.so"};
  EXPECT_EQ(Decide(c, false), Action::kRestart);
}

TEST(DeployPlanTest, RestartOrderPutsTheLeaderLast) {
  status::EnsembleStatus st = status::Assess({Report(1, State::kLeader, 10),
                                              Report(2, State::kFollower, 10),
                                              Report(3, State::kFollower, 10)});
  uint64_t leader = 0;
  ASSERT_TRUE(LeaderId(st, &leader));
  EXPECT_EQ(leader, 1u);
  EXPECT_EQ(RestartOrder({1, 2, 3}, st), (std::vector<uint64_t>{2, 3, 1}));
  EXPECT_EQ(RestartOrder({3, 1}, st), (std::vector<uint64_t>{3, 1}));
  EXPECT_EQ(RestartOrder({2, 3}, st), (std::vector<uint64_t>{2, 3}));  // leader unchanged
  EXPECT_EQ(RestartOrder({1}, st), (std::vector<uint64_t>{1}));
}

}  // namespace
}  // namespace zkops::deploy
