// FaultyStorage: a Storage that wraps another and models a disk that fails, lies or tears,
// for tests (issue 5). Header-only, so any test (the raft simulation, ZkEnsemble) can put it
// between a server and its real storage plugin.
//
// What it models:
// * EIO / ENOSPC: the n-th next SetTermVote / Append / Truncate / snapshot commit (or every
//   mutating call, a dead disk) fails; its `done` gets an IoError naming the fault and the
//   operation, and the inner storage is not changed.
// * Lying fsync: `done(OK)` runs at once but the change is only "volatile" (in the page
//   cache), kept here until a later real sync: Sync(), or the next operation issued with
//   lying off (an fsync makes everything written before it durable). A process crash keeps
//   volatile data (the OS still has it: Load sees it); Crash() is a power loss: what was not
//   really synced is gone, and the reopened storage shows only what was made durable.
// * Torn writes: an Append that stops part-way (the n-th next Append, or the unsynced tail at
//   Crash()) leaves a prefix of its entries on disk, optionally followed by one partial
//   record. Load then drops the torn record with a warning, as storage.h's contract says, or
//   (kRefuse, a plugin that cannot tell a torn tail from corruption) returns kCorruption
//   naming the disk, the entry and the byte position.
//
// Determinism: no threads of its own. Operations reach the inner storage in call order;
// every `done` runs in call order, on the inner storage's thread or, for one that never
// reaches the inner storage (a fault, a lie), on the caller's thread inside the call when
// nothing is ahead of it. With the memory plugin inside SimStorage on the simulation,
// everything runs within the simulation's steps.
//
// Threads: the mutating calls come from one thread at a time (the core loop); the fault
// controls and Sync/Crash from the test thread while the server's loop is not being stepped
// (between simulation steps, or after Kill).
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "zk/status.h"
#include "zk/storage.h"

namespace zk::storage_faults {

enum class Op { kSetTermVote = 0, kAppend, kTruncate, kSnapshot };
enum class Fault { kEio, kEnospc };

inline const char* OpName(Op op) {
  switch (op) {
    case Op::kSetTermVote: return "SetTermVote";
    case Op::kAppend: return "Append";
    case Op::kTruncate: return "Truncate";
    default: return "snapshot commit";
  }
}
inline const char* FaultName(Fault f) {
  return f == Fault::kEio ? "EIO (Input/output error)" : "ENOSPC (No space left on device)";
}

class FaultyStorage final : public Storage {
 public:
  // What Load does with a torn record at the tail of the log.
  enum class TornTailPolicy { kDrop, kRefuse };

  // `inner` is owned. `name` names this disk in statuses and warnings ("server.2 disk").
  FaultyStorage(std::unique_ptr<Storage> inner, std::string name)
      : inner_(std::move(inner)), name_(std::move(name)) {}
  ~FaultyStorage() override { Close(); }

  // ---- Fault controls (test thread).

  // The `nth` next call of `op` (1 = the very next) fails with `fault`.
  void FailNth(Op op, int nth, Fault fault) {
    std::lock_guard<std::mutex> lock(mu_);
    armed_[op] = Armed{nth, fault};
  }
  // Every mutating call from now on fails with `fault` (a dead or full disk).
  void FailAll(Fault fault) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_all_ = fault;
  }
  // fsync lies from now on (true) or tells the truth again (false).
  void SetLyingFsync(bool lie) {
    std::lock_guard<std::recursive_mutex> call(call_mu_);
    lying_ = lie;
  }
  // The `nth` next Append writes only its first `keep` entries (and, if `torn_record`, part of
  // the next one), then fails: the power went in the middle of the write.
  void TearNthAppend(int nth, size_t keep, bool torn_record) {
    std::lock_guard<std::mutex> lock(mu_);
    tear_ = Tear{nth, keep, torn_record};
  }
  // A healthy disk again, same contents (armed faults and lying fsync cleared).
  void ClearFaults() {
    std::lock_guard<std::recursive_mutex> call(call_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    armed_.clear();
    fail_all_.reset();
    tear_.reset();
    lying_ = false;
  }
  void set_torn_tail_policy(TornTailPolicy p) {
    std::lock_guard<std::mutex> lock(mu_);
    torn_policy_ = p;
  }

  // The later real fsync: every volatile change reaches the inner storage.
  void Sync() {
    std::lock_guard<std::recursive_mutex> call(call_mu_);
    FlushVolatile(SIZE_MAX, false);
    WaitInnerIdle();
  }
  // Power loss. REQUIRES: the server using this storage is stopped (no call in progress).
  // The volatile changes are written in call order (as a disk may have written part of its
  // cache) until `keep_entries` log entries were: the Append that crosses that count keeps a
  // prefix (plus a partial record if `torn_record`), the rest is lost. 0: all of it is lost.
  void Crash(size_t keep_entries = 0, bool torn_record = false) {
    std::lock_guard<std::recursive_mutex> call(call_mu_);
    WaitInnerIdle();
    FlushVolatile(keep_entries, torn_record);
    WaitInnerIdle();
  }

  // ---- Observations (any thread).
  int faults_injected() const {
    std::lock_guard<std::mutex> lock(mu_);
    return faults_injected_;
  }
  // Log entries acknowledged but not durable now / lost by Crash so far.
  uint64_t volatile_entries() const {
    std::lock_guard<std::recursive_mutex> call(call_mu_);
    uint64_t n = 0;
    for (const Pending& p : volatile_) n += p.entries.size();
    return n;
  }
  uint64_t lost_entries() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lost_entries_;
  }
  // The index of the torn record on disk, if any.
  std::optional<uint64_t> torn_index() const {
    std::lock_guard<std::mutex> lock(mu_);
    if (!torn_) return std::nullopt;
    return torn_->index;
  }
  Storage* inner() { return inner_.get(); }
  const std::string& name() const { return name_; }

