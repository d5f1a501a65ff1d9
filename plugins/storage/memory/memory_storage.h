// The memory storage plugin: the Storage contract with nothing on disk. Same executor model
// as sqlite (one thread runs every op in call order and then its `done`), so it is the
// reference fixture for in-process ensembles (NuRaft's in-memory log store habit).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "zk/host.h"
#include "zk/storage.h"

namespace zk::storage_memory {

class MemoryStorage final : public Storage {
 public:
  // `host` is borrowed and must outlive this object.
  explicit MemoryStorage(Host* host);
  ~MemoryStorage() override;

  // Starts the executor; the directories are ignored. The state lives as long as this
  // object: Close then Open again sees it, a new object starts empty.
  Status Open(const std::string& data_dir, const std::string& data_log_dir) override;
  Status Load(PersistentState* out) override;
  // REQUIRES: not called from a `done`.
  void Close() override;

  void SetTermVote(uint64_t term, uint64_t voted_for, Done done) override;
  void Append(std::vector<LogEntry> entries, Done done) override;
  void Truncate(uint64_t from_index, Done done) override;
  void SaveSnapshot(Snapshot snapshot, int retain, uint64_t trailing, Done done) override;

  // BeginSnapshot/CommitSnapshot: the defaults (buffered, then SaveSnapshot), since the
  // snapshot lives in memory here anyway.
  bool snapshots_readable() const override { return true; }
  Status ReadSnapshot(uint64_t index, Snapshot* out) override;

  bool durable() const override { return false; }
  StorageStats Stats() override;

 private:
  using Task = std::function<void()>;
  void Post(Task task, const Done& done);
  void Run();

  Host* const host_;
  std::atomic<uint64_t> entries_appended_{0};
  std::atomic<uint64_t> snapshots_{0};

  std::mutex close_mu_;
  std::mutex mu_;  // queue and lifecycle
  std::condition_variable cv_;
  std::deque<Task> queue_;
  bool open_ = false;
  bool stopping_ = false;
  std::thread thread_;

  // The persisted state; executor thread only (and Load, while nothing is pending).
  std::mutex state_mu_;
  uint64_t term_ = 0;
  uint64_t voted_for_ = 0;
  std::map<uint64_t, LogEntry> log_;
  std::map<uint64_t, Snapshot> snapshots_by_index_;
  uint64_t last_index_ = 0;
};

}  // namespace zk::storage_memory
