// Rolling restart against a fake ensemble: followers first, leader last after a hand-over,
// refusal when degraded, stop at the first failure, wait for zxid catch-up.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "deploy/rolling.h"
#include "deploy_fixture.h"
#include "status/assess.h"

namespace zkops::deploy {
namespace {

using status::State;

// Three servers; every probe is a write on the leader (zxid + 1). A restarted server serves
// as a follower but stays `catch_up_probes` probes behind before reaching the leader's zxid.
class FakeEnsemble : public ServerOps {
 public:
  FakeEnsemble() {
    for (uint64_t id : {1, 2, 3}) state_[id] = State::kFollower;
    state_[1] = State::kLeader;
  }

  status::EnsembleStatus Probe() {
    ++leader_zxid_;
    std::vector<status::ServerReport> reports;
    for (auto& [id, state] : state_) {
      uint64_t zxid = leader_zxid_;
      if (behind_[id] > 0) {
        --behind_[id];
        zxid = 1;  // still syncing
      }
      reports.push_back(testing::Report(id, state, zxid));
    }
    return status::Assess(reports);
  }

  int Stop(const inventory::RenderedServer& s, std::string* out) override {
    calls_.push_back("stop " + std::to_string(s.id));
    if (state_[s.id] == State::kLeader) {  // zknode hands leadership away when stopped
      for (auto& [id, st] : state_) {
        if (id != s.id) {
          st = State::kLeader;
          break;
        }
      }
    }
    state_[s.id] = State::kDown;
    *out = "STOPPED";
    return 0;
  }
  int Start(const inventory::RenderedServer& s, std::string* out) override {
    calls_.push_back("start " + std::to_string(s.id));
    if (fail_start_ == s.id) {
      *out = "FAILED TO START";
      return 3;
    }
    state_[s.id] = State::kFollower;
    behind_[s.id] = catch_up_probes_;
    return 0;
  }
  int Transfer(const inventory::RenderedServer& s, std::string* out) override {
    calls_.push_back("transfer " + std::to_string(s.id));
    EXPECT_EQ(state_[s.id], State::kLeader);
    for (auto& [id, st] : state_) {
      if (id != s.id && st == State::kFollower) {
        st = State::kLeader;
        state_[s.id] = State::kFollower;
        *out = "Leadership: server." + std::to_string(id);
        return 0;
      }
    }
    return 10;
  }

  std::map<uint64_t, State> state_;
  std::map<uint64_t, int> behind_;
  uint64_t leader_zxid_ = 100;
  int catch_up_probes_ = 3;
  uint64_t fail_start_ = 0;
  std::vector<std::string> calls_;
};

class RollingTest : public ::testing::Test {
 protected:
  void SetUp() override { cluster_.Load(); }
  RollingResult Roll(const std::vector<uint64_t>& ids,
                     std::chrono::milliseconds await = std::chrono::seconds(5)) {
    RollingOptions options;
    options.await = await;
    options.poll = std::chrono::milliseconds(0);
    options.progress = [this](const std::string& line) { progress_.push_back(line); };
    return RollingRestart(cluster_.cluster(), ids, fake_, [this] { return fake_.Probe(); },
                          options);
  }
  testing::DeployCluster cluster_;
  FakeEnsemble fake_;
  std::vector<std::string> progress_;
};

TEST_F(RollingTest, FollowersFirstLeaderLastAfterHandOver) {
  RollingResult r = Roll({1, 2, 3});
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_EQ(r.restarted, (std::vector<uint64_t>{2, 3, 1}));
  EXPECT_EQ(fake_.calls_, (std::vector<std::string>{"stop 2", "start 2", "stop 3", "start 3",
                                                    "transfer 1", "stop 1", "start 1"}));
  // Each restarted server reached the leader's zxid before the next was touched: the fake
  // keeps it behind for three probes, so "caught up" lines name a zxid above the first one.
  int caught_up = 0;
  for (const std::string& line : progress_) {
    if (line.find("caught up with leader") != std::string::npos) ++caught_up;
  }
  EXPECT_EQ(caught_up, 3);
  EXPECT_EQ(fake_.state_[1], State::kFollower);  // the old leader came back as a follower
}

TEST_F(RollingTest, RefusesWhenTheEnsembleIsDegraded) {
  fake_.state_[3] = State::kDown;
  RollingResult r = Roll({1, 2});
  EXPECT_TRUE(r.refused);
  EXPECT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("degraded"), std::string::npos) << r.status.message();
  EXPECT_TRUE(fake_.calls_.empty());
}

TEST_F(RollingTest, StopsAtTheFirstFailureWithTheOthersServing) {
  fake_.fail_start_ = 2;
  RollingResult r = Roll({1, 2, 3});
  EXPECT_FALSE(r.refused);
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("server.2: start failed"), std::string::npos);
  EXPECT_TRUE(r.restarted.empty());
  EXPECT_EQ(fake_.calls_, (std::vector<std::string>{"stop 2", "start 2"}));
  EXPECT_EQ(fake_.state_[1], State::kLeader);
  EXPECT_EQ(fake_.state_[3], State::kFollower);
}

TEST_F(RollingTest, WaitsForCatchUpAndGivesUpAtTheDeadline) {
  fake_.catch_up_probes_ = 1 << 30;  // never catches up
  RollingResult r = Roll({2, 3}, std::chrono::milliseconds(100));
  ASSERT_FALSE(r.status.ok());
  EXPECT_NE(r.status.message().find("server.2 did not serve and catch up"), std::string::npos)
      << r.status.message();
  EXPECT_EQ(fake_.calls_, (std::vector<std::string>{"stop 2", "start 2"}));  // not server.3
}

TEST_F(RollingTest, LeaderUnchangedIsNotRestarted) {
  RollingResult r = Roll({3});
  ASSERT_TRUE(r.status.ok());
  EXPECT_EQ(fake_.calls_, (std::vector<std::string>{"stop 3", "start 3"}));
}

}  // namespace
}  // namespace zkops::deploy
