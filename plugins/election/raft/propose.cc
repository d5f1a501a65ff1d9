// Proposals of the raft election plugin: raft_apply on the leader (batched per loop turn),
// forwarding from followers over the quorum link, follower messages, leadership transfer,
// and the dispatch of peer frames.
#include <algorithm>
#include <cstring>
#include <utility>

#include "raft_election.h"

namespace zk::election_raft {

struct RaftElection::ApplyReq {
  struct raft_apply req {};
  RaftElection* self = nullptr;
  uint64_t first = 0;
  unsigned n = 0;
};

struct RaftElection::TransferReq {
  struct raft_transfer req {};
  RaftElection* self = nullptr;
  ProposeDone done;
};

namespace {

// Forwarded proposals whose result never came (lost with a link) fail after this long.
int64_t ForwardTimeoutMs(const Timeouts& t) { return std::max<int64_t>(1000, 4 * t.election_ms); }

}  // namespace

Status RaftElection::OnFrame(uint64_t from, Channel ch, const std::string& payload) {
  const FrameType type = TypeOf(payload);
  if (ChannelOf(type) != ch) {
    return Status::InvalidArgument("frame type " + std::to_string(static_cast<int>(type)) +
                                   " on the " + ChannelName(ch) + " channel");
  }
  const int64_t now = host_->NowMs();
  heard_ms_[from] = now;
  if (IsRaftFrame(type)) {
    raft_message m;
    Status s = DecodeRaftMessage(payload, &m);
    if (!s.ok()) return s;
    if (type == FrameType::kRequestVote && m.request_vote.candidate_id != from) {
      FreeRaftMessage(&m);
      return Status::InvalidArgument("RequestVote for candidate " +
                                     std::to_string(m.request_vote.candidate_id) +
                                     " sent by raft id " + std::to_string(from));
    }
    if (!raft_running_) {
      FreeRaftMessage(&m);
      return Status::OK();
    }
    if (type == FrameType::kAppendEntries || type == FrameType::kInstallSnapshot) {
      leader_contact_ms_[from] = now;
    }
    m.server_id = from;
    m.server_address = addresses_.at(from).c_str();
    io_->Deliver(&m);  // libraft owns the message's memory from here
    return Status::OK();
  }
  switch (type) {
    case FrameType::kPropose:
      return OnForwardedProposal(from, payload);
    case FrameType::kProposeResult:
      return OnProposeResult(from, payload);
    case FrameType::kFollowerMessage: {
      std::string data;
      Status s = DecodeFollowerMessage(payload, &data);
      if (!s.ok()) return s;
      if (IsRaftLeader()) {
        std::weak_ptr<bool> alive = alive_;
        host_->Post([this, alive, from, data = std::move(data)] {
          if (!alive.expired() && IsRaftLeader()) {
            ctx_.state_machine->OnFollowerMessage(from - 1, data);
          }
        });
      }
      return Status::OK();
    }
    default:
      return Status::Corruption("raft wire: unknown frame type " +
                                std::to_string(static_cast<int>(type)));
  }
}

void RaftElection::OnLinkDown(uint64_t peer, Channel ch) {
  if (ch != Channel::kQuorum) return;
  // Forwarded proposals queued on, or in flight over, that link are lost with it.
  std::vector<uint64_t> lost;
  for (const auto& [seq, f] : forwarded_) {
    if (f.leader == peer) lost.push_back(seq);
  }
  for (uint64_t seq : lost) FailForward(seq, FailureStatus("link to the leader lost"));
  if (raft_running_ && raft_.state == RAFT_FOLLOWER &&
      raft_.follower_state.current_leader.id == peer) {
    OnLeaderLinkLost(peer);
  }
  AfterRaftEvent();
}

void RaftElection::OnLeaderLinkLost(uint64_t leader) {
  // A leader that crashed or stopped closes its links at once (TCP FIN/RST); waiting an
  // election timeout for its heartbeats to stop adds nothing (ZooKeeper's followers likewise
  // leave a leader whose socket closed). A link that merely flapped costs a pre-vote that
  // the leader and its other followers refuse, and the next heartbeat restores the follower.
  io_->ForgetLeader();
  unsigned rank = 0;
  for (const auto& [id, voter] : voters_) {
    if (voter && id != leader && id < my_raft_id_) ++rank;
  }
  const int64_t delay = rank * std::max<int64_t>(20, timeouts_.election_ms / 4);
  host_->Log(LogLevel::kInfo, "raft: link to leader server." + std::to_string(leader - 1) +
                                  " lost; campaigning in " + std::to_string(delay) + " ms" +
                                  " unless a leader is heard of first");
  if (campaign_timer_ != 0) host_->CancelTimer(campaign_timer_);
  std::weak_ptr<bool> alive = alive_;
  campaign_timer_ = host_->StartTimer(delay, [this, alive] {
    if (alive.expired()) return;
    campaign_timer_ = 0;
    if (!raft_running_ || !my_voter_ || raft_.state != RAFT_FOLLOWER ||
        raft_.follower_state.current_leader.id != 0) {
      return;
    }
    io_->ExpireElectionTimer();
  });
}

void RaftElection::Propose(std::string data, ProposeDone done) {
  Route(next_seq_++, std::move(data), std::move(done));
}

void RaftElection::Route(uint64_t seq, std::string data, ProposeDone done) {
  if (!raft_running_) {
    if (done) {
      std::weak_ptr<bool> alive = alive_;
      Status s = Status::Unavailable(stopped_ ? "election stopped" : "raft is not running");
      host_->Post([alive, done = std::move(done), s] {
        if (!alive.expired()) done(s);
      });
    }
    return;
  }
  const uint64_t leader = RaftLeader();
  if (leader == 0 || transfer_ != nullptr || !parked_.empty() || HasStaleForwards(leader)) {
    Park(seq, std::move(data), std::move(done));
    return;
  }
  if (leader == my_raft_id_) {
    batch_.push_back(Queued{std::move(data), std::move(done), seq, 0, 0});
    ScheduleFlush();
    return;
  }
  if (!links_->Send(leader, Channel::kQuorum, EncodePropose(seq, data))) {
    Park(seq, std::move(data), std::move(done));
    return;
  }
  Forwarded& f = forwarded_[seq];
  f.data = std::move(data);
  f.done = std::move(done);
  f.leader = leader;
  std::weak_ptr<bool> alive = alive_;
  f.timer = host_->StartTimer(ForwardTimeoutMs(timeouts_), [this, alive, seq] {
    if (alive.expired() || forwarded_.count(seq) == 0) return;
    forwarded_.at(seq).timer = 0;
    FailForward(seq, Status::Unavailable("no answer from the leader"));
    AfterRaftEvent();
  });
}

void RaftElection::FailForward(uint64_t seq, const Status& why) {
  auto it = forwarded_.find(seq);
  if (it == forwarded_.end()) return;
  if (it->second.timer != 0) host_->CancelTimer(it->second.timer);
  if (it->second.done) Defer([done = std::move(it->second.done), why] { done(why); });
  forwarded_.erase(it);
  for (auto p = parked_.upper_bound(seq); p != parked_.end();) {
    if (p->second.done) Defer([done = std::move(p->second.done), why] { done(why); });
    p = parked_.erase(p);
  }
}

bool RaftElection::HasStaleForwards(uint64_t leader) const {
  for (const auto& [seq, f] : forwarded_) {
    if (f.leader != leader) return true;
  }
  return false;
}

void RaftElection::ShortenForwards(uint64_t old_leader) {
  std::weak_ptr<bool> alive = alive_;
  for (auto& [seq, f] : forwarded_) {
    if (f.leader != old_leader) continue;
    if (f.timer != 0) host_->CancelTimer(f.timer);
    f.timer = host_->StartTimer(timeouts_.election_ms, [this, alive, seq = seq] {
      if (alive.expired() || forwarded_.count(seq) == 0) return;
      forwarded_.at(seq).timer = 0;
      FailForward(seq, FailureStatus("the leader changed"));
      AfterRaftEvent();
    });
  }
}

void RaftElection::Park(uint64_t seq, std::string data, ProposeDone done) {
  const int64_t deadline = host_->NowMs() + ForwardTimeoutMs(timeouts_);
  parked_[seq] = Parked{std::move(data), std::move(done), deadline};
  ArmParkedTimer();
}

void RaftElection::ArmParkedTimer() {
  if (parked_timer_ == 0 && !parked_.empty()) {
    std::weak_ptr<bool> alive = alive_;
    parked_timer_ = host_->StartTimer(ForwardTimeoutMs(timeouts_) / 4, [this, alive] {
      if (alive.expired()) return;
      parked_timer_ = 0;
      ExpireParked();
    });
  }
}

void RaftElection::HoldParkedFor(uint64_t refused_by) {
  // Without the hold, a follower whose idea of the leader is stale (a ring partition: it
  // still hears the old leader's peer, not the new leader) and the server it names would
  // bounce a proposal at network speed until the follower learns better (simulation,
  // seed 4 of the first runs).
  refused_by_ = refused_by;
  if (refused_timer_ != 0) return;
  std::weak_ptr<bool> alive = alive_;
  const int64_t hold_ms = std::max<int64_t>(timeouts_.heartbeat_ms, 1);
  refused_timer_ = host_->StartTimer(hold_ms, [this, alive] {
    if (alive.expired()) return;
    refused_timer_ = 0;
    refused_by_ = 0;
    ResubmitParked();
  });
}

void RaftElection::ResubmitParked() {
  if (parked_.empty() || !raft_running_ || transfer_ != nullptr) return;
  const uint64_t leader = RaftLeader();
  if (leader == 0 || leader == refused_by_ || HasStaleForwards(leader)) return;
  std::map<uint64_t, Parked> parked = std::move(parked_);
  parked_.clear();
  for (auto& [seq, p] : parked) Route(seq, std::move(p.data), std::move(p.done));
}

void RaftElection::ExpireParked() {
  // The first proposal past its deadline fails with every one after it (FailForward).
  const int64_t now = host_->NowMs();
  auto first = parked_.begin();
  while (first != parked_.end() && first->second.deadline_ms > now && raft_running_) ++first;
  std::vector<ProposeDone> expired;
  for (auto it = first; it != parked_.end(); it = parked_.erase(it)) {
    expired.push_back(std::move(it->second.done));
  }
  for (auto& d : expired) {
    if (d) d(Status::Unavailable("no leader"));
  }
  ArmParkedTimer();
}

void RaftElection::ScheduleFlush() {
  if (flush_posted_) return;
  flush_posted_ = true;
  std::weak_ptr<bool> alive = alive_;
  host_->Post([this, alive] {
    if (!alive.expired()) Flush();
  });
}

void RaftElection::ReplyForwarded(uint64_t origin, uint64_t origin_id, const Status& s) {
  links_->Send(origin, Channel::kQuorum, EncodeProposeResult(origin_id, s));
}

void RaftElection::Flush() {
  flush_posted_ = false;
  if (batch_.empty()) return;
  std::vector<Queued> items = std::move(batch_);
  batch_.clear();
  auto fail_all = [&](const Status& s) {
    for (Queued& q : items) {
      if (q.origin != 0) {
        ReplyForwarded(q.origin, q.origin_id, s);
      } else if (q.done) {
        Defer([done = std::move(q.done), s] { done(s); });
      }
    }
  };
  // Not leading (any more), or handing leadership away: nothing goes in the log, so every
  // proposal may go to the next leader: forwarders are told so, local ones wait parked.
  auto refuse_all = [&] {
    for (Queued& q : items) {
      if (q.origin != 0) {
        ReplyForwarded(q.origin, q.origin_id, RefusalStatus());
      } else {
        Park(q.seq, std::move(q.data), std::move(q.done));
      }
    }
  };
  if (!IsRaftLeader() || transfer_ != nullptr) {
    refuse_all();
    AfterRaftEvent();
    return;
  }
  if (io_->storage_failed()) {
    // Between the failure and the fail-stop, libraft must take no new entry: after a failed
    // leader append it truncates its log and would append the new ones at the same (term,
    // index), which its reference counts cannot tell apart from the old ones still being
    // sent (a double free, simulation seed 8002137).
    fail_all(Status::IoError("the storage failed; this server is stopping"));
    AfterRaftEvent();
    return;
  }
  // Every entry carries the leader's current term (8 bytes, big-endian) ahead of the
  // payload: the entry's own term, which fsm->apply is not given (zxid epoch, DESIGN §3).
  const uint64_t term = raft_.current_term;
  std::vector<raft_buffer> bufs(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& d = items[i].data;
    auto* base = static_cast<uint8_t*>(raft_malloc(d.size() + 8));
    if (base == nullptr) {
      for (size_t j = 0; j < i; ++j) raft_free(bufs[j].base);
      fail_all(Status::IoError("out of memory"));
      AfterRaftEvent();
      return;
    }
    for (int b = 0; b < 8; ++b) base[b] = static_cast<uint8_t>(term >> (56 - 8 * b));
    std::memcpy(base + 8, d.data(), d.size());
    bufs[i].base = base;
    bufs[i].len = d.size() + 8;
  }
  auto* req = new ApplyReq;
  req->self = this;
  req->n = static_cast<unsigned>(items.size());
  req->req.data = req;
  // One raft_apply for the whole batch: one storage append and one AppendEntries per
  // follower. libraft calls back once (after the first entry applied, or on failure), so
  // each local proposal's `done` is keyed by its index and run from fsm apply.
  int rv = raft_apply(
      &raft_, &req->req, bufs.data(), req->n, [](struct raft_apply* r, int status, void*) {
        auto* a = static_cast<ApplyReq*>(r->data);
        RaftElection* self = a->self;
        if (status != 0) {
          const Status s =
              self->FailureStatus(std::string("not committed: ") + raft_strerror(status));
          for (uint64_t i = a->first; i < a->first + a->n; ++i) {
            auto it = self->applied_dones_.find(i);
            if (it == self->applied_dones_.end()) continue;
            if (it->second) self->Defer([done = std::move(it->second), s] { done(s); });
            self->applied_dones_.erase(it);
          }
        }
        delete a;
      });
  if (rv != 0) {
    for (raft_buffer& b : bufs) raft_free(b.base);
    delete req;
    if (rv == RAFT_NOTLEADER) {
      refuse_all();
    } else {
      fail_all(Status::Unavailable(std::string("raft_apply: ") + raft_strerror(rv)));
    }
    AfterRaftEvent();
    return;
  }
  req->first = req->req.index;
  for (size_t i = 0; i < items.size(); ++i) {
    Queued& q = items[i];
    if (q.origin != 0) {
      ReplyForwarded(q.origin, q.origin_id, Status::OK());
    } else if (q.done) {
      applied_dones_[req->first + i] = std::move(q.done);
    }
  }
  AfterRaftEvent();
}

Status RaftElection::OnForwardedProposal(uint64_t from, const std::string& payload) {
  uint64_t id = 0;
  std::string data;
  Status s = DecodePropose(payload, &id, &data);
  if (!s.ok()) return s;
  if (!IsRaftLeader() || transfer_ != nullptr) {
    ReplyForwarded(from, id, RefusalStatus());
    return Status::OK();
  }
  batch_.push_back(Queued{std::move(data), nullptr, 0, from, id});
  ScheduleFlush();
  return Status::OK();
}

Status RaftElection::OnProposeResult(uint64_t from, const std::string& payload) {
  uint64_t seq = 0;
  Status result;
  Status s = DecodeProposeResult(payload, &seq, &result);
  if (!s.ok()) return s;
  auto it = forwarded_.find(seq);
  if (it == forwarded_.end() || it->second.leader != from) return Status::OK();
  if (it->second.timer != 0) host_->CancelTimer(it->second.timer);
  ProposeDone done = std::move(it->second.done);
  std::string data = std::move(it->second.data);
  forwarded_.erase(it);
  if (IsRefusal(result)) {
    // Certainly not in the log: it goes to the next leader, in its place among the parked.
    Park(seq, std::move(data), std::move(done));
    HoldParkedFor(from);
  } else if (done) {
    // Not from inside the link's read loop: the done may stop the election.
    std::weak_ptr<bool> alive = alive_;
    host_->Post([alive, done = std::move(done), result] {
      if (!alive.expired()) done(result);
    });
  }
  AfterRaftEvent();  // an answer from an old leader may release the parked proposals
  return Status::OK();
}

void RaftElection::SendToLeader(std::string payload) {
  if (!raft_running_) return;
  if (IsRaftLeader()) {
    std::weak_ptr<bool> alive = alive_;
    host_->Post([this, alive, payload = std::move(payload)] {
      if (!alive.expired()) ctx_.state_machine->OnFollowerMessage(ctx_.my_id, payload);
    });
    return;
  }
  const uint64_t leader = RaftLeader();
  if (leader != 0) links_->Send(leader, Channel::kQuorum, EncodeFollowerMessage(payload));
}

void RaftElection::TransferLeadership(uint64_t to, ProposeDone done) {
  std::weak_ptr<bool> alive = alive_;
  auto fail_later = [this, alive, &done](const Status& s) {
    if (!done) return;
    host_->Post([alive, done = std::move(done), s] {
      if (!alive.expired()) done(s);
    });
  };
  if (!IsRaftLeader()) {
    fail_later(Status::Unavailable("not the leader"));
    return;
  }
  if (transfer_ != nullptr) {
    fail_later(Status::Unavailable("a leadership transfer is already in progress"));
    return;
  }
  auto* t = new TransferReq;
  t->self = this;
  t->done = std::move(done);
  t->req.data = t;
  // `to` is a zoo.cfg id; raft id 0 lets libraft pick the most up-to-date voter.
  const uint64_t raft_to = to == kAnyServer ? 0 : to + 1;
  int rv = raft_transfer(&raft_, &t->req, raft_to, [](struct raft_transfer* req) {
    auto* t = static_cast<TransferReq*>(req->data);
    RaftElection* self = t->self;
    self->transfer_ = nullptr;
    // Called once the target is seen leading, after an election timeout, or on close.
    const bool moved = self->raft_running_ && self->RaftLeader() == req->id;
    Status s = moved ? Status::OK()
                     : self->FailureStatus("leadership did not move to server." +
                                           std::to_string(req->id - 1));
    if (t->done) self->Defer([done = std::move(t->done), s] { done(s); });
    delete t;
  });
  if (rv != 0) {
    ProposeDone d = std::move(t->done);
    delete t;
    Status s = rv == RAFT_BADID || rv == RAFT_NOTFOUND
                   ? Status::InvalidArgument(std::string("cannot transfer leadership to server.") +
                                             std::to_string(to) + ": " + raft_strerror(rv))
                   : Status::Unavailable(std::string("raft_transfer: ") + raft_strerror(rv));
    done = std::move(d);
    fail_later(s);
    return;
  }
  transfer_ = t;
  AfterRaftEvent();
}

}  // namespace zk::election_raft
