// The Storage contract (core/include/zk/storage.h), typed over every storage plugin.
// On-disk behaviour (reopen, corruption, crashes) is in storage_durability_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>

#include "append_load.h"
#include "storage_fixture.h"

namespace zk::testing {
namespace {

TYPED_TEST_SUITE(StorageTest, StoragePlugins);

TYPED_TEST(StorageTest, EmptyLoad) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->durable(), TypeParam::kDurable);
  PersistentState state = this->LoadOk(s.get());
  EXPECT_EQ(state.term, 0u);
  EXPECT_EQ(state.voted_for, 0u);
  EXPECT_FALSE(state.snapshot.has_value());
  EXPECT_TRUE(state.entries.empty());
  EXPECT_EQ(s->Stats().entries_appended, 0u);
  EXPECT_EQ(s->Stats().snapshots, 0u);
}

TYPED_TEST(StorageTest, TermAndVoteAreKept) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->TermVoteSync(s.get(), 3, 2).ok());
  PersistentState state = this->LoadOk(s.get());
  EXPECT_EQ(state.term, 3u);
  EXPECT_EQ(state.voted_for, 2u);
  // A new term with no vote yet overwrites both; ids use all 64 bits.
  ASSERT_TRUE(this->TermVoteSync(s.get(), 4, 0).ok());
  ASSERT_TRUE(this->TermVoteSync(s.get(), ~uint64_t{0} >> 1, ~uint64_t{0}).ok());
  state = this->LoadOk(s.get());
  EXPECT_EQ(state.term, ~uint64_t{0} >> 1);
  EXPECT_EQ(state.voted_for, ~uint64_t{0});
}

TYPED_TEST(StorageTest, AppendThenLoadReturnsTheEntries) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  std::vector<LogEntry> all = Entries(1, 10, 1);
  all[3].data.clear();                    // empty payloads are legal
  all[4].data = std::string(5000, '\0');  // bigger than a page, all NUL
  all[5].type = 255;
  ASSERT_TRUE(this->AppendSync(s.get(), {all.begin(), all.begin() + 1}).ok());
  ASSERT_TRUE(this->AppendSync(s.get(), {all.begin() + 1, all.begin() + 6}).ok());
  ASSERT_TRUE(this->AppendSync(s.get(), {all.begin() + 6, all.end()}).ok());
  ASSERT_TRUE(this->AppendSync(s.get(), {}).ok());  // nothing to do, still acknowledged
  PersistentState state = this->LoadOk(s.get());
  ASSERT_EQ(state.entries.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(state.entries[i].index, all[i].index);
    EXPECT_EQ(state.entries[i].term, all[i].term);
    EXPECT_EQ(state.entries[i].type, all[i].type);
    EXPECT_EQ(state.entries[i].data, all[i].data) << "entry " << all[i].index;
  }
  EXPECT_EQ(s->Stats().entries_appended, 10u);
}

TYPED_TEST(StorageTest, AppendMustBeContiguous) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  // The first entry of an empty log without a snapshot is 1.
  EXPECT_EQ(this->AppendSync(s.get(), Entries(2, 3, 1)).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 5, 1)).ok());
  EXPECT_EQ(this->AppendSync(s.get(), Entries(7, 7, 1)).code(),
            Status::Code::kInvalidArgument);  // gap
  EXPECT_EQ(this->AppendSync(s.get(), Entries(5, 6, 1)).code(),
            Status::Code::kInvalidArgument);  // overlap without Truncate
  std::vector<LogEntry> holey = Entries(6, 8, 1);
  holey.erase(holey.begin() + 1);
  EXPECT_EQ(this->AppendSync(s.get(), holey).code(), Status::Code::kInvalidArgument);
  // A rejected append changed nothing, so 6 still follows.
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(6, 6, 1)).ok());
  PersistentState state = this->LoadOk(s.get());
  ASSERT_EQ(state.entries.size(), 6u);
  EXPECT_EQ(state.entries.back().index, 6u);
  EXPECT_EQ(s->Stats().entries_appended, 6u);
}