  // ---- Storage.
  Status Open(const std::string& data_dir, const std::string& data_log_dir) override {
    return inner_->Open(data_dir, data_log_dir);
  }

  // What a restarted process reads: the inner storage after every volatile change reached
  // it (a process crash leaves the page cache intact; Crash() is what loses it), then the
  // torn tail handled by the policy.
  Status Load(PersistentState* out) override {
    std::lock_guard<std::recursive_mutex> call(call_mu_);
    FlushVolatile(SIZE_MAX, false);
    WaitInnerIdle();
    Status s = inner_->Load(out);
    if (!s.ok()) return s;
    std::lock_guard<std::mutex> lock(mu_);
    if (!torn_) return s;
    uint64_t last = out->snapshot ? out->snapshot->meta.index : 0;
    if (!out->entries.empty()) last = out->entries.back().index;
    if (torn_->index != last + 1) {  // overwritten or compacted since: not on disk any more
      torn_.reset();
      return s;
    }
    const std::string what = "log entry " + std::to_string(torn_->index) + " at the tail is torn: " +
                             std::to_string(torn_->written) + " of " +
                             std::to_string(torn_->full_size) + " bytes written";
    if (torn_policy_ == TornTailPolicy::kRefuse) {
      *out = PersistentState();
      return Status::Corruption(name_ + " log: " + what + " (byte " +
                                std::to_string(torn_->written) +
                                " of the record); refusing to start");
    }
    out->warnings.push_back(name_ + ": dropped a torn tail at index " +
                            std::to_string(torn_->index) + " (" + what + ")");
    torn_.reset();  // the plugin truncates it away
    return s;
  }

  void Close() override {
    std::lock_guard<std::recursive_mutex> call(call_mu_);
    if (!inner_) return;
    FlushVolatile(SIZE_MAX, false);  // an orderly stop: the OS writes its cache back
    WaitInnerIdle();
    inner_->Close();
  }

  void SetTermVote(uint64_t term, uint64_t voted_for, Done done) override {
    Pending p;
    p.op = Op::kSetTermVote;
    p.term = term;
    p.voted_for = voted_for;
    p.what = "SetTermVote(" + std::to_string(term) + ", " + std::to_string(voted_for) + ")";
    Submit(std::move(p), std::move(done));
  }
  void Append(std::vector<LogEntry> entries, Done done) override {
    Pending p;
    p.op = Op::kAppend;
    p.what = entries.empty() ? std::string("Append of no entries")
                             : "Append of entries " + std::to_string(entries.front().index) +
                                   ".." + std::to_string(entries.back().index);
    p.entries = std::move(entries);
    Submit(std::move(p), std::move(done));
  }
  void Truncate(uint64_t from_index, Done done) override {
    Pending p;
    p.op = Op::kTruncate;
    p.from = from_index;
    p.what = "Truncate from entry " + std::to_string(from_index);
    Submit(std::move(p), std::move(done));
  }
  // Streamed snapshots use Storage's defaults (buffered, then SaveSnapshot), so a volatile
  // snapshot is held here whole and ReadSnapshot can serve it.
  void SaveSnapshot(Snapshot snapshot, int retain, uint64_t trailing, Done done) override {
    Pending p;
    p.op = Op::kSnapshot;
    p.what = "snapshot commit at index " + std::to_string(snapshot.meta.index);
    p.snapshot = std::make_shared<Snapshot>(std::move(snapshot));
    p.retain = retain;
    p.trailing = trailing;
    Submit(std::move(p), std::move(done));
  }

