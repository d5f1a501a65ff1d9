// Storage faults under a simulated 3-server ensemble (ZkEnsemble, real ZkServers on the fake
// clock), each server's disk a FaultyStorage over the memory plugin:
// * EIO/ENOSPC on the leader's or a follower's disk while a client writes: the server
//   fail-stops (ZooKeeper stops serving on a transaction-log IOException), no write is
//   acknowledged unless two disks really hold it, and after a restart on a healthy disk every
//   acknowledged write is on every server.
// * A lying fsync on one server and a power loss there: the ensemble keeps every
//   acknowledged write and the server catches up. On a majority (the broken-setup control):
//   acknowledged writes are lost, and the check below sees it.
// * A torn write: the restarted server drops the torn tail with a warning and catches up, or
//   (a plugin that refuses) does not start, saying which disk, entry and byte.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "../ensemble/zk_ensemble.h"
#include "faulty_storage.h"

namespace zk::storage_faults {
namespace {

using ensemble_test::EnsembleOptions;
using ensemble_test::SimClient;
using raft_test::SimHost;
using ensemble_test::ZkEnsemble;
using proto::ErrorCode;

constexpr int32_t kTimeout = 6000;
constexpr int kTick = 2000;

// Three seeds by default (the whole binary stays fast); ZK_ENSEMBLE_SEEDS widens it.
std::vector<uint64_t> FaultSeeds() {
  if (std::getenv("ZK_ENSEMBLE_SEEDS") != nullptr) return ensemble_test::Seeds();
  return {1, 2, 3};
}

// An ensemble whose disks are FaultyStorages; `disks` (outliving the ensemble) gets them.
EnsembleOptions Options(uint64_t seed, std::vector<FaultyStorage*>* disks) {
  EnsembleOptions o{.tick_ms = kTick, .seed = seed};
  disks->assign(3, nullptr);
  o.wrap_storage = [disks](int i, std::unique_ptr<Storage> inner) -> std::unique_ptr<Storage> {
    auto d = std::make_unique<FaultyStorage>(std::move(inner),
                                             "server." + std::to_string(i + 1) + " disk");
    (*disks)[i] = d.get();
    return d;
  };
  return o;
}

// A client that writes through whichever running server (other than `avoid`) will have it.
class Writer {
 public:
  Writer(ZkEnsemble* e, int avoid) : e_(e), avoid_(avoid) {}

  // One round: `n` creates in flight at once, then their answers (or the connection's end).
  void Round(int n) {
    if (!Connect()) return;
    std::vector<std::pair<int32_t, std::string>> sent;
    for (int k = 0; k < n; ++k) {
      const std::string path = "/w" + std::to_string(next_++);
      sent.push_back({c_->Create(path, "v", false), path});
    }
    SimClient* c = c_;
    e_->Await(
        [&] {
          if (!c->connection_open()) return true;
          for (auto& [xid, path] : sent) {
            if (c->reply(xid) == nullptr) return false;
          }
          return true;
        },
        kTimeout);
    for (auto& [xid, path] : sent) {
      const SimClient::Reply* r = c->reply(xid);
      (r != nullptr && r->err() == ErrorCode::kOk ? acked : not_acked).push_back(path);
    }
  }

  std::vector<std::string> acked;
  std::vector<std::string> not_acked;  // failed or unanswered: may or may not have happened

 private:
  bool Connect() {
    if (c_ != nullptr && c_->connected()) return true;
    for (int attempt = 0; attempt < 20; ++attempt) {
      for (int i : e_->Running()) {
        if (i == avoid_) continue;
        c_ = e_->NewClient("writer" + std::to_string(clients_++));
        if (e_->ConnectNew(c_, i, kTimeout, 2000)) {
          c_->StartPinging(kTimeout / 3);
          return true;
        }
      }
      e_->sim().RunFor(500);
    }
    ADD_FAILURE() << "no server took a new session\n" << e_->Dump();
    return false;
  }