TYPED_TEST(StorageTest, TruncateThenAppend) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 10, 1)).ok());
  ASSERT_TRUE(this->TruncateSync(s.get(), 20).ok());  // past the end: nothing to delete
  ASSERT_TRUE(this->TruncateSync(s.get(), 6).ok());
  // After truncating at 6 the next entry is 6, in the new leader's term.
  EXPECT_EQ(this->AppendSync(s.get(), Entries(11, 11, 2)).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(6, 8, 2)).ok());
  PersistentState state = this->LoadOk(s.get());
  ASSERT_EQ(state.entries.size(), 8u);
  for (const LogEntry& e : state.entries) {
    EXPECT_EQ(e.term, e.index <= 5 ? 1u : 2u) << "entry " << e.index;
  }
  ASSERT_TRUE(this->TruncateSync(s.get(), 1).ok());  // everything
  EXPECT_TRUE(this->LoadOk(s.get()).entries.empty());
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 1, 3)).ok());
  EXPECT_EQ(this->LoadOk(s.get()).entries.size(), 1u);
}

// Mixed ops issued without waiting: every `done` runs once, on one storage thread that is not
// the caller's, in call order except the slow (large) snapshot's, which may come later
// (storage.h: a snapshot never holds back the writes after it).
TYPED_TEST(StorageTest, DoneCallbacksRunInCallOrder) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  DoneLog log;
  int id = 0;
  s->SetTermVote(1, 1, log.Make(id++));
  s->Append(Entries(1, 50, 1), log.Make(id++));
  s->Append(Entries(51, 60, 1), log.Make(id++));
  s->Truncate(55, log.Make(id++));
  s->SetTermVote(2, 3, log.Make(id++));
  s->Append(Entries(55, 70, 2), log.Make(id++));
  const int snapshot_id = id;
  s->SaveSnapshot(this->MakeSnapshot(40, 1, 16 << 20), 3, 5, log.Make(id++));
  for (uint64_t i = 71; i <= 170; ++i) s->Append(Entries(i, i, 2), log.Make(id++));
  s->Append(Entries(500, 500, 2), log.Make(id++));  // rejected, still in order
  s->Truncate(150, log.Make(id++));
  s->SetTermVote(3, 0, log.Make(id++));
  ASSERT_TRUE(log.WaitFor(id));
  std::vector<DoneLog::Call> calls = log.calls();
  ASSERT_EQ(calls.size(), static_cast<size_t>(id));
  std::set<std::thread::id> threads;
  std::vector<int> order;  // every id but the snapshot's, as completed
  int snapshot_done = 0;
  for (const auto& call : calls) {
    threads.insert(call.thread);
    if (call.id == snapshot_id) {
      ++snapshot_done;
    } else {
      order.push_back(call.id);
    }
    if (call.id == id - 3) {
      EXPECT_EQ(call.status.code(), Status::Code::kInvalidArgument);
    } else {
      EXPECT_TRUE(call.status.ok()) << call.id << ": " << call.status.ToString();
    }
  }
  EXPECT_EQ(snapshot_done, 1);
  for (size_t i = 1; i < order.size(); ++i) {
    EXPECT_LT(order[i - 1], order[i]) << "done out of call order";
  }
  EXPECT_EQ(threads.size(), 1u) << "every done runs on the storage's one thread";
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u) << "done ran on the caller";

  PersistentState state = this->LoadOk(s.get());
  EXPECT_EQ(state.term, 3u);
  EXPECT_EQ(state.voted_for, 0u);
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 40u);
  EXPECT_EQ(state.snapshot->data.size(), size_t{16} << 20);
  ASSERT_FALSE(state.entries.empty());
  EXPECT_EQ(state.entries.front().index, 41u);
  EXPECT_EQ(state.entries.back().index, 149u);
  EXPECT_EQ(state.entries[60 - 41].term, 2u);  // entry 60 was rewritten in term 2
}

