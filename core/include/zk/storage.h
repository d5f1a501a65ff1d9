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
};

class StorageFactory : public PluginFactory {
 public:
  virtual std::unique_ptr<Storage> Create(const PluginConfig& config, Host* host,
                                          Status* status) = 0;
};

}  // namespace zk