  ZkEnsemble* const e_;
  const int avoid_;
  SimClient* c_ = nullptr;
  int clients_ = 0;
  int next_ = 0;
};

// How many disks really hold a log entry (or snapshot) that creates `path`.
int DurableCopies(const std::vector<FaultyStorage*>& disks, const std::string& path) {
  int copies = 0;
  for (FaultyStorage* d : disks) {
    PersistentState st;
    if (!d->Load(&st).ok()) continue;
    bool found = st.snapshot && st.snapshot->data.find(path) != std::string::npos;
    for (const LogEntry& e : st.entries) found = found || e.data.find(path) != std::string::npos;
    copies += found ? 1 : 0;
  }
  return copies;
}

// Waits until every running server has the same tree; false (and a failure) otherwise.
bool Converged(ZkEnsemble& e, int64_t max_ms = 8000) {
  return e.Await(
      [&] {
        const std::vector<int> up = e.Running();
        for (int i : up) {
          if (e.zk(i).tree().Digest() != e.zk(up[0]).tree().Digest()) return false;
          if (e.zk(i).last_zxid() != e.zk(up[0]).last_zxid()) return false;
        }
        return true;
      },
      max_ms);
}

// The acknowledged paths missing from server i's tree.
std::vector<std::string> Missing(ZkEnsemble& e, int i, const std::vector<std::string>& acked) {
  std::vector<std::string> out;
  for (const std::string& p : acked) {
    if (!e.zk(i).tree().Exists(p)) out.push_back(p);
  }
  return out;
}

bool LogHas(SimHost* h, const std::string& what) {
  for (const std::string& w : h->Warnings()) {
    if (w.find(what) != std::string::npos) return true;
  }
  return false;
}

void DiskFailsWhileWriting(uint64_t seed, bool on_leader, Fault fault) {
  std::vector<FaultyStorage*> disks;
  ZkEnsemble e(Options(seed, &disks));
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  const int bad = on_leader ? leader : (leader + 1 + static_cast<int>(seed % 2)) % 3;
  SimHost* bad_host = e.server(bad).host();

  Writer w(&e, bad);
  for (int round = 0; round < 3; ++round) w.Round(4);
  ASSERT_EQ(w.acked.size(), 12u) << e.Dump();
  // The fault hits the 1st..3rd append from now, with writes in flight.
  disks[bad]->FailNth(Op::kAppend, 1 + static_cast<int>(seed % 3), fault);
  const size_t acked_before = w.acked.size();
  for (int round = 0; round < 6; ++round) w.Round(4);
  ASSERT_EQ(disks[bad]->faults_injected(), 1) << e.Dump();

  // The faulty server fail-stopped and says what failed and why.
  EXPECT_TRUE(e.Await([&] { return e.zk(bad).role() == Role::kLooking; }, 1000)) << e.Dump();
  EXPECT_TRUE(LogHas(bad_host, "raft: storage append of entries")) << e.Dump();
  EXPECT_TRUE(LogHas(bad_host, fault == Fault::kEio ? "injected EIO" : "injected ENOSPC"))
      << e.Dump();
  EXPECT_TRUE(LogHas(bad_host, "(fail-stop)")) << e.Dump();
  // The other two went on.
  EXPECT_GE(w.acked.size(), acked_before + 12) << e.Dump();
  e.sim().RunFor(3000);
  EXPECT_EQ(e.zk(bad).role(), Role::kLooking) << "a failed disk must not rejoin";

  // Acknowledged only once two disks really held it.
  for (const std::string& p : w.acked) {
    EXPECT_GE(DurableCopies(disks, p), 2) << p << " acknowledged without a quorum on disk";
  }
  // A crash, a healthy disk (same contents), a restart: it catches up and every server has
  // every acknowledged write.
  e.Kill(bad);
  disks[bad]->ClearFaults();
  Status s = e.Start(bad);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << e.Dump();
  ASSERT_GE(e.AwaitStableLeader(), 0) << e.Dump();
  w.Round(2);
  ASSERT_TRUE(Converged(e)) << e.Dump();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Missing(e, i, w.acked).empty()) << "server." << i + 1;
  std::printf("seed %llu: %s server.%d %s: %zu acknowledged, %zu not\n",
              static_cast<unsigned long long>(seed), on_leader ? "leader" : "follower", bad + 1,
              FaultName(fault), w.acked.size(), w.not_acked.size());
}

TEST(EnsembleStorageFaultTest, EioOnTheLeadersDisk) {
  for (uint64_t seed : FaultSeeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    DiskFailsWhileWriting(seed, /*on_leader=*/true, Fault::kEio);
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(EnsembleStorageFaultTest, EnospcOnAFollowersDisk) {
  for (uint64_t seed : FaultSeeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    DiskFailsWhileWriting(seed, /*on_leader=*/false, Fault::kEnospc);
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(EnsembleStorageFaultTest, EnospcOnTheLeadersDiskAndEioOnAFollowers) {
  DiskFailsWhileWriting(4, /*on_leader=*/true, Fault::kEnospc);
  DiskFailsWhileWriting(5, /*on_leader=*/false, Fault::kEio);
}

// One server's fsync lies, then it loses power: what it acknowledged but never wrote is
// gone there, yet a majority had every acknowledged write, so the ensemble keeps them all.
void OneLyingDisk(uint64_t seed) {
  std::vector<FaultyStorage*> disks;
  ZkEnsemble e(Options(seed, &disks));
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  const int liar = seed % 2 == 1 ? leader : (leader + 1) % 3;
  Writer w(&e, liar);
  w.Round(2);
  disks[liar]->SetLyingFsync(true);
  for (int round = 0; round < 5; ++round) w.Round(4);
  ASSERT_EQ(w.acked.size(), 22u) << e.Dump();
  EXPECT_GT(disks[liar]->volatile_entries(), 0u) << "the disk never lied";

  e.Kill(liar);
  disks[liar]->Crash();
  EXPECT_GT(disks[liar]->lost_entries(), 0u) << "the power loss lost nothing";
  ASSERT_GE(e.AwaitStableLeader(), 0) << e.Dump();
  w.Round(4);
  disks[liar]->ClearFaults();
  Status s = e.Start(liar);
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << e.Dump();
  ASSERT_GE(e.AwaitStableLeader(), 0) << e.Dump();
  ASSERT_TRUE(Converged(e)) << e.Dump();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Missing(e, i, w.acked).empty()) << "server." << i + 1;
  EXPECT_TRUE(e.zk(liar).tree().Exists(w.acked.back())) << "the restarted server caught up";
  std::printf("seed %llu: %s server.%d lied, lost %llu entries at power loss; %zu acknowledged "
              "writes kept\n",
              static_cast<unsigned long long>(seed), liar == leader ? "leader" : "follower",
              liar + 1, static_cast<unsigned long long>(disks[liar]->lost_entries()),
              w.acked.size());
}

TEST(EnsembleStorageFaultTest, LyingFsyncOnOneServerLosesNothingAcknowledged) {
  for (uint64_t seed : FaultSeeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    OneLyingDisk(seed);
    if (::testing::Test::HasFailure()) break;
  }
}

// The broken-setup control: a lying majority (the honest server cut off meanwhile) and a
// power loss of all. Acknowledged writes are gone from every server, and comparing the
// acknowledged writes with the trees (what zkcheck does with a history) detects it.
TEST(EnsembleStorageFaultTest, LyingFsyncOnAMajorityLosesAcknowledgedWrites) {
  const uint64_t seed = 1;
  std::vector<FaultyStorage*> disks;
  ZkEnsemble e(Options(seed, &disks));
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  const int honest = (leader + 1) % 3;
  const int other = 3 - leader - honest;
  Writer w(&e, honest);
  w.Round(2);
  ASSERT_TRUE(Converged(e)) << e.Dump();
  EXPECT_GT(ensemble_test::Plugins::Get().Partition(e.name(honest), e.Group({leader, other})),
            0);
  disks[leader]->SetLyingFsync(true);
  disks[other]->SetLyingFsync(true);
  for (int round = 0; round < 3; ++round) w.Round(4);
  ASSERT_EQ(w.acked.size(), 14u) << e.Dump();

  for (int i = 0; i < 3; ++i) e.Kill(i);
  for (int i = 0; i < 3; ++i) disks[i]->Crash();
  EXPECT_GT(disks[leader]->lost_entries(), 0u);
  EXPECT_EQ(disks[honest]->lost_entries(), 0u);
  ensemble_test::Plugins::Get().Heal();
  for (int i = 0; i < 3; ++i) disks[i]->ClearFaults();
  e.StartAll();
  const int now_leading = e.AwaitStableLeader();
  ASSERT_GE(now_leading, 0) << e.Dump();
  ASSERT_TRUE(Converged(e)) << e.Dump();
  const std::vector<std::string> missing = Missing(e, now_leading, w.acked);
  EXPECT_FALSE(missing.empty()) << "a lying majority lost nothing: the wrapper did not lie";
  EXPECT_TRUE(Missing(e, now_leading, {w.acked[0], w.acked[1]}).empty())
      << "writes made before the lying started were lost too";
  for (const std::string& p : missing) EXPECT_LE(DurableCopies(disks, p), 1) << p;
  std::printf("lying majority: %zu of %zu acknowledged writes lost\n", missing.size(),
              w.acked.size());
}

// A torn write on one server's disk (power lost part-way through an append): that server
// fail-stops; restarted, it drops the torn record with a warning and catches up, or, with a
// plugin that refuses torn records, does not start and says which disk, entry and byte.
void TornWrite(uint64_t seed, bool refuse) {
  std::vector<FaultyStorage*> disks;
  ZkEnsemble e(Options(seed, &disks));
  e.StartAll();
  const int leader = e.AwaitStableLeader();
  ASSERT_GE(leader, 0) << e.Dump();
  const int target = seed % 2 == 1 ? (leader + 1) % 3 : leader;
  Writer w(&e, target);
  for (int round = 0; round < 2; ++round) w.Round(4);
  disks[target]->TearNthAppend(1, /*keep=*/0, /*torn_record=*/true);
  for (int round = 0; round < 4; ++round) w.Round(4);
  const std::optional<uint64_t> torn = disks[target]->torn_index();
  ASSERT_TRUE(torn.has_value()) << e.Dump();
  EXPECT_TRUE(e.Await([&] { return e.zk(target).role() == Role::kLooking; }, 1000)) << e.Dump();
  EXPECT_TRUE(LogHas(e.server(target).host(), "torn write: power lost after 0 of"))
      << e.Dump();

  e.Kill(target);
  disks[target]->Crash();
  disks[target]->ClearFaults();
  if (refuse) disks[target]->set_torn_tail_policy(FaultyStorage::TornTailPolicy::kRefuse);
  Status s = e.Start(target);
  if (refuse) {
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
    const std::string where = "server." + std::to_string(target + 1) + " disk log: log entry " +
                              std::to_string(*torn) + " at the tail is torn";
    EXPECT_NE(s.message().find(where), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("refusing to start"), std::string::npos) << s.message();
    EXPECT_FALSE(e.up(target));
    return;
  }
  ASSERT_TRUE(s.ok()) << s.ToString() << "\n" << e.Dump();
  EXPECT_TRUE(LogHas(e.server(target).host(),
                     "dropped a torn tail at index " + std::to_string(*torn)))
      << e.Dump();
  ASSERT_GE(e.AwaitStableLeader(), 0) << e.Dump();
  w.Round(2);
  ASSERT_TRUE(Converged(e)) << e.Dump();
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(Missing(e, i, w.acked).empty()) << "server." << i + 1;
  std::printf("seed %llu: torn write at index %llu on the %s; recovered\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(*torn),
              target == leader ? "leader" : "follower");
}

TEST(EnsembleStorageFaultTest, TornWriteIsDroppedAndTheServerCatchesUp) {
  for (uint64_t seed : FaultSeeds()) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    TornWrite(seed, /*refuse=*/false);
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(EnsembleStorageFaultTest, TornWriteRefusedNamesDiskEntryAndByte) {
  TornWrite(1, /*refuse=*/true);
  TornWrite(2, /*refuse=*/true);
}

}  // namespace
}  // namespace zk::storage_faults
