#include "memory_storage.h"

#include <algorithm>
#include <utility>

namespace zk::storage_memory {

MemoryStorage::MemoryStorage(Host* host) : host_(host) {}

MemoryStorage::~MemoryStorage() { Close(); }

Status MemoryStorage::Open(const std::string&, const std::string&) {
  std::lock_guard<std::mutex> lock(mu_);
  if (open_) return Status::InvalidArgument("storage.memory: already open");
  open_ = true;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

void MemoryStorage::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  open_ = false;
  stopping_ = false;
}

void MemoryStorage::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and every queued op has run
    Task task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

// Each op becomes one task that applies it and then runs `done`, so `done`s run on the
// executor thread in call order, exactly as sqlite's do.
void MemoryStorage::Post(Task task, const Done& done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_ && !stopping_) {
      queue_.push_back(std::move(task));
      cv_.notify_one();
      return;
    }
  }
  if (done) done(Status::Aborted("storage.memory: not open"));
}

void MemoryStorage::SetTermVote(uint64_t term, uint64_t voted_for, Done done) {
  Post(
      [this, term, voted_for, done] {
        {
          std::lock_guard<std::mutex> lock(state_mu_);
          term_ = term;
          voted_for_ = voted_for;
        }
        if (done) done(Status::OK());
      },
      done);
}

void MemoryStorage::Append(std::vector<LogEntry> entries, Done done) {
  auto shared = std::make_shared<std::vector<LogEntry>>(std::move(entries));
  Post(
      [this, shared, done] {
        Status status;
        {
          std::lock_guard<std::mutex> lock(state_mu_);
          for (size_t i = 0; i < shared->size() && status.ok(); ++i) {
            if ((*shared)[i].index != last_index_ + 1 + i) {
              status = Status::InvalidArgument(
                  "storage.memory: append of entry " + std::to_string((*shared)[i].index) +
                  " where " + std::to_string(last_index_ + 1 + i) +
                  " was expected (entries must be contiguous and follow the last one)");
            }
          }
          if (status.ok() && !shared->empty()) {
            last_index_ = shared->back().index;
            entries_appended_.fetch_add(shared->size(), std::memory_order_relaxed);
            for (LogEntry& e : *shared) {
              uint64_t index = e.index;
              log_[index] = std::move(e);
            }
          }
        }
        if (done) done(status);
      },
      done);
}

void MemoryStorage::Truncate(uint64_t from_index, Done done) {
  const uint64_t from = std::max<uint64_t>(from_index, 1);
  Post(
      [this, from, done] {
        {
          std::lock_guard<std::mutex> lock(state_mu_);
          log_.erase(log_.lower_bound(from), log_.end());
          last_index_ = std::min(last_index_, from - 1);
        }
        if (done) done(Status::OK());
      },
      done);
}

void MemoryStorage::SaveSnapshot(Snapshot snapshot, int retain, uint64_t trailing, Done done) {
  auto shared = std::make_shared<Snapshot>(std::move(snapshot));
  Post(
      [this, shared, retain, trailing, done] {
        const uint64_t index = shared->meta.index;
        if (index == 0) {
          if (done) done(Status::InvalidArgument("storage.memory: snapshot index 0"));
          return;
        }
        {
          std::lock_guard<std::mutex> lock(state_mu_);
          snapshots_by_index_[index] = std::move(*shared);
          // Keep the newest `retain` (at least one), like autopurge.snapRetainCount.
          while (snapshots_by_index_.size() > static_cast<size_t>(std::max(retain, 1))) {
            snapshots_by_index_.erase(snapshots_by_index_.begin());
          }
          snapshots_ = snapshots_by_index_.size();
          if (index > trailing) log_.erase(log_.begin(), log_.upper_bound(index - trailing));
          last_index_ = std::max(last_index_, index);
        }
        if (done) done(Status::OK());
      },
      done);
}

Status MemoryStorage::Load(PersistentState* out) {
  *out = PersistentState();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_) return Status::Unavailable("storage.memory: Load before Open");
  }
  std::lock_guard<std::mutex> lock(state_mu_);
  out->term = term_;
  out->voted_for = voted_for_;
  uint64_t base = 0;
  if (!snapshots_by_index_.empty()) {
    out->snapshot = snapshots_by_index_.rbegin()->second;
    base = out->snapshot->meta.index;
  }
  for (auto it = log_.upper_bound(base); it != log_.end(); ++it) {
    out->entries.push_back(it->second);
  }
  return Status::OK();
}

Status MemoryStorage::ReadSnapshot(uint64_t index, Snapshot* out) {
  std::lock_guard<std::mutex> lock(state_mu_);
  auto it = snapshots_by_index_.find(index);
  if (it == snapshots_by_index_.end()) {
    return Status::NotFound("storage.memory: no snapshot at index " + std::to_string(index));
  }
  *out = it->second;
  return Status::OK();
}

StorageStats MemoryStorage::Stats() {
  StorageStats stats;
  stats.entries_appended = entries_appended_.load(std::memory_order_relaxed);
  stats.snapshots = snapshots_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace zk::storage_memory
