// libraft's `struct raft_io` (version 1) implemented over our Storage plugin, our peer Links
// and the Host's clock, randomness and timers (README.md "raft_io"). Core loop only.
//
// * load/bootstrap read and write through Storage; set_term/set_vote must be durable before
//   they return (libraft 0.15 io.html), so they block the core loop on the storage thread's
//   completion. Everything else is asynchronous: Storage's `done` is posted back to the core
//   loop and only then is libraft's callback run (an append is acknowledged once durable).
// * Snapshots this server takes are streamed by the state machine straight into a
//   Storage::SnapshotWriter (BeginLocalSnapshot); libraft's snapshot then carries only a
//   marker buffer, and snapshot_put commits what was written. snapshot_get reads the newest
//   snapshot back from storage on a helper thread (Storage::ReadSnapshot); only a storage
//   that cannot read snapshots back makes us keep an in-memory copy of it.
// * Fixes that came to libraft after 0.15 are emulated at this boundary (see Deliver and the
//   .cc): no commit of an older term's entry by counting replicas, commit on a follower's
//   match index, no stale AppendEntries result after a term change, no election while a
//   snapshot is being installed.
#pragma once

// raft.h has no extern "C" guard of its own.
extern "C" {
#include <raft.h>
}

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "wire.h"
#include "zk/host.h"
#include "zk/status.h"
#include "zk/storage.h"

namespace zk::election_raft {

class RaftIo {
 public:
  struct Hooks {
    // Runs after every libraft callback this object invoked (tick, receive, completions).
    std::function<void()> after_event;
    // Whether a frame for raft id `to` would go out now (checked before encoding one).
    std::function<bool(uint64_t to, Channel ch)> can_send;
    // Sends a whole frame to raft id `to`; false if dropped.
    std::function<bool(uint64_t to, Channel ch, std::string frame)> send_frame;
    // Storage failed: the server must stop taking part (fail-stop, as ZooKeeper on a
    // transaction log error). May run inside a libraft call: must not re-enter libraft.
    std::function<void(const Status&)> storage_failed;
    // libraft's async work (0.15: taking a snapshot): `run` must be called on the core loop,
    // not inside the async_work call, once the work can run (the state machine has its
    // snapshot bytes).
    std::function<void(std::function<void()> run)> async_gate;
  };

  // `host` and `storage` are borrowed and must outlive this object. `retain` is the number
  // of snapshots storage keeps.
  RaftIo(Host* host, Storage* storage, int retain, Hooks hooks);
  ~RaftIo();
  RaftIo(const RaftIo&) = delete;
  RaftIo& operator=(const RaftIo&) = delete;

  raft_io* io() { return &io_; }
  // Reads the persistent state (Storage::Load). Synchronous; before raft_start.
  Status LoadState();
  // True when storage held nothing: term 0, no entries, no snapshot.
  bool pristine() const;
  // Tick period; the raft timers are checked this often (<= libraft's heartbeat timeout).
  void set_tick_ms(int64_t ms) { tick_ms_ = ms; }
  // Index and term of the snapshot being restored (fsm restore does not get them).
  uint64_t restore_index() const { return restore_index_; }
  uint64_t restore_term() const { return restore_term_; }
  const std::string& load_error() const { return load_error_; }
  bool closed() const { return closed_; }
  // A storage operation failed: libraft must not be given new entries (the election is
  // fail-stopping; see StorageFailed).
  bool storage_failed() const { return !storage_failure_.ok(); }

  // Hands a decoded message to libraft, which takes ownership of its memory.
  void Deliver(raft_message* m);
  // On a leader: sends every follower an AppendEntries now (new entries, or a heartbeat
  // that carries the commit index). libraft 0.15 tells followers about a new commit index
  // only with the next entries or heartbeat, up to a heartbeat interval later, and a
  // follower answers its clients only once it applied their entries.
  void KickReplication();
  // On a follower: forgets the current leader (libraft then grants votes, which a follower
  // with a leader refuses, Raft §4.2.3), as if its heartbeats had stopped for an election
  // timeout. libraft 0.15 has no call for it; the fields are the ones convert.c clears.
  void ForgetLeader();
  // A snapshot of this server's state being streamed to storage (see the top comment).
  struct LocalSnapshot {
    std::mutex mu;                           // Write runs on the state machine's thread
    std::unique_ptr<SnapshotWriter> writer;  // null once committed or dropped
    bool keep_copy = false;                  // storage cannot read snapshots back
    std::string copy;                        // the bytes, when keep_copy
    // Any thread: appends to the writer (and the copy).
    Status Write(const char* data, size_t size);
  };
  // Starts streaming a local snapshot; null (and `*status`) if storage cannot start one.
  // It stays the pending one until snapshot_put commits it or DropLocalSnapshot.
  std::shared_ptr<LocalSnapshot> BeginLocalSnapshot(Status* status);
  void DropLocalSnapshot();
  // The one-buffer stand-in for a local snapshot's data in libraft's raft_snapshot.
  static raft_buffer LocalMarker();

