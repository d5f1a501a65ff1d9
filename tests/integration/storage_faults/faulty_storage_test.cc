// FaultyStorage itself (faulty_storage.h): injected EIO/ENOSPC leave the inner storage as it
// was, a lying fsync loses exactly the unsynced changes at a power loss, torn writes leave a
// prefix, and every `done` still runs in call order.
#include "faulty_storage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <mutex>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "../../conformance/storage/test_host.h"
#include "../raft/ensemble.h"

namespace zk::storage_faults {
namespace {

using raft_test::Plugins;
using zk::testing::TestHost;

std::vector<LogEntry> Entries(uint64_t first, uint64_t last, uint64_t term = 1) {
  std::vector<LogEntry> out;
  for (uint64_t i = first; i <= last; ++i) {
    LogEntry e;
    e.index = i;
    e.term = term;
    e.type = 1;
    e.data = "entry-" + std::to_string(i) + "-payload";
    out.push_back(std::move(e));
  }
  return out;
}

// Waits for `op`'s done (it may run inline or on the storage thread).
Status Sync(const std::function<void(Storage::Done)>& op) {
  auto p = std::make_shared<std::promise<Status>>();
  std::future<Status> f = p->get_future();
  op([p](Status s) { p->set_value(std::move(s)); });
  if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    return Status::Aborted("done never ran");
  }
  return f.get();
}

class FaultyStorageTest : public ::testing::Test {
 protected:
  void SetUp() override { disk_ = Make(); }