  // Claims durability, as a disk whose fsync lies does.
  bool durable() const override { return true; }
  StorageStats Stats() override { return inner_->Stats(); }
  bool snapshots_readable() const override { return inner_->snapshots_readable(); }
  Status ReadSnapshot(uint64_t index, Snapshot* out) override {
    {
      std::lock_guard<std::recursive_mutex> call(call_mu_);
      for (auto it = volatile_.rbegin(); it != volatile_.rend(); ++it) {
        if (it->op == Op::kSnapshot && it->snapshot->meta.index == index) {
          *out = *it->snapshot;
          return Status::OK();
        }
      }
    }
    return inner_->ReadSnapshot(index, out);
  }

 private:
  struct Armed {
    int countdown = 0;
    Fault fault = Fault::kEio;
  };
  struct Tear {
    int countdown = 0;
    size_t keep = 0;
    bool torn_record = false;
  };
  struct TornRecord {
    uint64_t index = 0;
    size_t written = 0;
    size_t full_size = 0;
  };
  // One mutating call.
  struct Pending {
    Op op = Op::kAppend;
    std::string what;
    uint64_t term = 0, voted_for = 0;
    std::vector<LogEntry> entries;
    uint64_t from = 0;
    std::shared_ptr<Snapshot> snapshot;
    int retain = 0;
    uint64_t trailing = 0;
  };
  // A `done` waiting for its turn.
  struct Slot {
    bool ready = false;
    Status status;
    Done done;
  };