TYPED_TEST(StorageTest, SnapshotsAreRetainedAndLoaded) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 100, 1)).ok());
  for (uint64_t index : {20, 40, 60, 80}) {
    ASSERT_TRUE(this->SnapshotSync(s.get(), index, 1, /*retain=*/2, /*trailing=*/10).ok());
  }
  EXPECT_EQ(s->Stats().snapshots, 2u);
  // Appends continue after the snapshot, contiguously.
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(101, 110, 2)).ok());
  PersistentState state = this->LoadOk(s.get());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 80u);
  EXPECT_EQ(state.snapshot->meta.term, 1u);
  EXPECT_EQ(state.snapshot->meta.configuration, "conf@80");
  EXPECT_EQ(state.snapshot->data, DataFor(80, 1000));
  ASSERT_EQ(state.entries.size(), 30u);  // exactly the entries after the snapshot
  EXPECT_EQ(state.entries.front().index, 81u);
  EXPECT_EQ(state.entries.back().index, 110u);
  ASSERT_TRUE(this->SnapshotSync(s.get(), 110, 2, /*retain=*/1, /*trailing=*/0).ok());
  EXPECT_EQ(s->Stats().snapshots, 1u);
  state = this->LoadOk(s.get());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 110u);
  EXPECT_TRUE(state.entries.empty());
}

// A follower installing a leader's snapshot: drop the log, save the snapshot with no
// trailing entries, continue right after it.
TYPED_TEST(StorageTest, InstalledSnapshotReplacesTheLog) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 30, 1)).ok());
  ASSERT_TRUE(this->TruncateSync(s.get(), 1).ok());
  ASSERT_TRUE(this->SnapshotSync(s.get(), 500, 4, 3, 0).ok());
  EXPECT_EQ(this->AppendSync(s.get(), Entries(31, 31, 4)).code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(501, 505, 4)).ok());
  PersistentState state = this->LoadOk(s.get());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->meta.index, 500u);
  ASSERT_EQ(state.entries.size(), 5u);
  EXPECT_EQ(state.entries.front().index, 501u);
}

// Group commit: appends queued while the storage thread is busy share one commit, so 1000
// single-entry appends cost a few fsyncs, not 1000 (ZooKeeper's SyncRequestProcessor).
TYPED_TEST(StorageTest, QueuedAppendsShareCommits) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  StorageGate gate;
  ASSERT_TRUE(gate.Hold(s.get()));
  const uint64_t fsyncs_before = s->Stats().fsyncs;
  DoneLog log;
  constexpr int kAppends = 1000;
  for (int i = 1; i <= kAppends; ++i) s->Append(Entries(i, i, 1, 100), log.Make(i));
  gate.Release();
  ASSERT_TRUE(log.WaitFor(kAppends));
  std::vector<DoneLog::Call> calls = log.calls();
  for (int i = 0; i < kAppends; ++i) {
    ASSERT_EQ(calls[i].id, i + 1);
    ASSERT_TRUE(calls[i].status.ok()) << calls[i].status.ToString();
  }
  StorageStats stats = s->Stats();
  EXPECT_EQ(stats.entries_appended, static_cast<uint64_t>(kAppends));
  const uint64_t fsyncs = stats.fsyncs - fsyncs_before;
  std::printf("%s: %d queued appends -> %llu fsyncs\n", TypeParam::kName, kAppends,
              static_cast<unsigned long long>(fsyncs));
  if (TypeParam::kCountsFsyncs) {
    EXPECT_GT(fsyncs, 0u) << "a durable plugin fsyncs before acknowledging";
    EXPECT_LE(fsyncs, 3u) << "queued appends did not share a commit";
  } else {
    EXPECT_EQ(fsyncs, 0u);
  }
  EXPECT_EQ(this->LoadOk(s.get()).entries.size(), static_cast<size_t>(kAppends));
}

TYPED_TEST(StorageTest, OpsAfterCloseAreAborted) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(this->AppendSync(s.get(), Entries(1, 3, 1)).ok());
  s->Close();
  s->Close();  // idempotent
  DoneLog log;
  s->Append(Entries(4, 4, 1), log.Make(1));
  ASSERT_TRUE(log.WaitFor(1));
  EXPECT_EQ(log.calls()[0].status.code(), Status::Code::kAborted);
  PersistentState state;
  EXPECT_FALSE(s->Load(&state).ok());
}

