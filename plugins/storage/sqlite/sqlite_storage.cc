#include "sqlite_storage.h"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

#include "snapshot_file.h"

namespace zk::storage_sqlite {
namespace {

namespace fs = std::filesystem;

// WAL frames (pages) after which the storage thread checkpoints, once the batch that grew
// the WAL has been acknowledged. 1000 is SQLite's own wal_autocheckpoint default.
constexpr int kCheckpointFrames = 1000;

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) {
      uint64_t size = it->file_size(size_ec);
      if (!size_ec) total += size;
    }
  }
  return total;
}

}  // namespace

SqliteStorage::SqliteStorage(Options options, Host* host) : options_(options), host_(host) {}

SqliteStorage::~SqliteStorage() { Close(); }

void SqliteStorage::Warn(const std::string& message) {
  host_->Log(LogLevel::kWarn, "storage.sqlite: " + message);
}

Status SqliteStorage::Open(const std::string& data_dir, const std::string& data_log_dir) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_) return Status::InvalidArgument("storage.sqlite: already open");
  }
  for (const std::string& dir : {data_dir, data_log_dir}) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Status::IoError("cannot create directory " + dir + ": " + ec.message());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    data_dir_ = data_dir;
    data_log_dir_ = data_log_dir;
  }
  open_warnings_.clear();

  const std::string db_path = (fs::path(data_log_dir_) / "zk.db").string();
  std::error_code ec;
  if (fs::exists(db_path + "-wal", ec) && fs::file_size(db_path + "-wal", ec) > 0 && !ec) {
    // A clean Close checkpoints and deletes the WAL; finding one means a crash. SQLite
    // replays the committed transactions and drops a torn last one (its frame checksums,
    // sqlite.org/wal.html), which is exactly the unacknowledged tail.
    open_warnings_.push_back("found " + db_path +
                             "-wal from a run that did not close cleanly: replaying committed "
                             "transactions, dropping any torn last one");
  }

  int rc = vfs_.Register();
  if (rc != SQLITE_OK) {
    return Status::IoError(std::string("cannot register the sqlite VFS: ") + sqlite3_errstr(rc));
  }
  uint64_t last_entry = 0;
  std::vector<uint64_t> snapshots;
  Status s;
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    s = db_.Open(db_path, &vfs_, options_.full_sync);
    // Only with zk.db locked: another zknode's snapshot in progress is not ours to delete.
    if (s.ok()) RemoveTempSnapshots(data_dir_, &open_warnings_);
    if (s.ok()) s = db_.LastIndex(&last_entry);
    if (s.ok()) s = ListSnapshots(data_dir_, &snapshots);
    if (!s.ok()) db_.Close();
  }
  if (!s.ok()) {
    vfs_.Unregister();
    return s;
  }
  last_index_ = std::max(last_entry, snapshots.empty() ? 0 : snapshots.front());
  snapshots_on_disk_ = snapshots.size();
  failed_ = Status::OK();
  for (const std::string& w : open_warnings_) Warn(w);
  {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    stopping_ = false;
  }
  {
    std::lock_guard<std::mutex> lock(snap_mu_);
    snap_stopping_ = false;
  }
  storage_thread_ = std::thread([this] { RunStorageThread(); });
  snapshot_thread_ = std::thread([this] { RunSnapshotThread(); });
  return Status::OK();
}

void SqliteStorage::Close() {
  std::lock_guard<std::mutex> close_lock(close_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  // The storage thread leaves only when the queue is empty and no snapshot is in flight,
  // so every `done` has run once it is joined.
  storage_thread_.join();
  {
    std::lock_guard<std::mutex> lock(snap_mu_);
    snap_stopping_ = true;
  }
  snap_cv_.notify_all();
  snapshot_thread_.join();
  {
    std::lock_guard<std::mutex> lock(db_mu_);
    db_.Close();
  }
  vfs_.Unregister();
  std::lock_guard<std::mutex> lock(mu_);
  open_ = false;
  stopping_ = false;
}

void SqliteStorage::Enqueue(Op op) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (open_ && !stopping_) {
      queue_.push_back(std::move(op));
      cv_.notify_one();
      return;
    }
  }
  if (op.done) op.done(Status::Aborted("storage.sqlite: not open"));
}