  // On a follower that is not installing a snapshot: its election timer expires now, so it
  // becomes a candidate (pre-vote first) at once instead of at its randomized timeout.
  void ExpireElectionTimer();

 private:
  struct Snap {
    uint64_t index = 0;
    uint64_t term = 0;
    uint64_t conf_index = 0;
    std::string conf;  // EncodeConfiguration
    // Only when storage cannot read snapshots back (or between LoadState and Load).
    std::shared_ptr<const std::string> data;
  };
  // A libraft request waiting for storage; `complete` runs libraft's callback.
  struct Pending {
    std::function<void(int status)> complete;
    uint64_t term_at_issue = 0;
    std::string what;  // the storage operation, for the error log ("append of entries 5..7")
  };

  raft* r() { return static_cast<raft*>(io_.data); }
  uint64_t AddPending(std::function<void(int)> complete, std::string what);
  // The first storage failure: logs it naming `what`, makes every later storage operation
  // fail without touching storage, and tells the election to fail-stop (ZooKeeper stops
  // serving on a transaction-log IOException). Later calls do nothing.
  void StorageFailed(const std::string& what, const Status& s);
  Storage::Done CompletionFor(uint64_t seq);
  void Complete(uint64_t seq, const Status& s);
  // Runs libraft's callbacks for finished sends (posted once per batch).
  void FlushSends();
  void ArmTick();
  int Block(const std::function<void(Storage::Done)>& op, const char* what);

  // raft_io methods.
  int Load(raft_term* term, raft_id* voted_for, raft_snapshot** snapshot, raft_index* start_index,
           raft_entry** entries, size_t* n_entries);
  int Start(unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv);
  int Bootstrap(const raft_configuration* conf);
  int SetTerm(raft_term term);
  int SetVote(raft_id id);
  int Send(raft_io_send* req, const raft_message* m, raft_io_send_cb cb);
  int Append(raft_io_append* req, const raft_entry entries[], unsigned n, raft_io_append_cb cb);
  int Truncate(raft_index index);
  int SnapshotPut(unsigned trailing, raft_io_snapshot_put* req, const raft_snapshot* snapshot,
                  raft_io_snapshot_put_cb cb);
  int SnapshotGet(raft_io_snapshot_get* req, raft_io_snapshot_get_cb cb);
  int AsyncWork(raft_io_async_work* req, raft_io_async_work_cb cb);
  int Random(int min, int max);
  void Close(raft_io_close_cb cb);

  Host* const host_;
  Storage* const storage_;
  const int retain_;
  Hooks hooks_;
  raft_io io_{};
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  PersistentState loaded_;  // until libraft's load took it
  std::string load_error_;
  uint64_t term_ = 0;        // persisted term (for set_vote)
  uint64_t next_index_ = 1;  // index of the next entry append() writes
  uint64_t restore_index_ = 0;
  uint64_t restore_term_ = 0;
  std::optional<Snap> snap_;  // last snapshot stored or loaded
  std::shared_ptr<LocalSnapshot> local_;  // being streamed, not yet committed
  std::jthread snapshot_get_thread_;  // reads a snapshot back for snapshot_get (joins)

  raft_io_tick_cb tick_cb_ = nullptr;
  raft_io_recv_cb recv_cb_ = nullptr;
  int64_t tick_ms_ = 10;
  TimerId tick_timer_ = 0;
  bool closed_ = false;

  // Set by the first failed storage operation, then never cleared (fail-stop). libraft 0.15
  // counts stored entries (updateLastStored: last_stored += n), so an append completing OK
  // after an earlier one failed would make it report the failed entries as stored; and a
  // write after a failed one could leave a gap on disk that Load refuses.
  Status storage_failure_;

  uint64_t next_seq_ = 1;
  std::map<uint64_t, Pending> pending_;
  std::deque<std::pair<raft_io_send*, std::pair<raft_io_send_cb, int>>> sends_done_;
  bool sends_flush_posted_ = false;

  // Snapshot installation in flight (snapshot_put with trailing 0) and the term then.
  bool installing_ = false;
  // While set, AppendEntries results libraft tries to send are dropped (stale after a term
  // change; upstream 35479fc and 2a38d3d).
  bool suppress_results_ = false;
};

}  // namespace zk::election_raft