  std::unique_ptr<FaultyStorage> Make() {
    Status s;
    auto inner = Plugins::Get().storage("memory")->Create(PluginConfig(), &host_, &s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto d = std::make_unique<FaultyStorage>(std::move(inner), "test disk");
    EXPECT_TRUE(d->Open("", "").ok());
    return d;
  }
  Status Append(uint64_t first, uint64_t last) {
    return Sync([&](Storage::Done d) { disk_->Append(Entries(first, last), std::move(d)); });
  }
  PersistentState LoadOk() {
    PersistentState st;
    Status s = disk_->Load(&st);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return st;
  }
  static uint64_t LastIndex(const PersistentState& st) {
    return st.entries.empty() ? 0 : st.entries.back().index;
  }

  TestHost host_{false};
  std::unique_ptr<FaultyStorage> disk_;
};

TEST_F(FaultyStorageTest, EioOnTheNthAppendLeavesTheDiskUnchanged) {
  ASSERT_TRUE(Append(1, 3).ok());
  disk_->FailNth(Op::kAppend, 2, Fault::kEio);
  ASSERT_TRUE(Append(4, 5).ok());  // the 1st next one still works
  Status s = Append(6, 7);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("test disk: injected EIO"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("Append of entries 6..7"), std::string::npos) << s.message();
  EXPECT_EQ(disk_->faults_injected(), 1);
  EXPECT_EQ(LastIndex(LoadOk()), 5u);
  ASSERT_TRUE(Append(6, 7).ok());  // one-shot: the disk works again
  EXPECT_EQ(LastIndex(LoadOk()), 7u);
}

TEST_F(FaultyStorageTest, EnospcOnTermVoteTruncateAndSnapshot) {
  ASSERT_TRUE(Append(1, 5).ok());
  ASSERT_TRUE(Sync([&](Storage::Done d) { disk_->SetTermVote(3, 2, std::move(d)); }).ok());
  disk_->FailNth(Op::kSetTermVote, 1, Fault::kEnospc);
  disk_->FailNth(Op::kTruncate, 1, Fault::kEnospc);
  disk_->FailNth(Op::kSnapshot, 1, Fault::kEnospc);
  Status s = Sync([&](Storage::Done d) { disk_->SetTermVote(4, 1, std::move(d)); });
  EXPECT_NE(s.message().find("ENOSPC"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("SetTermVote(4, 1)"), std::string::npos) << s.ToString();
  s = Sync([&](Storage::Done d) { disk_->Truncate(3, std::move(d)); });
  EXPECT_NE(s.message().find("Truncate from entry 3"), std::string::npos) << s.ToString();
  Snapshot snap;
  snap.meta.index = 4;
  snap.meta.term = 1;
  snap.data = "state";
  s = Sync([&](Storage::Done d) { disk_->SaveSnapshot(snap, 2, 0, std::move(d)); });
  EXPECT_NE(s.message().find("snapshot commit at index 4"), std::string::npos) << s.ToString();
  PersistentState st = LoadOk();
  EXPECT_EQ(st.term, 3u);
  EXPECT_EQ(st.voted_for, 2u);
  EXPECT_EQ(LastIndex(st), 5u);
  EXPECT_FALSE(st.snapshot.has_value());
  EXPECT_EQ(disk_->faults_injected(), 3);
}

TEST_F(FaultyStorageTest, DeadDiskFailsEverything) {
  ASSERT_TRUE(Append(1, 2).ok());
  disk_->FailAll(Fault::kEio);
  EXPECT_FALSE(Append(3, 3).ok());
  EXPECT_FALSE(Sync([&](Storage::Done d) { disk_->SetTermVote(2, 0, std::move(d)); }).ok());
  disk_->ClearFaults();
  EXPECT_TRUE(Append(3, 3).ok());
}

// Faulted and lied-about calls complete at once inside the wrapper, real ones on the
// storage thread: the `done`s still run in call order.
TEST_F(FaultyStorageTest, DonesRunInCallOrder) {
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> all;
  auto record = [&](int i) {
    return [&, i](Status) {
      std::lock_guard<std::mutex> lock(mu);
      order.push_back(i);
      if (order.size() == 6) all.set_value();
    };
  };
  disk_->FailNth(Op::kTruncate, 1, Fault::kEio);
  disk_->Append(Entries(1, 100), record(0));
  disk_->Truncate(50, record(1));  // fails at once
  disk_->SetLyingFsync(true);
  disk_->Append(Entries(101, 102), record(2));  // lied about at once
  disk_->SetLyingFsync(false);
  disk_->Append(Entries(103, 103), record(3));
  disk_->SetTermVote(2, 1, record(4));
  disk_->SetLyingFsync(true);
  disk_->SetTermVote(3, 1, record(5));
  ASSERT_EQ(all.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST_F(FaultyStorageTest, LyingFsyncLosesTheUnsyncedTailAtPowerLoss) {
  ASSERT_TRUE(Append(1, 3).ok());
  disk_->SetLyingFsync(true);
  ASSERT_TRUE(Append(4, 6).ok());  // acknowledged ...
  ASSERT_TRUE(Sync([&](Storage::Done d) { disk_->SetTermVote(7, 3, std::move(d)); }).ok());
  EXPECT_EQ(disk_->volatile_entries(), 3u);
  disk_->Crash();  // ... and gone
  EXPECT_EQ(disk_->lost_entries(), 3u);
  PersistentState st = LoadOk();
  EXPECT_EQ(LastIndex(st), 3u);
  EXPECT_EQ(st.term, 0u) << "the term was never really synced";
}

// A process crash (no Crash()) keeps what the OS had: Load sees the volatile changes.
TEST_F(FaultyStorageTest, ProcessCrashKeepsThePageCache) {
  disk_->SetLyingFsync(true);
  ASSERT_TRUE(Append(1, 4).ok());
  EXPECT_EQ(LastIndex(LoadOk()), 4u);
  disk_->Crash();
  EXPECT_EQ(LastIndex(LoadOk()), 4u);
  EXPECT_EQ(disk_->lost_entries(), 0u);
}

TEST_F(FaultyStorageTest, ALaterRealSyncMakesEarlierWritesDurable) {
  disk_->SetLyingFsync(true);
  ASSERT_TRUE(Append(1, 4).ok());
  disk_->SetLyingFsync(false);
  ASSERT_TRUE(Append(5, 5).ok());  // a real fsync covers 1..4 too
  disk_->SetLyingFsync(true);
  ASSERT_TRUE(Append(6, 8).ok());
  disk_->Sync();
  ASSERT_TRUE(Append(9, 9).ok());
  disk_->Crash();
  EXPECT_EQ(LastIndex(LoadOk()), 8u);
  EXPECT_EQ(disk_->lost_entries(), 1u);
}

// A lied-about snapshot can be read back (the page cache) until the power goes.
TEST_F(FaultyStorageTest, VolatileSnapshotIsReadableUntilPowerLoss) {
  ASSERT_TRUE(Append(1, 4).ok());
  disk_->SetLyingFsync(true);
  Snapshot snap;
  snap.meta.index = 4;
  snap.meta.term = 1;
  snap.data = "tree";
  ASSERT_TRUE(Sync([&](Storage::Done d) { disk_->SaveSnapshot(snap, 2, 0, std::move(d)); }).ok());
  Snapshot back;
  ASSERT_TRUE(disk_->ReadSnapshot(4, &back).ok());
  EXPECT_EQ(back.data, "tree");
  disk_->Crash();
  EXPECT_EQ(disk_->ReadSnapshot(4, &back).code(), Status::Code::kNotFound);
  EXPECT_FALSE(LoadOk().snapshot.has_value());
}

TEST_F(FaultyStorageTest, PowerLossInsideABatchLeavesAPrefixAndATornRecord) {
  ASSERT_TRUE(Append(1, 3).ok());
  disk_->SetLyingFsync(true);
  ASSERT_TRUE(Append(4, 9).ok());
  disk_->Crash(/*keep_entries=*/2, /*torn_record=*/true);
  EXPECT_EQ(disk_->lost_entries(), 4u);
  ASSERT_EQ(disk_->torn_index(), 6u);
  PersistentState st = LoadOk();
  EXPECT_EQ(LastIndex(st), 5u);
  ASSERT_EQ(st.warnings.size(), 1u);
  EXPECT_NE(st.warnings[0].find("dropped a torn tail at index 6"), std::string::npos)
      << st.warnings[0];
  EXPECT_FALSE(disk_->torn_index().has_value()) << "dropped at Load";
}

TEST_F(FaultyStorageTest, TornAppendFailsAndRefusePolicyNamesThePosition) {
  ASSERT_TRUE(Append(1, 3).ok());
  disk_->TearNthAppend(1, /*keep=*/1, /*torn_record=*/true);
  Status s = Append(4, 6);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_NE(s.message().find("torn write: power lost after 1 of 3 entries of the Append of "
                             "entries 4..6"),
            std::string::npos)
      << s.message();
  disk_->set_torn_tail_policy(FaultyStorage::TornTailPolicy::kRefuse);
  PersistentState st;
  s = disk_->Load(&st);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_NE(s.message().find("test disk log: log entry 5 at the tail is torn"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("(byte 7 of the record)"), std::string::npos) << s.message();
  disk_->set_torn_tail_policy(FaultyStorage::TornTailPolicy::kDrop);
  st = LoadOk();
  EXPECT_EQ(LastIndex(st), 4u);
  EXPECT_EQ(st.warnings.size(), 1u);
}

// An overwrite of the torn index (the leader resending it) removes the torn record.
TEST_F(FaultyStorageTest, RewritingTheTornIndexClearsIt) {
  ASSERT_TRUE(Append(1, 3).ok());
  disk_->TearNthAppend(1, 0, true);
  EXPECT_FALSE(Append(4, 4).ok());
  EXPECT_EQ(disk_->torn_index(), 4u);
  ASSERT_TRUE(Append(4, 5).ok());
  EXPECT_FALSE(disk_->torn_index().has_value());
  PersistentState st = LoadOk();
  EXPECT_EQ(LastIndex(st), 5u);
  EXPECT_TRUE(st.warnings.empty());
}

// Over the durable plugin: what the lying disk never synced is not in the files a new
// process opens.
TEST(FaultyStorageSqliteTest, ReopenedSqliteShowsOnlyWhatWasSynced) {
  TestHost host(false);
  char tmpl[] = "/tmp/zk-faulty-sqlite-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  auto open = [&] {
    Status s;
    auto inner = Plugins::Get().storage("sqlite")->Create(PluginConfig(), &host, &s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    auto d = std::make_unique<FaultyStorage>(std::move(inner), "sqlite disk");
    EXPECT_TRUE(d->Open(dir, dir).ok());
    return d;
  };
  {
    auto d = open();
    ASSERT_TRUE(Sync([&](Storage::Done done) { d->Append(Entries(1, 10), std::move(done)); }).ok());
    d->SetLyingFsync(true);
    ASSERT_TRUE(
        Sync([&](Storage::Done done) { d->Append(Entries(11, 20), std::move(done)); }).ok());
    d->FailNth(Op::kAppend, 1, Fault::kEio);
    d->SetLyingFsync(false);
    EXPECT_FALSE(
        Sync([&](Storage::Done done) { d->Append(Entries(21, 21), std::move(done)); }).ok());
    d->Crash();  // the failed real append synced nothing
    EXPECT_EQ(d->lost_entries(), 10u);
  }
  auto d = open();
  PersistentState st;
  ASSERT_TRUE(d->Load(&st).ok());
  ASSERT_EQ(st.entries.size(), 10u);
  EXPECT_EQ(st.entries.back().index, 10u);
  d.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace zk::storage_faults