void SqliteStorage::SetTermVote(uint64_t term, uint64_t voted_for, Done done) {
  Op op;
  op.kind = Kind::kTermVote;
  op.a = term;
  op.b = voted_for;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void SqliteStorage::Append(std::vector<LogEntry> entries, Done done) {
  Op op;
  op.kind = Kind::kAppend;
  op.entries = std::move(entries);
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void SqliteStorage::Truncate(uint64_t from_index, Done done) {
  Op op;
  op.kind = Kind::kTruncate;
  op.a = std::max<uint64_t>(from_index, 1);
  op.done = std::move(done);
  Enqueue(std::move(op));
}

void SqliteStorage::SaveSnapshot(Snapshot snapshot, int retain, uint64_t trailing, Done done) {
  Op op;
  op.kind = Kind::kSnapshot;
  op.snapshot = std::move(snapshot);
  op.retain = retain;
  op.a = trailing;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

std::unique_ptr<SnapshotWriter> SqliteStorage::BeginSnapshot(Status* status) {
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_ || stopping_) {
      *status = Status::Aborted("storage.sqlite: not open");
      return nullptr;
    }
    dir = data_dir_;
  }
  auto writer = std::make_unique<SnapshotFileWriter>(dir);
  *status = writer->status();
  if (!status->ok()) return nullptr;
  return writer;
}

void SqliteStorage::CommitSnapshot(std::unique_ptr<SnapshotWriter> writer, SnapshotMeta meta,
                                   int retain, uint64_t trailing, Done done) {
  Op op;
  op.kind = Kind::kSnapshot;
  op.snapshot.meta = std::move(meta);
  // REQUIRES (storage.h): it came from BeginSnapshot above.
  op.writer.reset(static_cast<SnapshotFileWriter*>(writer.release()));
  op.retain = retain;
  op.a = trailing;
  op.done = std::move(done);
  Enqueue(std::move(op));
}

Status SqliteStorage::ReadSnapshot(uint64_t index, Snapshot* out) {
  std::string dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!open_) return Status::Unavailable("storage.sqlite: not open");
    dir = data_dir_;
  }
  // Safe beside the snapshot thread: a file is complete once it has its final name, and a
  // purge that unlinks it while it is open here does not cut the read short.
  return ReadSnapshotFile(dir, index, out);
}

void SqliteStorage::RunStorageThread() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (!snapshot_results_.empty()) {
      SnapshotResult result = std::move(snapshot_results_.front());
      snapshot_results_.pop_front();
      lock.unlock();
      FinishSnapshot(std::move(result));
      lock.lock();
      continue;
    }
    if (!queue_.empty() && !FrontBlocked()) {
      std::vector<Op> batch = TakeBatch();
      lock.unlock();
      ProcessBatch(std::move(batch));
      lock.lock();
      continue;
    }
    if (stopping_ && queue_.empty() && snapshots_in_flight_ == 0) return;
    cv_.wait(lock);
  }
}

// A Truncate reaching into the range an in-flight snapshot will compact away must wait for
// that compaction; otherwise entries re-appended after it would be deleted by it.
bool SqliteStorage::FrontBlocked() const {
  const Op& op = queue_.front();
  return op.kind == Kind::kTruncate && snapshots_in_flight_ > 0 && op.a <= pending_compaction_;
}

