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
  // Forwarded proposals queued on, or in flight over, that link are lost with it.
  if (ch == Channel::kQuorum) {
    FailForwarded(peer, FailureStatus("link to the leader lost"));
    AfterRaftEvent();
  }
}

void RaftElection::Propose(std::string data, ProposeDone done) {
  std::weak_ptr<bool> alive = alive_;
  auto fail_later = [this, alive, &done](const Status& s) {
    if (!done) return;
    host_->Post([alive, done = std::move(done), s] {
      if (!alive.expired()) done(s);
    });
  };
  if (!raft_running_) {
    fail_later(Status::Unavailable(stopped_ ? "election stopped" : "raft is not running"));
    return;
  }
  if (IsRaftLeader()) {
    batch_.push_back(Queued{std::move(data), std::move(done), 0, 0});
    ScheduleFlush();
    return;
  }
  const uint64_t leader = RaftLeader();
  if (leader == 0) {
    Park(std::move(data), std::move(done));
    return;
  }
  const uint64_t id = next_forward_id_++;
  if (!links_->Send(leader, Channel::kQuorum, EncodePropose(id, data))) {
    Park(std::move(data), std::move(done));
    return;
  }
  Forwarded& f = forwarded_[id];
  f.data = std::move(data);
  f.done = std::move(done);
  f.leader = leader;
  f.timer = host_->StartTimer(ForwardTimeoutMs(timeouts_), [this, alive, id] {
    if (alive.expired()) return;
    auto it = forwarded_.find(id);
    if (it == forwarded_.end()) return;
    ProposeDone d = std::move(it->second.done);
    forwarded_.erase(it);
    if (d) d(Status::Unavailable("no answer from the leader"));
  });
}

void RaftElection::Park(std::string data, ProposeDone done) {
  parked_.push_back(Parked{std::move(data), std::move(done),
                           host_->NowMs() + ForwardTimeoutMs(timeouts_)});
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

void RaftElection::ResubmitParked() {
  if (parked_.empty() || !raft_running_ || (!IsRaftLeader() && RaftLeader() == 0)) return;
  std::vector<Parked> parked = std::move(parked_);
  parked_.clear();
  for (Parked& p : parked) Propose(std::move(p.data), std::move(p.done));
}

void RaftElection::ExpireParked() {
  const int64_t now = host_->NowMs();
  std::vector<ProposeDone> expired;
  std::vector<Parked> keep;
  for (Parked& p : parked_) {
    if (p.deadline_ms <= now || !raft_running_) {
      expired.push_back(std::move(p.done));
    } else {
      keep.push_back(std::move(p));
    }
  }
  parked_ = std::move(keep);
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
  if (!IsRaftLeader()) {
    fail_all(Status::Unavailable("not the leader"));
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
    fail_all(Status::Unavailable(std::string("raft_apply: ") + raft_strerror(rv)));
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
  if (!IsRaftLeader()) {
    ReplyForwarded(
        from, id,
        Status::Unavailable("server." + std::to_string(ctx_.my_id) + " is not the leader"));
    return Status::OK();
  }
  batch_.push_back(Queued{std::move(data), nullptr, from, id});
  ScheduleFlush();
  return Status::OK();
}

Status RaftElection::OnProposeResult(uint64_t from, const std::string& payload) {
  uint64_t id = 0;
  Status result;
  Status s = DecodeProposeResult(payload, &id, &result);
  if (!s.ok()) return s;
  auto it = forwarded_.find(id);
  if (it == forwarded_.end() || it->second.leader != from) return Status::OK();
  if (it->second.timer != 0) host_->CancelTimer(it->second.timer);
  ProposeDone done = std::move(it->second.done);
  std::string data = std::move(it->second.data);
  forwarded_.erase(it);
  if (result.code() == Status::Code::kUnavailable &&
      result.message().find("is not the leader") != std::string::npos) {
    // Refused, so certainly not in the log: try again with the next leader.
    Park(std::move(data), std::move(done));
    return Status::OK();
  }
  if (done) {
    // Not from inside the link's read loop: the done may stop the election.
    std::weak_ptr<bool> alive = alive_;
    host_->Post([alive, done = std::move(done), result] {
      if (!alive.expired()) done(result);
    });
  }
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
  // `to` is a zoo.cfg id; 0 lets libraft pick the most up-to-date voter (election.h).
  int rv = raft_transfer(&raft_, &t->req, to == 0 ? 0 : to + 1, [](struct raft_transfer* req) {
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