// Close waits for pending work: everything issued before it is acknowledged.
TYPED_TEST(StorageTest, CloseDrainsPendingOps) {
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  DoneLog log;
  for (int i = 1; i <= 200; ++i) s->Append(Entries(i, i, 1), log.Make(i));
  s->SaveSnapshot(this->MakeSnapshot(100, 1, 1 << 20), 3, 50, log.Make(201));
  s->Close();
  std::vector<DoneLog::Call> calls = log.calls();
  ASSERT_EQ(calls.size(), 201u);
  for (const auto& c : calls) EXPECT_TRUE(c.status.ok()) << c.status.ToString();
}

// Throughput: one producer appending 1 KiB entries in small batches with a bounded window.
// ZK_STORAGE_BENCH_ENTRIES sets the count (the README's figures use 100000),
// ZK_STORAGE_BENCH_WINDOW the Appends in flight (default 64; 1 = wait for each).
TYPED_TEST(StorageTest, AppendThroughput) {
  AppendLoad load;
  if (const char* env = std::getenv("ZK_STORAGE_BENCH_ENTRIES")) {
    load.entries = std::strtoull(env, nullptr, 10);
  }
  if (const char* env = std::getenv("ZK_STORAGE_BENCH_WINDOW")) {
    load.window = std::max(1, std::atoi(env));
  }
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  AppendLoadResult r = RunAppendLoad(s.get(), load);
  ASSERT_TRUE(r.ok);
  std::printf(
      "%s: %llu x %zu B entries, batches of %llu, %d in flight: %.0f entries/s, "
      "%llu fsyncs (%.0f entries each); Append latency p50 %.2f ms, p99 %.2f ms, "
      "max %.2f ms\n",
      TypeParam::kName, static_cast<unsigned long long>(load.entries), load.entry_bytes,
      static_cast<unsigned long long>(load.batch), load.window, r.EntriesPerSecond(load.entries),
      static_cast<unsigned long long>(r.fsyncs),
      r.fsyncs ? static_cast<double>(load.entries) / static_cast<double>(r.fsyncs) : 0.0,
      r.Percentile(0.5), r.Percentile(0.99), r.latency_ms.back());
  this->RecordProperty("entries_per_second", static_cast<int>(r.EntriesPerSecond(load.entries)));
  this->RecordProperty("fsyncs", static_cast<int>(r.fsyncs));
  const StorageStats stats = s->Stats();
  std::printf("%s: dataLogDir holds %.1f MiB for %.1f MiB of payload\n", TypeParam::kName,
              static_cast<double>(stats.log_dir_bytes) / (1 << 20),
              static_cast<double>(load.entries * load.entry_bytes) / (1 << 20));
  EXPECT_EQ(stats.entries_appended, load.entries);
  EXPECT_EQ(this->LoadOk(s.get()).entries.size(), load.entries);
}

// The same load with a 32 MiB snapshot saved half-way. Appends issued meanwhile keep
// committing (the snapshot is written on its own thread) and are acknowledged without
// waiting for the snapshot's `done`. Prints how long that was.
TYPED_TEST(StorageTest, SnapshotDuringAppends) {
  AppendLoad load;
  load.snapshot_bytes = 32 << 20;
  auto s = this->OpenNew();
  ASSERT_NE(s, nullptr);
  AppendLoadResult r = RunAppendLoad(s.get(), load);
  ASSERT_TRUE(r.ok);
  std::printf(
      "%s: 32 MiB snapshot during %llu appends: snapshot %.1f ms, %llu entries "
      "committed meanwhile; Append latency p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
      TypeParam::kName, static_cast<unsigned long long>(load.entries), r.snapshot_ms,
      static_cast<unsigned long long>(r.committed_during_snapshot), r.Percentile(0.5),
      r.Percentile(0.99), r.latency_ms.back());
  PersistentState state = this->LoadOk(s.get());
  ASSERT_TRUE(state.snapshot.has_value());
  EXPECT_EQ(state.snapshot->data.size(), load.snapshot_bytes);
  EXPECT_EQ(state.entries.back().index, load.entries);
}

}  // namespace
}  // namespace zk::testing
