// The storage side of RaftIo: load, bootstrap, term and vote, appends, truncation and
// snapshots, all through the Storage plugin (raft_io.h).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <future>
#include <utility>
#include <vector>

#include "raft_io.h"

namespace zk::election_raft {

namespace {

void FreeSnapshot(raft_snapshot* s) {
  if (s == nullptr) return;
  raft_configuration_close(&s->configuration);
  for (unsigned i = 0; i < s->n_bufs; ++i) raft_free(s->bufs[i].base);
  raft_free(s->bufs);
  raft_free(s);
}

}  // namespace

Status RaftIo::LoadState() {
  Status s = storage_->Load(&loaded_);
  if (!s.ok()) return s;
  for (const std::string& w : loaded_.warnings) host_->Log(LogLevel::kWarn, "raft: " + w);
  term_ = loaded_.term;
  if (loaded_.snapshot) {
    Snap snap;
    snap.index = loaded_.snapshot->meta.index;
    snap.term = loaded_.snapshot->meta.term;
    snap.conf = loaded_.snapshot->meta.configuration;
    snap.data = std::make_shared<const std::string>(std::move(loaded_.snapshot->data));
    raft_configuration probe;
    raft_configuration_init(&probe);
    s = DecodeConfiguration(snap.conf, &probe, &snap.conf_index);
    raft_configuration_close(&probe);
    if (!s.ok()) {
      return Status::Corruption("raft: snapshot at index " + std::to_string(snap.index) +
                                " has no raft configuration (written by another election "
                                "plugin?): " +
                                s.ToString());
    }
    snap_ = std::move(snap);
    loaded_.snapshot.reset();
  }
  for (const LogEntry& e : loaded_.entries) {
    if (e.type < RAFT_COMMAND || e.type > RAFT_CHANGE) {
      return Status::Corruption("raft: log entry " + std::to_string(e.index) + " has type " +
                                std::to_string(e.type) +
                                ", not a raft entry (written by another election plugin?)");
    }
  }
  const uint64_t start = snap_ ? snap_->index + 1 : 1;
  if (!loaded_.entries.empty() && loaded_.entries.front().index != start) {
    return Status::Corruption("raft: the log starts at entry " +
                              std::to_string(loaded_.entries.front().index) + " but " +
                              std::to_string(start) + " was expected" +
                              (snap_ ? " after the snapshot" : " without a snapshot"));
  }
  for (size_t i = 0; i < loaded_.entries.size(); ++i) {
    if (loaded_.entries[i].index != start + i) {
      return Status::Corruption("raft: log gap before entry " +
                                std::to_string(loaded_.entries[i].index));
    }
  }
  next_index_ = start + loaded_.entries.size();
  return Status::OK();
}

bool RaftIo::pristine() const { return term_ == 0 && loaded_.entries.empty() && !snap_; }

int RaftIo::Load(raft_term* term, raft_id* voted_for, raft_snapshot** snapshot,
                 raft_index* start_index, raft_entry** entries, size_t* n_entries) {
  *term = loaded_.term;
  *voted_for = loaded_.voted_for;
  *snapshot = nullptr;
  *entries = nullptr;
  *n_entries = 0;
  *start_index = snap_ ? snap_->index + 1 : 1;
  if (snap_) {
    auto* s = static_cast<raft_snapshot*>(raft_calloc(1, sizeof(raft_snapshot)));
    auto* bufs = static_cast<raft_buffer*>(raft_malloc(sizeof(raft_buffer)));
    void* data = raft_malloc(std::max<size_t>(snap_->data->size(), 1));
    if (s == nullptr || bufs == nullptr || data == nullptr) {
      raft_free(s);
      raft_free(bufs);
      raft_free(data);
      return RAFT_NOMEM;
    }
    s->index = snap_->index;
    s->term = snap_->term;
    raft_configuration_init(&s->configuration);
    uint64_t conf_index = 0;
    DecodeConfiguration(snap_->conf, &s->configuration, &conf_index);  // checked in LoadState
    s->configuration_index = conf_index;
    std::memcpy(data, snap_->data->data(), snap_->data->size());
    bufs[0].base = data;
    bufs[0].len = snap_->data->size();
    s->bufs = bufs;
    s->n_bufs = 1;
    *snapshot = s;
    // libraft owns its copy now; snapshot_get reads the file back when storage can.
    if (storage_->snapshots_readable()) snap_->data.reset();
    restore_index_ = snap_->index;
    restore_term_ = snap_->term;
  }
  const size_t n = loaded_.entries.size();
  if (n > 0) {
    size_t total = 0;
    for (const LogEntry& e : loaded_.entries) total += e.data.size();
    auto* array = static_cast<raft_entry*>(raft_malloc(n * sizeof(raft_entry)));
    auto* batch = static_cast<char*>(raft_malloc(std::max<size_t>(total, 1)));
    if (array == nullptr || batch == nullptr) {
      raft_free(array);
      raft_free(batch);
      FreeSnapshot(*snapshot);
      *snapshot = nullptr;
      return RAFT_NOMEM;
    }
    char* cursor = batch;
    for (size_t i = 0; i < n; ++i) {
      const LogEntry& e = loaded_.entries[i];
      std::memcpy(cursor, e.data.data(), e.data.size());
      array[i].term = e.term;
      array[i].type = e.type;
      array[i].buf.base = cursor;
      array[i].buf.len = e.data.size();
      array[i].batch = batch;
      cursor += e.data.size();
    }
    *entries = array;
    *n_entries = n;
  }
  loaded_ = PersistentState();  // libraft holds it now
  return 0;
}

int RaftIo::Block(const std::function<void(Storage::Done)>& op, const char* what) {
  // libraft 0.15 requires term and vote to be durable when set_term/set_vote return, and
  // the Storage API is asynchronous: wait here for the storage thread's completion.
  Status s = storage_failure_;
  if (s.ok()) {
    auto done = std::make_shared<std::promise<Status>>();
    std::future<Status> f = done->get_future();
    op([done](Status st) { done->set_value(std::move(st)); });
    s = f.get();
    if (s.ok()) return 0;
    StorageFailed(what, s);
  }
  const std::string msg = std::string("raft: ") + what + " failed: " + s.ToString();
  std::snprintf(io_.errmsg, sizeof(io_.errmsg), "%s", msg.c_str());
  return RAFT_IOERR;
}

int RaftIo::Bootstrap(const raft_configuration* conf) {
  if (!pristine()) return RAFT_CANTBOOTSTRAP;
  raft_buffer buf{};
  int rv = raft_configuration_encode(conf, &buf);
  if (rv != 0) return rv;
  LogEntry e;
  e.index = 1;
  e.term = 1;
  e.type = RAFT_CHANGE;
  e.data.assign(static_cast<const char*>(buf.base), buf.len);
  raft_free(buf.base);
  // The entry first: a crash before the term is written leaves a log, so the server is
  // not pristine and never bootstraps a second time.
  rv = Block([&](Storage::Done d) { storage_->Append({e}, std::move(d)); }, "bootstrap append");
  if (rv != 0) return rv;
  rv = Block([&](Storage::Done d) { storage_->SetTermVote(1, 0, std::move(d)); }, "bootstrap term");
  if (rv != 0) return rv;
  loaded_.term = 1;
  loaded_.voted_for = 0;
  loaded_.entries = {std::move(e)};
  term_ = 1;
  next_index_ = 2;
  return 0;
}

int RaftIo::SetTerm(raft_term term) {
  int rv = Block([&](Storage::Done d) { storage_->SetTermVote(term, 0, std::move(d)); },
                 "persisting the term");
  if (rv == 0) term_ = term;
  return rv;
}

int RaftIo::SetVote(raft_id id) {
  return Block([&](Storage::Done d) { storage_->SetTermVote(term_, id, std::move(d)); },
               "persisting the vote");
}

int RaftIo::Append(raft_io_append* req, const raft_entry entries[], unsigned n,
                   raft_io_append_cb cb) {
  std::vector<LogEntry> batch(n);
  for (unsigned i = 0; i < n; ++i) {
    batch[i].index = next_index_ + i;
    batch[i].term = entries[i].term;
    batch[i].type = static_cast<uint8_t>(entries[i].type);
    batch[i].data.assign(static_cast<const char*>(entries[i].buf.base), entries[i].buf.len);
  }
  const std::string what = "append of entries " + std::to_string(next_index_) + ".." +
                           std::to_string(next_index_ + n - 1);
  next_index_ += n;
  const uint64_t seq = AddPending([req, cb](int status) { cb(req, status); }, what);
  if (!storage_failure_.ok()) {
    CompletionFor(seq)(storage_failure_);  // nothing is written after a failed write
    return 0;
  }
  storage_->Append(std::move(batch), CompletionFor(seq));
  return 0;
}

int RaftIo::Truncate(raft_index index) {
  next_index_ = index;
  if (!storage_failure_.ok()) return 0;  // fail-stop: the election is closing
  std::weak_ptr<bool> alive = alive_;
  Host* host = host_;
  storage_->Truncate(index, [this, alive, host, index](const Status& s) {
    if (s.ok()) return;
    host->Post([this, alive, s, index] {
      if (!alive.expired()) StorageFailed("truncate from entry " + std::to_string(index), s);
    });
  });
  return 0;
}

namespace {
// Its address marks a local snapshot's stand-in buffer; the bytes are never read.
const char kLocalMarker[] = "zk-local-snapshot";
}  // namespace

raft_buffer RaftIo::LocalMarker() {
  raft_buffer b;
  b.base = const_cast<char*>(kLocalMarker);
  b.len = sizeof(kLocalMarker);
  return b;
}

Status RaftIo::LocalSnapshot::Write(const char* data, size_t size) {
  std::lock_guard<std::mutex> lock(mu);
  if (!writer) return Status::Aborted("raft: the snapshot was abandoned");
  Status s = writer->Write(data, size);
  if (s.ok() && keep_copy) copy.append(data, size);
  return s;
}

std::shared_ptr<RaftIo::LocalSnapshot> RaftIo::BeginLocalSnapshot(Status* status) {
  DropLocalSnapshot();
  auto local = std::make_shared<LocalSnapshot>();
  local->writer = storage_->BeginSnapshot(status);
  if (!local->writer) return nullptr;
  local->keep_copy = !storage_->snapshots_readable();
  local_ = local;
  return local;
}

void RaftIo::DropLocalSnapshot() {
  if (!local_) return;
  std::unique_ptr<SnapshotWriter> writer;
  {
    std::lock_guard<std::mutex> lock(local_->mu);
    writer = std::move(local_->writer);
    std::string().swap(local_->copy);
  }
  local_.reset();
  // `writer` is destroyed here, outside the lock: its partial snapshot is discarded.
}

int RaftIo::SnapshotPut(unsigned trailing, raft_io_snapshot_put* req, const raft_snapshot* snapshot,
                        raft_io_snapshot_put_cb cb) {
  Snap snap;
  snap.index = snapshot->index;
  snap.term = snapshot->term;
  snap.conf_index = snapshot->configuration_index;
  snap.conf = EncodeConfiguration(snapshot->configuration, snapshot->configuration_index);
  if (trailing != 0 && snapshot->n_bufs == 1 && snapshot->bufs[0].base == kLocalMarker) {
    // A snapshot this server took: its bytes are already in the storage's writer.
    if (!local_) return RAFT_IOERR;
    std::unique_ptr<SnapshotWriter> writer;
    std::string copy;
    {
      std::lock_guard<std::mutex> lock(local_->mu);
      writer = std::move(local_->writer);
      copy = std::move(local_->copy);
    }
    const bool keep_copy = local_->keep_copy;
    local_.reset();
    if (!writer) return RAFT_IOERR;
    if (keep_copy) snap.data = std::make_shared<const std::string>(std::move(copy));
    SnapshotMeta meta;
    meta.index = snap.index;
    meta.term = snap.term;
    meta.configuration = snap.conf;
    auto shared = std::make_shared<Snap>(std::move(snap));
    const uint64_t seq = AddPending(
        [this, req, cb, shared](int status) {
          if (status == 0) snap_ = *shared;
          cb(req, status);
        },
        "commit of snapshot " + std::to_string(meta.index));
    if (!storage_failure_.ok()) {
      CompletionFor(seq)(storage_failure_);  // the writer is dropped with its partial file
      return 0;
    }
    storage_->CommitSnapshot(std::move(writer), std::move(meta), retain_, trailing,
                             CompletionFor(seq));
    return 0;
  }
  std::string data;
  size_t total = 0;
  for (unsigned i = 0; i < snapshot->n_bufs; ++i) total += snapshot->bufs[i].len;
  data.reserve(total);
  for (unsigned i = 0; i < snapshot->n_bufs; ++i) {
    data.append(static_cast<const char*>(snapshot->bufs[i].base), snapshot->bufs[i].len);
  }
  if (!storage_->snapshots_readable()) snap.data = std::make_shared<const std::string>(data);

  Snapshot stored;
  stored.meta.index = snap.index;
  stored.meta.term = snap.term;
  stored.meta.configuration = snap.conf;
  stored.data = std::move(data);

  const bool install = trailing == 0;
  if (install) {
    // A leader's snapshot replaces the whole log; fsm restore runs in libraft's callback.
    installing_ = true;
    restore_index_ = snap.index;
    restore_term_ = snap.term;
    next_index_ = snap.index + 1;
  }
  auto shared = std::make_shared<Snap>(std::move(snap));
  const uint64_t seq = AddPending(
      [this, req, cb, shared, install](int status) {
        if (status == 0) snap_ = *shared;
        if (install) installing_ = false;
        cb(req, status);
      },
      std::string(install ? "install" : "save") + " of snapshot " +
          std::to_string(shared->index));
  if (!storage_failure_.ok()) {
    CompletionFor(seq)(storage_failure_);
    return 0;
  }
  if (!install) {
    storage_->SaveSnapshot(std::move(stored), retain_, trailing, CompletionFor(seq));
    return 0;
  }
  // Save first, then drop entries after the snapshot: a crash in between leaves the
  // snapshot plus a stale tail, which the leader overwrites, never a log without both.
  auto first_error = std::make_shared<Status>();
  Storage::Done complete = CompletionFor(seq);
  storage_->SaveSnapshot(std::move(stored), retain_, 0,
                         [first_error](const Status& s) { *first_error = s; });
  storage_->Truncate(shared->index + 1, [first_error, complete](const Status& s) {
    complete(first_error->ok() ? s : *first_error);
  });
  return 0;
}

int RaftIo::SnapshotGet(raft_io_snapshot_get* req, raft_io_snapshot_get_cb cb) {
  if (!snap_) return RAFT_NOTFOUND;
  auto* s = static_cast<raft_snapshot*>(raft_calloc(1, sizeof(raft_snapshot)));
  if (s == nullptr) return RAFT_NOMEM;
  raft_configuration_init(&s->configuration);
  uint64_t conf_index = 0;
  if (!DecodeConfiguration(snap_->conf, &s->configuration, &conf_index).ok()) {
    FreeSnapshot(s);
    return RAFT_CORRUPT;
  }
  s->index = snap_->index;
  s->term = snap_->term;
  s->configuration_index = conf_index;
  s->bufs = static_cast<raft_buffer*>(raft_calloc(1, sizeof(raft_buffer)));
  if (s->bufs == nullptr) {
    FreeSnapshot(s);
    return RAFT_NOMEM;
  }
  const uint64_t seq = AddPending(
      [req, cb, s](int status) {
        if (status == 0) {
          cb(req, s, 0);
        } else {
          FreeSnapshot(s);
          cb(req, nullptr, status);
        }
      },
      "read of snapshot " + std::to_string(snap_->index));
  std::weak_ptr<bool> alive = alive_;
  if (snap_->data) {
    void* data = raft_malloc(std::max<size_t>(snap_->data->size(), 1));
    if (data == nullptr) {
      pending_.erase(seq);
      FreeSnapshot(s);
      return RAFT_NOMEM;
    }
    std::memcpy(data, snap_->data->data(), snap_->data->size());
    s->bufs[0].base = data;
    s->bufs[0].len = snap_->data->size();
    s->n_bufs = 1;
    host_->Post([this, alive, seq] {
      if (!alive.expired()) Complete(seq, Status::OK());
    });
    return 0;
  }
  // Read the file back off the core loop (a large snapshot takes long enough to delay
  // heartbeats); only one such read at a time.
  if (snapshot_get_thread_.joinable()) snapshot_get_thread_.join();
  snapshot_get_thread_ = std::jthread([this, alive, seq, index = snap_->index, s] {
    Snapshot stored;
    Status st = storage_->ReadSnapshot(index, &stored);
    void* data = nullptr;
    const size_t len = stored.data.size();
    if (st.ok()) {
      data = raft_malloc(std::max<size_t>(len, 1));
      if (data == nullptr) st = Status::IoError("out of memory for a snapshot of " +
                                                std::to_string(len) + " bytes");
      else std::memcpy(data, stored.data.data(), len);
    }
    stored = Snapshot();
    host_->Post([this, alive, seq, index, s, data, len, st] {
      if (alive.expired() || pending_.find(seq) == pending_.end()) {
        raft_free(data);  // cancelled by close; `s` went with it
        return;
      }
      if (st.ok()) {
        s->bufs[0].base = data;
        s->bufs[0].len = len;
        s->n_bufs = 1;
        Complete(seq, Status::OK());
        return;
      }
      // Not a storage failure of the log: a newer snapshot may have replaced this one.
      // libraft retries sending a snapshot later.
      host_->Log(LogLevel::kWarn, "raft: cannot read snapshot " + std::to_string(index) +
                                      " back to send it: " + st.ToString());
      Pending p = std::move(pending_[seq]);
      pending_.erase(seq);
      p.complete(RAFT_IOERR);
      if (!closed_) hooks_.after_event();
    });
  });
  return 0;
}

}  // namespace zk::election_raft