  // Serialized by call_mu_ (held while calling the inner storage, so its order is ours).
  void Submit(Pending p, Done done) {
    std::lock_guard<std::recursive_mutex> call(call_mu_);
    std::shared_ptr<Slot> slot = Enqueue(std::move(done));
    std::optional<Fault> fault;
    std::optional<Tear> tear;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (fail_all_) {
        fault = fail_all_;
      } else if (auto it = armed_.find(p.op); it != armed_.end() && --it->second.countdown <= 0) {
        fault = it->second.fault;
        armed_.erase(it);
      } else if (p.op == Op::kAppend && tear_ && --tear_->countdown <= 0) {
        tear = tear_;
        tear_.reset();
      }
      if (fault || tear) ++faults_injected_;
    }
    if (fault) {
      // Not written at all: the inner storage stays as it was.
      Finish(slot, Status::IoError(name_ + ": injected " + FaultName(*fault) + " on " + p.what));
      return;
    }
    if (tear) {
      const size_t n = p.entries.size();
      const size_t keep = std::min(tear->keep, n);
      const std::string what = p.what;
      std::optional<LogEntry> partial;
      if (tear->torn_record && keep < n) partial = p.entries[keep];
      p.entries.resize(keep);
      if (keep > 0) Write(std::move(p), nullptr);
      if (partial) SetTorn(*partial);
      Finish(slot, Status::IoError(name_ + ": torn write: power lost after " +
                                   std::to_string(keep) + " of " + std::to_string(n) +
                                   " entries of the " + what +
                                   (partial ? " (plus part of the next)" : "")));
      return;
    }
    Write(std::move(p), slot);
  }

  // Writes `p` for real or, while fsync lies, to the volatile cache; `slot` (if any) gets
  // the outcome. call_mu_ held.
  void Write(Pending p, const std::shared_ptr<Slot>& slot) {
    ClearTornIfOverwritten(p);
    if (lying_) {
      volatile_.push_back(std::move(p));
      if (slot) Finish(slot, Status::OK());
      return;
    }
    FlushVolatile(SIZE_MAX, false);  // a real fsync covers everything written before it
    Forward(std::move(p), slot);
  }

  // Hands `p` to the inner storage. call_mu_ held.
  void Forward(Pending p, std::shared_ptr<Slot> slot) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++inner_in_flight_;
    }
    Done done = [this, slot, what = p.what](Status s) {
      if (slot) {
        Finish(slot, s);
      } else if (!s.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        flush_errors_.push_back(what + ": " + s.ToString());
      }
      std::lock_guard<std::mutex> lock(mu_);
      --inner_in_flight_;
      idle_cv_.notify_all();
    };
    switch (p.op) {
      case Op::kSetTermVote: inner_->SetTermVote(p.term, p.voted_for, std::move(done)); break;
      case Op::kAppend: inner_->Append(std::move(p.entries), std::move(done)); break;
      case Op::kTruncate: inner_->Truncate(p.from, std::move(done)); break;
      case Op::kSnapshot:
        inner_->SaveSnapshot(std::move(*p.snapshot), p.retain, p.trailing, std::move(done));
        break;
    }
  }

  // Writes the volatile changes to the inner storage: all of them, or (a power loss) those
  // up to `keep_entries` log entries; the rest is dropped. call_mu_ held.
  void FlushVolatile(size_t keep_entries, bool torn_record) {
    auto pending = std::move(volatile_);
    volatile_.clear();
    size_t budget = keep_entries;
    bool cut = false;
    for (Pending& p : pending) {
      cut = cut || budget == 0;
      if (cut) {
        std::lock_guard<std::mutex> lock(mu_);
        lost_entries_ += p.entries.size();
        continue;
      }
      if (p.op == Op::kAppend && p.entries.size() > budget) {
        const size_t n = p.entries.size();
        std::optional<LogEntry> partial;
        if (torn_record) partial = p.entries[budget];
        p.entries.resize(budget);
        {
          std::lock_guard<std::mutex> lock(mu_);
          lost_entries_ += n - budget;
        }
        if (!p.entries.empty()) Forward(std::move(p), nullptr);
        if (partial) SetTorn(*partial);
        cut = true;
        continue;
      }
      if (p.op == Op::kAppend) budget -= p.entries.size();
      Forward(std::move(p), nullptr);
    }
  }

  void SetTorn(const LogEntry& e) {
    std::lock_guard<std::mutex> lock(mu_);
    torn_ = TornRecord{e.index, e.data.size() / 2, e.data.size()};
  }
  void ClearTornIfOverwritten(const Pending& p) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!torn_) return;
    if ((p.op == Op::kAppend && !p.entries.empty() && p.entries.front().index <= torn_->index) ||
        (p.op == Op::kTruncate && p.from <= torn_->index) ||
        (p.op == Op::kSnapshot && p.snapshot->meta.index >= torn_->index)) {
      torn_.reset();
    }
  }

  std::shared_ptr<Slot> Enqueue(Done done) {
    auto slot = std::make_shared<Slot>();
    slot->done = std::move(done);
    std::lock_guard<std::mutex> lock(mu_);
    order_.push_back(slot);
    return slot;
  }
  // Marks `slot` finished and runs every finished `done` at the front, in call order. Only
  // one thread drains at a time; one that finds another draining leaves its slot to it.
  void Finish(const std::shared_ptr<Slot>& slot, Status s) {
    std::unique_lock<std::mutex> lock(mu_);
    slot->ready = true;
    slot->status = std::move(s);
    if (draining_) return;
    draining_ = true;
    while (!order_.empty() && order_.front()->ready) {
      std::shared_ptr<Slot> front = std::move(order_.front());
      order_.pop_front();
      lock.unlock();
      if (front->done) front->done(front->status);
      lock.lock();
    }
    draining_ = false;
  }

  // Real time, bounded: the inner storage's thread finishing what it was handed.
  void WaitInnerIdle() {
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait_for(lock, std::chrono::seconds(20), [this] { return inner_in_flight_ == 0; });
  }

  std::unique_ptr<Storage> inner_;
  const std::string name_;

  mutable std::recursive_mutex call_mu_;  // serializes calls into inner_ and volatile_
  bool lying_ = false;                    // call_mu_
  std::deque<Pending> volatile_;          // call_mu_: acknowledged, not yet on the disk

  mutable std::mutex mu_;  // everything below
  std::condition_variable idle_cv_;
  std::map<Op, Armed> armed_;
  std::optional<Fault> fail_all_;
  std::optional<Tear> tear_;
  TornTailPolicy torn_policy_ = TornTailPolicy::kDrop;
  std::optional<TornRecord> torn_;
  int faults_injected_ = 0;
  uint64_t lost_entries_ = 0;
  int inner_in_flight_ = 0;
  std::vector<std::string> flush_errors_;
  std::deque<std::shared_ptr<Slot>> order_;
  bool draining_ = false;
};

}  // namespace zk::storage_faults