std::vector<SqliteStorage::Op> SqliteStorage::TakeBatch() {
  std::vector<Op> batch;
  if (queue_.front().kind == Kind::kSnapshot) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
    return batch;
  }
  size_t weight = 0;
  while (!queue_.empty() && queue_.front().kind != Kind::kSnapshot && !FrontBlocked() &&
         weight < static_cast<size_t>(options_.max_batch)) {
    weight += std::max<size_t>(1, queue_.front().entries.size());
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

Status SqliteStorage::ApplyLocked(Op& op) {
  switch (op.kind) {
    case Kind::kTermVote:
      return db_.PutTermVote(op.a, op.b);
    case Kind::kAppend: {
      for (size_t i = 0; i < op.entries.size(); ++i) {
        if (op.entries[i].index != last_index_ + 1 + i) {
          return Status::InvalidArgument(
              "storage.sqlite: append of entry " + std::to_string(op.entries[i].index) + " where " +
              std::to_string(last_index_ + 1 + i) +
              " was expected (entries must be contiguous and follow the last one)");
        }
      }
      for (const LogEntry& e : op.entries) {
        Status s = db_.Insert(e);
        if (!s.ok()) return s;
      }
      if (!op.entries.empty()) last_index_ = op.entries.back().index;
      return Status::OK();
    }
    case Kind::kTruncate: {
      Status s = db_.DeleteFrom(op.a);
      if (s.ok()) last_index_ = std::min(last_index_, op.a - 1);
      return s;
    }
    case Kind::kSnapshot:
      break;
  }
  return Status::InvalidArgument("storage.sqlite: unexpected op in a batch");
}

void SqliteStorage::ProcessBatch(std::vector<Op> batch) {
  if (batch.front().kind == Kind::kSnapshot) {
    StartSnapshot(std::move(batch.front()));
    return;
  }
  std::vector<Status> results(batch.size(), failed_);
  if (failed_.ok()) {
    const uint64_t last_before = last_index_;
    uint64_t appended = 0;
    std::lock_guard<std::mutex> lock(db_mu_);
    Status s = db_.Begin();
    for (size_t i = 0; i < batch.size() && s.ok(); ++i) {
      results[i] = ApplyLocked(batch[i]);
      // A rejected op (InvalidArgument) changed nothing; any other error is the disk's.
      if (!results[i].ok() && results[i].code() != Status::Code::kInvalidArgument) {
        s = results[i];
      } else if (results[i].ok() && batch[i].kind == Kind::kAppend) {
        appended += batch[i].entries.size();
      }
    }
    if (s.ok()) s = db_.Commit();
    if (!s.ok()) {
      // Fail-stop, as ZooKeeper does on a transaction log error: nothing after this point
      // can be made durable in order, so every later op fails with the same status.
      db_.Rollback();
      last_index_ = last_before;
      failed_ = s;
      std::fill(results.begin(), results.end(), s);
      host_->Log(LogLevel::kError, "storage.sqlite: " + s.ToString());
    } else {
      entries_appended_.fetch_add(appended, std::memory_order_relaxed);
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) Complete(std::move(batch[i].done), results[i]);
  MaybeCheckpoint();
}

void SqliteStorage::StartSnapshot(Op op) {
  const uint64_t index = op.snapshot.meta.index;
  if (!failed_.ok() || index == 0) {
    Complete(std::move(op.done),
             failed_.ok() ? Status::InvalidArgument("storage.sqlite: snapshot index 0") : failed_);
    return;
  }
  const uint64_t trailing = op.a;
  const uint64_t bound = index > trailing ? index - trailing : 0;
  last_index_ = std::max(last_index_, index);
  const uint64_t seq = next_snapshot_seq_++;
  {
    // Read by FrontBlocked under mu_.
    std::lock_guard<std::mutex> lock(mu_);
    in_flight_bounds_.emplace_back(seq, bound);
    ++snapshots_in_flight_;
    pending_compaction_ = std::max(pending_compaction_, bound);
  }
  held_.push_back(Held{std::move(op.done), Status::OK(), seq});
  {
    std::lock_guard<std::mutex> lock(snap_mu_);
    snap_jobs_.push_back(SnapshotJob{seq, std::move(op.snapshot), std::move(op.writer), op.retain});
  }
  snap_cv_.notify_one();
}

void SqliteStorage::RunSnapshotThread() {
  for (;;) {
    SnapshotJob job;
    {
      std::unique_lock<std::mutex> lock(snap_mu_);
      snap_cv_.wait(lock, [this] { return snap_stopping_ || !snap_jobs_.empty(); });
      if (snap_jobs_.empty()) return;
      job = std::move(snap_jobs_.front());
      snap_jobs_.pop_front();
    }
    SnapshotResult result{job.seq, Status::OK(), {}};
    result.status = job.writer ? job.writer->Finish(job.snapshot.meta, &fsyncs_)
                               : WriteSnapshotFile(data_dir_, job.snapshot, &fsyncs_);
    if (result.status.ok()) {
      // Only once the new file is durable do older ones go (autopurge.snapRetainCount).
      snapshots_on_disk_ = PurgeSnapshots(data_dir_, job.retain, &result.warnings);
    }
    job.snapshot = Snapshot();
    job.writer.reset();
    {
      std::lock_guard<std::mutex> lock(mu_);
      snapshot_results_.push_back(std::move(result));
    }
    cv_.notify_all();
  }
}

void SqliteStorage::FinishSnapshot(SnapshotResult result) {
  uint64_t bound = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = std::find_if(in_flight_bounds_.begin(), in_flight_bounds_.end(),
                           [&](const auto& b) { return b.first == result.seq; });
    if (it != in_flight_bounds_.end()) {
      bound = it->second;
      in_flight_bounds_.erase(it);
    }
    --snapshots_in_flight_;
  }
  for (const std::string& w : result.warnings) Warn(w);
  if (result.status.ok() && bound > 0 && failed_.ok()) {
    // The snapshot is durable, so the entries it covers (minus `trailing`) may go.
    std::lock_guard<std::mutex> lock(db_mu_);
    Status s = db_.Begin();
    if (s.ok()) s = db_.DeleteUpTo(bound);
    if (s.ok()) s = db_.Commit();
    if (!s.ok()) {
      db_.Rollback();
      Warn("log compaction up to entry " + std::to_string(bound) + " failed: " + s.ToString());
    }
  }
  if (!result.status.ok()) {
    host_->Log(LogLevel::kError, "storage.sqlite: " + result.status.ToString());
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    pending_compaction_ = 0;
    for (const auto& b : in_flight_bounds_) {
      pending_compaction_ = std::max(pending_compaction_, b.second);
    }
  }
  for (auto it = held_.begin(); it != held_.end(); ++it) {
    if (it->snapshot_seq == result.seq) {
      Done done = std::move(it->done);
      held_.erase(it);
      if (done) done(result.status);
      break;
    }
  }
}

// Appends, truncations and term/vote complete in call order; a snapshot completes when its
// file is durable, possibly after later appends (storage.h): a large snapshot must not hold
// back the acknowledgement of every write that follows it.
void SqliteStorage::Complete(Done done, Status status) {
  if (done) done(status);
}

void SqliteStorage::MaybeCheckpoint() {
  std::lock_guard<std::mutex> lock(db_mu_);
  if (!failed_.ok() || db_.wal_frames() < kCheckpointFrames) return;
  Status s = db_.Checkpoint();
  if (!s.ok()) Warn("checkpoint failed: " + s.ToString());
}

StorageStats SqliteStorage::Stats() {
  std::string data_dir;
  std::string data_log_dir;
  {
    std::lock_guard<std::mutex> lock(mu_);
    data_dir = data_dir_;
    data_log_dir = data_log_dir_;
  }
  StorageStats stats;
  if (!data_dir.empty()) stats.data_dir_bytes = DirBytes(data_dir);
  if (!data_log_dir.empty()) stats.log_dir_bytes = DirBytes(data_log_dir);
  stats.fsyncs = fsyncs_.load(std::memory_order_relaxed);
  stats.entries_appended = entries_appended_.load(std::memory_order_relaxed);
  stats.snapshots = snapshots_on_disk_.load(std::memory_order_relaxed);
  return stats;
}

}  // namespace zk::storage_sqlite
