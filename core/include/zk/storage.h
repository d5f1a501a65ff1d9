// Storage plugin interface: persists what consensus needs. Term and vote, the log (append,
// truncate, read back), snapshots. Every mutating call is asynchronous and executed in call
// order on the storage's own thread; its `done` runs on that thread once the change is
// durable (fsynced, for a durable plugin), so callers post back to the core loop themselves.
// The `done`s of SetTermVote, Append and Truncate run in call order. A SaveSnapshot's `done`
// may run after the `done`s of later calls: writing a large snapshot must not hold back the
// acknowledgement of the writes that follow it (ZooKeeper's snapshot-stall lesson).
//
// Group commit: entries appended while an fsync is in flight share the next fsync; a durable
// plugin never does one fsync per entry under load (ZooKeeper's SyncRequestProcessor habit).
//
// Snapshots may be streamed (BeginSnapshot, SnapshotWriter::Write, CommitSnapshot) and read
// back (ReadSnapshot), so that no whole copy of a large snapshot has to sit in memory.
//
// ABI 2.0: BeginSnapshot, CommitSnapshot, snapshots_readable and ReadSnapshot were added as
// virtuals after the original ones, with defaults built on SaveSnapshot (a plugin that does
// not override them buffers the snapshot in memory and cannot read it back), and
// StateMachine::StreamSnapshotAsync likewise (election.h). The vtables grew, so the loader
// refuses plugins built for ABI 1.x (plugin.h).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "zk/host.h"
#include "zk/plugin.h"
#include "zk/status.h"

namespace zk {

struct LogEntry {
  uint64_t index = 0;  // 1-based, contiguous
  uint64_t term = 0;
  uint8_t type = 0;    // opaque to storage (the election plugin's entry type)
  std::string data;    // opaque to storage
};

struct SnapshotMeta {
  uint64_t index = 0;  // last log index included in the snapshot
  uint64_t term = 0;   // term of that entry
  std::string configuration;  // opaque (the election plugin's membership encoding)
};

struct Snapshot {
  SnapshotMeta meta;
  std::string data;
};

// What Load() recovers: the newest valid snapshot (if any) and every log entry after it.
struct PersistentState {
  uint64_t term = 0;
  uint64_t voted_for = 0;
  std::optional<Snapshot> snapshot;
  std::vector<LogEntry> entries;  // contiguous, first index = snapshot index + 1 (or any
                                  // index >= 1 if the log was compacted without a snapshot)
  std::vector<std::string> warnings;  // e.g. "dropped a torn tail at index 812"
};

// One snapshot being written in pieces. Destroying a writer that was not committed
// discards what it wrote. Used by one thread at a time (any thread).
class SnapshotWriter {
 public:
  virtual ~SnapshotWriter() = default;
  // Appends the next `size` bytes of the snapshot's data. An error is sticky: the snapshot
  // cannot be committed.
  virtual Status Write(const char* data, size_t size) = 0;
  // Bytes written so far.
  virtual uint64_t size() const = 0;
};

struct StorageStats {
  uint64_t data_dir_bytes = 0;
  uint64_t log_dir_bytes = 0;
  uint64_t fsyncs = 0;          // since Open
  uint64_t entries_appended = 0;
  uint64_t snapshots = 0;       // on disk now
};

class Storage {
 public:
  using Done = std::function<void(Status)>;
  virtual ~Storage() = default;

  // Opens (creating if needed) its files under the two directories. Synchronous.
  virtual Status Open(const std::string& data_dir, const std::string& data_log_dir) = 0;
  // Reads everything back. A torn tail (a partial last write) is dropped with a warning;
  // corruption anywhere else is kCorruption with a message naming the file and position.
  // Synchronous; REQUIRES: Open succeeded, nothing pending.
  virtual Status Load(PersistentState* out) = 0;
  // Waits for pending work, then closes files and joins the storage thread. Idempotent.
  virtual void Close() = 0;

  virtual void SetTermVote(uint64_t term, uint64_t voted_for, Done done) = 0;
  // REQUIRES: entries contiguous and following the last entry appended (after truncation).
  virtual void Append(std::vector<LogEntry> entries, Done done) = 0;
  // Deletes every entry with index >= `from_index`.
  virtual void Truncate(uint64_t from_index, Done done) = 0;
  // Stores a snapshot, then keeps the newest `retain` snapshots and deletes log entries
  // with index <= snapshot index - `trailing` (entries kept for followers to catch up).
  virtual void SaveSnapshot(Snapshot snapshot, int retain, uint64_t trailing, Done done) = 0;

  // True when Append's `done` means the bytes survive a crash (sqlite), false for memory.
  virtual bool durable() const = 0;
  // Any thread.
  virtual StorageStats Stats() = 0;

  // Streaming snapshots. BeginSnapshot: any thread; nullptr (and `*status` set) when no
  // snapshot can be started. CommitSnapshot stores what `writer` received with `meta`, with
  // exactly SaveSnapshot's contract (ordering, retain, trailing, `done`); a writer whose
  // Write failed commits to that error. REQUIRES: `writer` came from this object's
  // BeginSnapshot. The defaults buffer the data in memory and call SaveSnapshot; a plugin
  // overrides both or neither.
  virtual std::unique_ptr<SnapshotWriter> BeginSnapshot(Status* status);
  virtual void CommitSnapshot(std::unique_ptr<SnapshotWriter> writer, SnapshotMeta meta,
                              int retain, uint64_t trailing, Done done);
  // True when ReadSnapshot works: the caller then need not keep its own copy of the newest
  // snapshot (e.g. to send it to a lagging follower).
  virtual bool snapshots_readable() const { return false; }
  // Reads the stored snapshot with last index `index` (kNotFound once purged or never
  // stored). Synchronous; any thread, concurrently with the other calls. The default is
  // kNotSupported.
  virtual Status ReadSnapshot(uint64_t index, Snapshot* out) {
    return Status::NotSupported("this storage cannot read snapshots back");
  }
};

namespace storage_internal {
// The default SnapshotWriter: the data in one string, for SaveSnapshot.
class BufferedSnapshotWriter final : public SnapshotWriter {
 public:
  Status Write(const char* data, size_t size) override {
    data_.append(data, size);
    return Status::OK();
  }
  uint64_t size() const override { return data_.size(); }
  std::string& data() { return data_; }

 private:
  std::string data_;
};
}  // namespace storage_internal

inline std::unique_ptr<SnapshotWriter> Storage::BeginSnapshot(Status* status) {
  *status = Status::OK();
  return std::make_unique<storage_internal::BufferedSnapshotWriter>();
}

inline void Storage::CommitSnapshot(std::unique_ptr<SnapshotWriter> writer, SnapshotMeta meta,
                                    int retain, uint64_t trailing, Done done) {
  // The default BeginSnapshot made it (a plugin overrides both or neither).
  auto* buffered = static_cast<storage_internal::BufferedSnapshotWriter*>(writer.get());
  Snapshot snapshot;
  snapshot.meta = std::move(meta);
  snapshot.data = std::move(buffered->data());
  writer.reset();
  SaveSnapshot(std::move(snapshot), retain, trailing, std::move(done));
}

class StorageFactory : public PluginFactory {
 public:
  virtual std::unique_ptr<Storage> Create(const PluginConfig& config, Host* host,
                                          Status* status) = 0;
};

}  // namespace zk
