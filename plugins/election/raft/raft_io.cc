// The loop side of RaftIo: the raft_io table, ticks, sends, receives, completions and
// close. Storage operations are in raft_io_storage.cc.
#include "raft_io.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <future>
#include <utility>
#include <vector>

namespace zk::election_raft {

namespace {

RaftIo* Self(raft_io* io) { return static_cast<RaftIo*>(io->impl); }

// Term of the entry at `index` in libraft's in-memory log, 0 if it is not there. libraft
// 0.15 exposes struct raft_log in raft.h; this mirrors its logTermOf without the asserts.
raft_term TermOf(const raft_log& l, raft_index index) {
  if (index == 0) return 0;
  if (index == l.snapshot.last_index) return l.snapshot.last_term;
  if (l.size == 0) return 0;
  const size_t n = l.front <= l.back ? l.back - l.front : l.size - l.front + l.back;
  if (index <= l.offset || index > l.offset + n) return 0;
  return l.entries[(l.front + (index - 1 - l.offset)) % l.size].term;
}

}  // namespace

RaftIo::RaftIo(Host* host, Storage* storage, int retain, Hooks hooks)
    : host_(host), storage_(storage), retain_(retain), hooks_(std::move(hooks)) {
  io_.version = 2;  // with async_work: snapshots are serialized off the core loop
  io_.impl = this;
  io_.init = [](raft_io*, raft_id, const char*) { return 0; };
  io_.close = [](raft_io* io, raft_io_close_cb cb) { Self(io)->Close(cb); };
  io_.load = [](raft_io* io, raft_term* term, raft_id* vote, raft_snapshot** snapshot,
                raft_index* start, raft_entry** entries,
                size_t* n) { return Self(io)->Load(term, vote, snapshot, start, entries, n); };
  io_.start = [](raft_io* io, unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv) {
    return Self(io)->Start(msecs, tick, recv);
  };
  io_.bootstrap = [](raft_io* io, const raft_configuration* conf) {
    return Self(io)->Bootstrap(conf);
  };
  io_.recover = [](raft_io*, const raft_configuration*) { return RAFT_NOTFOUND; };
  io_.set_term = [](raft_io* io, raft_term term) { return Self(io)->SetTerm(term); };
  io_.set_vote = [](raft_io* io, raft_id id) { return Self(io)->SetVote(id); };
  io_.send = [](raft_io* io, raft_io_send* req, const raft_message* m, raft_io_send_cb cb) {
    return Self(io)->Send(req, m, cb);
  };
  io_.append = [](raft_io* io, raft_io_append* req, const raft_entry entries[], unsigned n,
                  raft_io_append_cb cb) { return Self(io)->Append(req, entries, n, cb); };
  io_.truncate = [](raft_io* io, raft_index index) { return Self(io)->Truncate(index); };
  io_.snapshot_put = [](raft_io* io, unsigned trailing, raft_io_snapshot_put* req,
                        const raft_snapshot* snapshot, raft_io_snapshot_put_cb cb) {
    return Self(io)->SnapshotPut(trailing, req, snapshot, cb);
  };
  io_.snapshot_get = [](raft_io* io, raft_io_snapshot_get* req, raft_io_snapshot_get_cb cb) {
    return Self(io)->SnapshotGet(req, cb);
  };
  io_.async_work = [](raft_io* io, raft_io_async_work* req, raft_io_async_work_cb cb) {
    return Self(io)->AsyncWork(req, cb);
  };
  io_.time = [](raft_io* io) { return static_cast<raft_time>(Self(io)->host_->NowMs()); };
  io_.random = [](raft_io* io, int min, int max) { return Self(io)->Random(min, max); };
}

int RaftIo::AsyncWork(raft_io_async_work* req, raft_io_async_work_cb cb) {
  hooks_.async_gate([this, req, cb] {
    if (closed_) return;  // libraft is gone; the request died with it
    int status = req->work(req);
    cb(req, status);
    hooks_.after_event();
  });
  return 0;
}

RaftIo::~RaftIo() {
  if (tick_timer_ != 0) host_->CancelTimer(tick_timer_);
}

int RaftIo::Start(unsigned msecs, raft_io_tick_cb tick, raft_io_recv_cb recv) {
  tick_cb_ = tick;
  recv_cb_ = recv;
  tick_ms_ = std::clamp<int64_t>(tick_ms_, 1, std::max<unsigned>(msecs, 1));
  ArmTick();
  return 0;
}

void RaftIo::ArmTick() {
  std::weak_ptr<bool> alive = alive_;
  tick_timer_ = host_->StartTimer(tick_ms_, [this, alive] {
    if (alive.expired()) return;
    tick_timer_ = 0;
    if (closed_) return;
    // While a snapshot is installed a follower must not become a candidate (upstream
    // 4fbd3c0); its timers are only checked here, so the tick waits.
    if (!installing_) tick_cb_(&io_);
    hooks_.after_event();
    if (!closed_) ArmTick();
  });
}

int RaftIo::Send(raft_io_send* req, const raft_message* m, raft_io_send_cb cb) {
  const Channel ch = ChannelOf(static_cast<FrameType>(m->type));
  bool sent = false;
  // A result computed before a term change must not reach the new leader (upstream 35479fc,
  // 2a38d3d). The peer is looked up by id only: libraft 0.15 can hand us a garbage address
  // when a candidate answers an InstallSnapshot (follower/candidate union).
  if (suppress_results_ && m->type == RAFT_IO_APPEND_ENTRIES_RESULT) {
    host_->Log(LogLevel::kDebug, "raft: term or role changed while storing, result for raft id " +
                                     std::to_string(m->server_id) + " not sent");
  } else if (hooks_.can_send(m->server_id, ch)) {
    sent = hooks_.send_frame(m->server_id, ch, EncodeRaftMessage(*m));
  }
  if (cb != nullptr) {
    sends_done_.push_back({req, {cb, sent ? 0 : RAFT_NOCONNECTION}});
    if (!sends_flush_posted_) {
      sends_flush_posted_ = true;
      std::weak_ptr<bool> alive = alive_;
      host_->Post([this, alive] {
        if (!alive.expired()) FlushSends();
      });
    }
  }
  return 0;
}

void RaftIo::FlushSends() {
  sends_flush_posted_ = false;
  if (closed_ || sends_done_.empty()) return;
  auto done = std::move(sends_done_);
  sends_done_.clear();
  for (auto& [req, cb_status] : done) cb_status.first(req, cb_status.second);
  hooks_.after_event();
}

uint64_t RaftIo::AddPending(std::function<void(int)> complete, std::string what) {
  const uint64_t seq = next_seq_++;
  Pending& p = pending_[seq];
  p.complete = std::move(complete);
  p.term_at_issue = r()->current_term;
  p.what = std::move(what);
  return seq;
}

void RaftIo::StorageFailed(const std::string& what, const Status& s) {
  if (!storage_failure_.ok()) return;
  storage_failure_ = Status::IoError("storage " + what + " failed: " + s.ToString());
  host_->Log(LogLevel::kError, "raft: " + storage_failure_.message() +
                                   "; nothing more is written or reported stored (fail-stop)");
  hooks_.storage_failed(storage_failure_);
}

Storage::Done RaftIo::CompletionFor(uint64_t seq) {
  std::weak_ptr<bool> alive = alive_;
  Host* host = host_;
  return [this, alive, host, seq](const Status& s) {
    host->Post([this, alive, seq, s] {
      if (!alive.expired()) Complete(seq, s);
    });
  };
}

void RaftIo::Complete(uint64_t seq, const Status& s) {
  auto it = pending_.find(seq);
  if (it == pending_.end()) return;  // cancelled by close
  Pending p = std::move(it->second);
  pending_.erase(it);
  // Recorded before libraft hears of it, so whatever libraft issues from its callback fails
  // too; and an operation that succeeded after an earlier failure is reported failed.
  if (!s.ok()) StorageFailed(p.what, s);
  const bool ok = s.ok() && storage_failure_.ok();
  raft* rr = r();
  suppress_results_ = rr->current_term != p.term_at_issue || raft_state(rr) != RAFT_FOLLOWER;
  if (!ok) {
    // What was issued after it fails first, newest first (as in Close): libraft truncates
    // its log from a failed leader append's first index, so a later append completed after
    // it would release entries already gone (a crash, found by the simulation, seed 9026).
    while (!pending_.empty() && pending_.rbegin()->first > seq) {
      auto last = std::prev(pending_.end());
      Pending later = std::move(last->second);
      pending_.erase(last);
      later.complete(RAFT_IOERR);
    }
  }
  p.complete(ok ? 0 : RAFT_IOERR);
  suppress_results_ = false;
  if (!closed_) hooks_.after_event();
}

int RaftIo::Random(int min, int max) {
  if (max <= min) return min;
  return min + static_cast<int>(host_->Random() % static_cast<uint64_t>(max - min + 1));
}

void RaftIo::Deliver(raft_message* m) {
  if (closed_ || recv_cb_ == nullptr) {
    FreeRaftMessage(m);
    return;
  }
  raft* rr = r();
  // No vote and no TimeoutNow while a snapshot is installed: the follower must stay one
  // (upstream 2a38d3d, 4fbd3c0). Dropping is what a lossy network does; the sender retries.
  if (installing_ && (m->type == RAFT_IO_REQUEST_VOTE || m->type == RAFT_IO_TIMEOUT_NOW)) {
    host_->Log(LogLevel::kDebug,
               std::string("raft: installing a snapshot, ignored ") +
                   (m->type == RAFT_IO_REQUEST_VOTE ? "RequestVote" : "TimeoutNow") +
                   " from raft id " + std::to_string(m->server_id));
    return;
  }
  // libraft 0.15 commits r->last_stored when a majority matches it. Upstream later fixed two
  // things here (524f735, 1996d32): an entry of an older term must not be committed by
  // counting replicas (Raft §5.4.2, the Figure 8 anomaly), and the candidate index is the
  // follower's match index, not the leader's last stored one (which under steady load keeps
  // moving ahead of every acknowledgement). last_stored is read for nothing else while a
  // leader handles an AppendEntries result, so it is swapped for the right candidate.
  bool swapped = false;
  raft_index saved = 0;
  if (m->type == RAFT_IO_APPEND_ENTRIES_RESULT && raft_state(rr) == RAFT_LEADER &&
      m->append_entries_result.term == rr->current_term && m->append_entries_result.rejected == 0) {
    saved = rr->last_stored;
    const raft_index cand =
        std::min({m->append_entries_result.last_log_index, saved, raft_last_index(rr)});
    rr->last_stored = cand > rr->commit_index && TermOf(rr->log, cand) == rr->current_term
                          ? cand
                          : 0;  // 0: replicationQuorum returns at once
    swapped = true;
  }
  recv_cb_(&io_, m);
  if (swapped) rr->last_stored = saved;
  hooks_.after_event();
}

void RaftIo::KickReplication() {
  raft* rr = r();
  if (closed_ || tick_cb_ == nullptr || raft_state(rr) != RAFT_LEADER ||
      rr->leader_state.progress == nullptr) {
    return;
  }
  // A heartbeat is due when last_send is old enough (progressShouldReplicate); the tick
  // callback is what sends heartbeats, and running it early only re-checks time-based rules.
  for (unsigned i = 0; i < rr->configuration.n; ++i) {
    if (rr->configuration.servers[i].id != rr->id) rr->leader_state.progress[i].last_send = 0;
  }
  tick_cb_(&io_);
}

void RaftIo::ForgetLeader() {
  raft* rr = r();
  if (closed_ || raft_state(rr) != RAFT_FOLLOWER) return;
  rr->follower_state.current_leader.id = 0;
  raft_free(rr->follower_state.current_leader.address);  // allocated by libraft's recv.c
  rr->follower_state.current_leader.address = nullptr;
  hooks_.after_event();
}

void RaftIo::ExpireElectionTimer() {
  raft* rr = r();
  if (closed_ || tick_cb_ == nullptr || installing_ || raft_state(rr) != RAFT_FOLLOWER) return;
  // electionTimerExpired: now - election_timer_start >= randomized_election_timeout.
  rr->election_timer_start = io_.time(&io_) - rr->follower_state.randomized_election_timeout;
  tick_cb_(&io_);
  hooks_.after_event();
}

void RaftIo::Close(raft_io_close_cb cb) {
  closed_ = true;
  if (tick_timer_ != 0) host_->CancelTimer(tick_timer_);
  tick_timer_ = 0;
  // libraft frees its log in `cb`; every request it still waits for completes first,
  // cancelled, the newest first: a leader's failed append truncates libraft's log from its
  // first index, so an older one completed first would leave the newer ones' entries gone
  // (a crash in logRelease, found by the simulation, seed 11). Late storage completions
  // find nothing.
  while (!pending_.empty() || !sends_done_.empty()) {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      it->second.complete(RAFT_CANCELED);
    }
    auto sends = std::move(sends_done_);
    sends_done_.clear();
    for (auto& [req, cb_status] : sends) cb_status.first(req, RAFT_CANCELED);
  }
  installing_ = false;
  if (cb != nullptr) cb(&io_);
}

}  // namespace zk::election_raft
