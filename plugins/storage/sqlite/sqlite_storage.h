// The sqlite storage plugin: log and term/vote in <dataLogDir>/zk.db (log_db.h), snapshots
// as files in <dataDir> (snapshot_file.h).
//
// Threads:
//  * the storage thread owns zk.db. It drains every queued SetTermVote/Append/Truncate (up
//    to maxBatch entries) into ONE transaction, commits (the fsync), then runs each `done` in
//    call order: group commit, ZooKeeper's SyncRequestProcessor habit.
//  * the snapshot thread writes snapshot files (tens of MB), so appends issued meanwhile are
//    committed concurrently instead of queueing behind the snapshot's write and fsync.
//    Their `done` still waits for the snapshot's own `done`: every `done` runs on the storage
//    thread in call order.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "counting_vfs.h"
#include "log_db.h"
#include "snapshot_file.h"
#include "zk/host.h"
#include "zk/storage.h"

namespace zk::storage_sqlite {

struct Options {
  bool full_sync = true;  // storage.sqlite.synchronous=full
  int max_batch = 1000;   // storage.sqlite.maxBatch
};

class SqliteStorage final : public Storage {
 public:
  // `host` is borrowed and must outlive this object.
  SqliteStorage(Options options, Host* host);
  ~SqliteStorage() override;

  Status Open(const std::string& data_dir, const std::string& data_log_dir) override;
  Status Load(PersistentState* out) override;
  // REQUIRES: not called from a `done` (it joins the thread that runs them).
  void Close() override;

  void SetTermVote(uint64_t term, uint64_t voted_for, Done done) override;
  void Append(std::vector<LogEntry> entries, Done done) override;
  void Truncate(uint64_t from_index, Done done) override;
  void SaveSnapshot(Snapshot snapshot, int retain, uint64_t trailing, Done done) override;
  // The data goes straight to a temp file in dataDir as it is written (snapshot_file.h).
  std::unique_ptr<SnapshotWriter> BeginSnapshot(Status* status) override;
  void CommitSnapshot(std::unique_ptr<SnapshotWriter> writer, SnapshotMeta meta, int retain,
                      uint64_t trailing, Done done) override;
  bool snapshots_readable() const override { return true; }
  Status ReadSnapshot(uint64_t index, Snapshot* out) override;

  // synchronous=FULL only: with NORMAL a commit reaches the OS but not the disk, so it
  // survives a crash of zknode but not of the machine.
  bool durable() const override { return options_.full_sync; }
  StorageStats Stats() override;

 private:
  enum class Kind { kTermVote, kAppend, kTruncate, kSnapshot };
  struct Op {
    Kind kind = Kind::kTermVote;
    uint64_t a = 0;  // term | truncate from_index | snapshot trailing
    uint64_t b = 0;  // voted_for
    int retain = 0;
    std::vector<LogEntry> entries;
    Snapshot snapshot;  // kSnapshot: meta, and the data unless `writer` holds it
    std::unique_ptr<SnapshotFileWriter> writer;
    Done done;
  };
  // A `done` waiting for an earlier snapshot to become durable.
  struct Held {
    Done done;
    Status status;
    uint64_t snapshot_seq = 0;  // != 0: this is that snapshot's own done, not ready yet
  };
  struct SnapshotJob {
    uint64_t seq;
    Snapshot snapshot;
    std::unique_ptr<SnapshotFileWriter> writer;  // streamed: the data is in its file
    int retain;
  };
  struct SnapshotResult {
    uint64_t seq;
    Status status;
    std::vector<std::string> warnings;
  };

  void Enqueue(Op op);
  void RunStorageThread();
  void RunSnapshotThread();
  // Storage thread, `mu_` held.
  bool FrontBlocked() const;
  std::vector<Op> TakeBatch();
  // Storage thread, `mu_` not held.
  void ProcessBatch(std::vector<Op> batch);
  void StartSnapshot(Op op);
  void FinishSnapshot(SnapshotResult result);
  Status ApplyLocked(Op& op);  // `db_mu_` held, inside a transaction
  void Complete(Done done, Status status);
  void MaybeCheckpoint();
  void Warn(const std::string& message);

  const Options options_;
  Host* const host_;
  std::string data_dir_;
  std::string data_log_dir_;

  std::atomic<uint64_t> fsyncs_{0};
  std::atomic<uint64_t> entries_appended_{0};
  std::atomic<uint64_t> snapshots_on_disk_{0};
  CountingVfs vfs_{&fsyncs_};

  // zk.db: used by the storage thread, and by Load while nothing is pending.
  std::mutex db_mu_;
  LogDb db_;
  std::vector<std::string> open_warnings_;  // reported again by Load

  std::mutex close_mu_;  // serialises Close

  // Guarded by mu_: the op queue, snapshot results, lifecycle, directories.
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Op> queue_;
  std::deque<SnapshotResult> snapshot_results_;
  bool open_ = false;
  bool stopping_ = false;

  // Snapshot thread's queue.
  std::mutex snap_mu_;
  std::condition_variable snap_cv_;
  std::deque<SnapshotJob> snap_jobs_;
  bool snap_stopping_ = false;

  // Written by the storage thread only, under mu_ (FrontBlocked reads them there).
  int snapshots_in_flight_ = 0;
  uint64_t pending_compaction_ = 0;  // max (index - trailing) over in-flight snapshots
  std::deque<std::pair<uint64_t, uint64_t>> in_flight_bounds_;  // (seq, compaction bound)

  // Storage thread only (and Load, while nothing is pending).
  uint64_t last_index_ = 0;  // the index the next Append must follow
  Status failed_;            // sticky: after a failed commit every op fails (fail-stop)
  std::deque<Held> held_;
  uint64_t next_snapshot_seq_ = 1;

  std::thread storage_thread_;
  std::thread snapshot_thread_;
};

}  // namespace zk::storage_sqlite
