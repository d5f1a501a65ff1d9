// Lifecycle, the libraft fsm, role reporting and stats of the raft election plugin.
// Proposals, forwarding and peer frames are in propose.cc.
#include "raft_election.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace zk::election_raft {

struct RaftElection::BarrierReq {
  struct raft_barrier req {};
  RaftElection* self = nullptr;
  uint64_t term = 0;
};

namespace {

std::string Address(const PeerInfo& p) {
  return p.quorum.host + ":" + std::to_string(p.quorum.port) + ":" +
         std::to_string(p.election.port);
}

}  // namespace

Timeouts DeriveTimeouts(const Settings& s, int tick_time_ms) {
  Timeouts t;
  // tickTime/10 with a 200 ms floor: 200 ms at the usual tickTime=2000. libraft randomizes
  // each follower's timeout in [E, 2E]; a dead leader is replaced after about 1.7 E.
  t.election_ms =
      s.election_timeout_ms > 0 ? s.election_timeout_ms : std::max<int64_t>(200, tick_time_ms / 10);
  t.heartbeat_ms =
      s.heartbeat_timeout_ms > 0 ? s.heartbeat_timeout_ms : std::max<int64_t>(1, t.election_ms / 5);
  // The timers live in libraft and are checked on each tick: a fine tick keeps the
  // detection close to the randomized timeout.
  t.tick_ms = std::clamp<int64_t>(t.heartbeat_ms / 4, 1, 10);
  return t;
}

RaftElection::RaftElection(Host* host, Settings settings) : host_(host), settings_(settings) {}

RaftElection::~RaftElection() {
  Stop();
  alive_.reset();
  // Destroyed in this order: links (no more frames), then io (its timers).
  links_.reset();
  io_.reset();
}

Status RaftElection::BuildConfiguration(raft_configuration* conf, std::string* my_address) {
  std::vector<PeerInfo> peers = ctx_.peers;
  std::sort(peers.begin(), peers.end(),
            [](const PeerInfo& a, const PeerInfo& b) { return a.id < b.id; });
  bool found = false;
  int voters = 0;
  for (const PeerInfo& p : peers) {
    const uint64_t id = p.id + 1;
    const std::string address = Address(p);
    // Observers are RAFT_STANDBY: they receive the log (libraft skips RAFT_SPARE servers
    // when replicating) but never vote or count for a quorum, like ZooKeeper observers.
    int rv = raft_configuration_add(conf, id, address.c_str(), p.voter ? RAFT_VOTER : RAFT_STANDBY);
    if (rv != 0) {
      return Status::InvalidArgument("raft: server." + std::to_string(p.id) + "=" + address + ": " +
                                     raft_strerror(rv) + " (duplicate id or address?)");
    }
    addresses_[id] = address;
    voters_[id] = p.voter;
    voters += p.voter ? 1 : 0;
    if (p.id == ctx_.my_id) {
      found = true;
      my_voter_ = p.voter;
      *my_address = address;
    }
  }
  if (!found) {
    return Status::InvalidArgument("raft: myid " + std::to_string(ctx_.my_id) + " has no server." +
                                   std::to_string(ctx_.my_id) + " line");
  }
  if (voters == 0) return Status::InvalidArgument("raft: every server line is an observer");
  return Status::OK();
}

Status RaftElection::Start(const ElectionContext& ctx) {
  if (started_) return Status::InvalidArgument("raft: Start called twice");
  started_ = true;
  ctx_ = ctx;
  if (ctx.host == nullptr || ctx.storage == nullptr || ctx.transport == nullptr ||
      ctx.state_machine == nullptr) {
    return Status::InvalidArgument("raft: incomplete ElectionContext");
  }
  if (ctx.peers.empty()) {
    return Status::InvalidArgument("raft: no server.N lines (use plugin.election=standalone)");
  }
  timeouts_ = DeriveTimeouts(settings_, ctx.tick_ms);
  if (timeouts_.heartbeat_ms >= timeouts_.election_ms) {
    return Status::InvalidArgument("election.raft.heartbeatTimeoutMs (" +
                                   std::to_string(timeouts_.heartbeat_ms) +
                                   ") must be smaller than election.raft.electionTimeoutMs (" +
                                   std::to_string(timeouts_.election_ms) + ")");
  }
  my_raft_id_ = ctx.my_id + 1;

  raft_configuration conf;
  raft_configuration_init(&conf);
  std::string my_address;
  Status s = BuildConfiguration(&conf, &my_address);
  if (!s.ok()) {
    raft_configuration_close(&conf);
    return s;
  }

  std::map<uint64_t, PeerEndpoints> peers;
  Endpoint my_quorum, my_election;
  for (const PeerInfo& p : ctx.peers) {
    if (p.id == ctx.my_id) {
      my_quorum = p.quorum;
      my_election = p.election;
    } else {
      peers[p.id + 1] = PeerEndpoints{p.quorum, p.election};
    }
  }
  links_ = std::make_unique<Links>(
      host_, ctx.transport, my_raft_id_, std::move(peers),
      [this](uint64_t from, Channel ch, std::string payload) { return OnFrame(from, ch, payload); },
      [this](uint64_t peer, Channel ch) { OnLinkDown(peer, ch); });
  s = links_->Listen(my_quorum, my_election);
  if (!s.ok()) {
    raft_configuration_close(&conf);
    return s;
  }

  RaftIo::Hooks hooks;
  hooks.after_event = [this] { AfterRaftEvent(); };
  hooks.async_gate = [this](std::function<void()> run) { AsyncGate(std::move(run)); };
  hooks.can_send = [this](uint64_t to, Channel ch) { return links_->CanSend(to, ch); };
  hooks.send_frame = [this](uint64_t to, Channel ch, std::string frame) {
    return links_->Send(to, ch, std::move(frame));
  };
  std::weak_ptr<bool> alive = alive_;
  hooks.storage_failed = [this, alive](const Status& why) {
    // Possibly inside libraft: stop on the next turn of the loop.
    host_->Post([this, alive, why] {
      if (!alive.expired()) FailStop(why);
    });
  };
  io_ = std::make_unique<RaftIo>(host_, ctx.storage, std::max(ctx.snap_retain_count, 1),
                                 std::move(hooks));
  io_->set_tick_ms(timeouts_.tick_ms);
  s = io_->LoadState();
  if (!s.ok()) {
    raft_configuration_close(&conf);
    return s;
  }
  const bool pristine = io_->pristine();

  fsm_.version = 3;
  fsm_.data = this;
  fsm_.apply = [](raft_fsm* fsm, const raft_buffer* buf, void** result) {
    *result = nullptr;
    static_cast<RaftElection*>(fsm->data)->ApplyEntry(buf);
    return 0;
  };
  fsm_.snapshot = [](raft_fsm* fsm, raft_buffer* bufs[], unsigned* n) {
    return static_cast<RaftElection*>(fsm->data)->TakeSnapshot(bufs, n);
  };
  fsm_.restore = [](raft_fsm* fsm, raft_buffer* buf) {
    return static_cast<RaftElection*>(fsm->data)->RestoreSnapshot(buf);
  };
  fsm_.snapshot_async = [](raft_fsm* fsm, raft_buffer* bufs[], unsigned* n) {
    return static_cast<RaftElection*>(fsm->data)->FillSnapshot(bufs, n);
  };
  fsm_.snapshot_finalize = [](raft_fsm* fsm, raft_buffer* bufs[], unsigned* n) {
    return static_cast<RaftElection*>(fsm->data)->FinalizeSnapshot(bufs, n);
  };
  int rv = raft_init(&raft_, io_->io(), &fsm_, my_raft_id_, my_address.c_str());
  if (rv != 0) {
    raft_configuration_close(&conf);
    return Status::InvalidArgument(std::string("raft: raft_init: ") + raft_strerror(rv));
  }
  raft_inited_ = true;
  raft_set_election_timeout(&raft_, static_cast<unsigned>(timeouts_.election_ms));
  raft_set_heartbeat_timeout(&raft_, static_cast<unsigned>(timeouts_.heartbeat_ms));
  raft_set_snapshot_threshold(
      &raft_, static_cast<unsigned>(std::clamp<int64_t>(ctx.snap_count, 1, 1u << 30)));
  raft_set_snapshot_trailing(
      &raft_, static_cast<unsigned>(std::clamp<int64_t>(settings_.snapshot_trailing, 0, 1u << 30)));
  raft_set_pre_vote(&raft_, true);

  if (pristine) {
    // Every server derives the same configuration from the same server lines (sorted by
    // id, same addresses and roles), so every first log entry is identical.
    rv = raft_bootstrap(&raft_, &conf);
    if (rv != 0) {
      raft_configuration_close(&conf);
      raft_close(&raft_, [](raft*) {});
      raft_inited_ = false;
      return Status::IoError(std::string("raft: bootstrap failed: ") + raft_strerror(rv) + " " +
                             raft_errmsg(&raft_));
    }
    host_->Log(LogLevel::kInfo, "raft: empty storage, bootstrapped a configuration of " +
                                    std::to_string(conf.n) + " servers");
  }
  raft_configuration_close(&conf);

  rv = raft_start(&raft_);
  if (rv != 0) {
    const std::string msg =
        std::string("raft: start failed: ") + raft_strerror(rv) + " " + raft_errmsg(&raft_);
    raft_close(&raft_, [](raft*) {});
    raft_inited_ = false;
    return Status::Corruption(msg);
  }
  raft_running_ = true;
  host_->Log(LogLevel::kInfo, "raft: server." + std::to_string(ctx.my_id) + " (raft id " +
                                  std::to_string(my_raft_id_) +
                                  (my_voter_ ? ", voter" : ", observer") + ") started at term " +
                                  std::to_string(raft_.current_term) + ", last index " +
                                  std::to_string(raft_last_index(&raft_)) + "; election timeout " +
                                  std::to_string(timeouts_.election_ms) + " ms, heartbeat " +
                                  std::to_string(timeouts_.heartbeat_ms) + " ms");
  AfterRaftEvent();
  return Status::OK();
}

void RaftElection::ApplyEntry(const raft_buffer* buf) {
  // libraft 0.15 raises last_applied after fsm->apply returns (replicationApply), so the
  // entry being applied is the next one.
  const uint64_t index = raft_last_applied(&raft_) + 1;
  if (buf->len < 8) {
    host_->Log(LogLevel::kError, "raft: log entry " + std::to_string(index) +
                                     " has no term prefix; skipped on every server");
    return;
  }
  const auto* p = static_cast<const uint8_t*>(buf->base);
  uint64_t term = 0;
  for (int i = 0; i < 8; ++i) term = (term << 8) | p[i];
  ctx_.state_machine->Apply(index, term,
                            std::string(reinterpret_cast<const char*>(p) + 8, buf->len - 8));
  MaybeForceSnapshot(buf->len);
  auto it = applied_dones_.find(index);
  if (it != applied_dones_.end()) {
    if (it->second) Defer([done = std::move(it->second)] { done(Status::OK()); });
    applied_dones_.erase(it);
  }
}

// libraft 0.15 takes a snapshot only after `threshold` applied entries; its whole log since
// the last snapshot stays in memory, so large entries need a byte bound too (ZooKeeper 3.8
// snapshots after snapCount txns or snapSizeLimitInKb of txn log, whichever comes first).
// Lowering the threshold to 1 makes libraft take one at the end of this apply batch.
void RaftElection::MaybeForceSnapshot(size_t entry_bytes) {
  log_bytes_since_snapshot_ += entry_bytes;
  if (settings_.snapshot_log_bytes <= 0 || snapshot_forced_ || snapshot_taking_ ||
      log_bytes_since_snapshot_ < static_cast<uint64_t>(settings_.snapshot_log_bytes)) {
    return;
  }
  snapshot_forced_ = true;
  raft_set_snapshot_threshold(&raft_, 1);
}

int RaftElection::TakeSnapshot(raft_buffer* bufs[], unsigned* n_bufs) {
  *bufs = nullptr;
  *n_bufs = 0;
  if (snapshot_taking_) return RAFT_BUSY;  // libraft retries at the next threshold
  Status s;
  std::shared_ptr<RaftIo::LocalSnapshot> local = io_->BeginLocalSnapshot(&s);
  if (!local) {
    host_->Log(LogLevel::kError, "raft: cannot start a snapshot: " + s.ToString());
    return RAFT_BUSY;  // retried at the next apply
  }
  if (snapshot_forced_) {
    snapshot_forced_ = false;
    raft_set_snapshot_threshold(
        &raft_, static_cast<unsigned>(std::clamp<int64_t>(ctx_.snap_count, 1, 1u << 30)));
  }
  log_bytes_since_snapshot_ = 0;
  snapshot_taking_ = true;
  snapshot_ready_ = false;
  snapshot_status_ = Status::OK();
  std::weak_ptr<bool> alive = alive_;
  // The bytes go from the state machine's thread straight into storage's writer.
  ctx_.state_machine->StreamSnapshotAsync(
      [local](const char* data, size_t size) { return local->Write(data, size); },
      [this, alive](Status status) {
        if (alive.expired()) return;
        snapshot_status_ = std::move(status);
        snapshot_ready_ = true;
        if (snapshot_run_) {
          auto run = std::move(snapshot_run_);
          snapshot_run_ = nullptr;
          run();
        }
      });
  return 0;
}

void RaftElection::AsyncGate(std::function<void()> run) {
  if (snapshot_ready_) {
    std::weak_ptr<bool> alive = alive_;
    host_->Post([alive, run = std::move(run)] {
      if (!alive.expired()) run();
    });
  } else {
    snapshot_run_ = std::move(run);
  }
}

int RaftElection::FillSnapshot(raft_buffer* bufs[], unsigned* n_bufs) {
  if (!snapshot_status_.ok()) {
    host_->Log(LogLevel::kError, "raft: taking a snapshot failed: " + snapshot_status_.ToString());
    return RAFT_IOERR;
  }
  auto* b = static_cast<raft_buffer*>(raft_malloc(sizeof(raft_buffer)));
  if (b == nullptr) return RAFT_NOMEM;
  // The bytes are in storage's writer already; snapshot_put commits them (raft_io.h).
  *b = RaftIo::LocalMarker();
  *bufs = b;
  *n_bufs = 1;
  return 0;
}

int RaftElection::FinalizeSnapshot(raft_buffer* bufs[], unsigned* n_bufs) {
  raft_free(*bufs);
  *bufs = nullptr;
  *n_bufs = 0;
  io_->DropLocalSnapshot();  // no-op once snapshot_put committed it
  snapshot_ready_ = false;
  snapshot_taking_ = false;
  return 0;
}

int RaftElection::RestoreSnapshot(raft_buffer* buf) {
  Status s =
      ctx_.state_machine->Restore(io_->restore_index(), io_->restore_term(),
                                  std::string(static_cast<const char*>(buf->base), buf->len));
  if (!s.ok()) {
    host_->Log(LogLevel::kError, "raft: restoring the snapshot at index " +
                                     std::to_string(io_->restore_index()) +
                                     " failed: " + s.ToString());
    return RAFT_CORRUPT;
  }
  raft_free(buf->base);  // ownership passed to the fsm on success (snapshotRestore)
  return 0;
}

bool RaftElection::IsRaftLeader() const { return raft_running_ && raft_.state == RAFT_LEADER; }

uint64_t RaftElection::RaftLeader() const {
  if (!raft_running_) return 0;
  if (raft_.state == RAFT_LEADER) return my_raft_id_;
  return raft_.state == RAFT_FOLLOWER ? raft_.follower_state.current_leader.id : 0;
}

void RaftElection::IssueBarrier() {
  // A new leader does not know which entries of older terms are committed until it commits
  // one of its own (Raft §5.4.2, §8: a no-op at the start of the term; upstream 29bb302).
  // The server is told it leads only once this entry is applied, so its state machine then
  // holds every committed entry (ZooKeeper's leader also syncs before serving).
  if (io_->storage_failed()) return;  // no new entry after a storage failure (Flush)
  auto* b = new BarrierReq;
  b->self = this;
  b->term = raft_.current_term;
  b->req.data = b;
  int rv = raft_barrier(&raft_, &b->req, [](struct raft_barrier* req, int status) {
    auto* b = static_cast<BarrierReq*>(req->data);
    RaftElection* self = b->self;
    if (status == 0 && self->raft_running_ && self->raft_.state == RAFT_LEADER &&
        self->barrier_term_ == b->term) {
      self->leader_ready_ = true;
    }
    delete b;
  });
  if (rv != 0) {
    delete b;
    host_->Log(LogLevel::kWarn,
               std::string("raft: cannot append the leader barrier: ") + raft_strerror(rv));
  }
}

void RaftElection::ScheduleCommitKick() {
  if (kick_posted_ || !IsRaftLeader() || raft_.commit_index <= kicked_commit_) return;
  kick_posted_ = true;
  std::weak_ptr<bool> alive = alive_;
  host_->Post([this, alive] {
    if (alive.expired()) return;
    kick_posted_ = false;
    if (!IsRaftLeader() || raft_.commit_index <= kicked_commit_) return;
    kicked_commit_ = raft_.commit_index;
    io_->KickReplication();
    AfterRaftEvent();
  });
}

void RaftElection::AfterRaftEvent() {
  if (in_after_event_) return;  // the outer call loops until nothing changes
  in_after_event_ = true;
  ScheduleCommitKick();
  for (int round = 0; round < 16; ++round) {
    const bool changed = UpdateRole();
    if (!changed && deferred_.empty()) break;
    auto fns = std::move(deferred_);
    deferred_.clear();
    for (auto& fn : fns) fn();
  }
  in_after_event_ = false;
  ResubmitParked();
}

bool RaftElection::UpdateRole() {
  Role role = Role::kLooking;
  uint64_t leader = 0;
  if (raft_running_) {
    if (raft_.state == RAFT_UNAVAILABLE) {
      FailStop(Status::Unavailable(std::string("libraft stopped: ") + raft_errmsg(&raft_)));
      return UpdateRole();
    }
    const bool is_leader = raft_.state == RAFT_LEADER;
    if (is_leader && barrier_term_ != raft_.current_term) {
      barrier_term_ = raft_.current_term;
      leader_ready_ = false;
      IssueBarrier();
    }
    if (was_raft_leader_ && !is_leader) {
      FailLocalProposals(FailureStatus("leadership lost; the proposal may or may not commit"));
    }
    was_raft_leader_ = is_leader;
    const uint64_t raft_leader = RaftLeader();
    // Only a different leader puts in doubt what was forwarded to the last one (a moment as
    // a candidate that ends with the same leader loses nothing); the old leader still gets
    // a moment to answer, since one handing leadership away refuses what it did not log.
    if (raft_leader != 0 && raft_leader != known_leader_) {
      if (known_leader_ != 0 && known_leader_ != my_raft_id_) {
        ShortenForwards(known_leader_);
      }
      known_leader_ = raft_leader;
    }
    const int64_t now = host_->NowMs();
    if (is_leader) {
      if (leader_ready_) {
        role = Role::kLeader;
        leader = my_raft_id_;
      }
    } else if (raft_.state == RAFT_FOLLOWER && raft_leader != 0) {
      // No contact with the leader for an election timeout: report LOOKING, so the server
      // stops serving (DESIGN §3), even where libraft still names it (observers never
      // become candidates; voters only after their randomized timeout).
      auto it = leader_contact_ms_.find(raft_leader);
      if (it != leader_contact_ms_.end() && now - it->second <= timeouts_.election_ms) {
        role = my_voter_ ? Role::kFollower : Role::kObserver;
        leader = raft_leader;
      }
    }
  }
  if (role == role_ && leader == leader_raft_) return false;
  role_ = role;
  leader_raft_ = leader;
  host_->Log(LogLevel::kInfo,
             std::string("raft: role ") + RoleName(role) +
                 (leader ? ", leader server." + std::to_string(leader - 1) : "") +
                 (raft_running_ ? ", term " + std::to_string(raft_.current_term) : ""));
  ctx_.state_machine->OnRoleChange(role, leader == 0 ? 0 : leader - 1);
  return true;
}

Status RaftElection::FailureStatus(const std::string& what) const {
  return stopping_ ? Status::Aborted("election stopping") : Status::Unavailable(what);
}

namespace {
constexpr std::string_view kRefusalText = " is not the leader";
}  // namespace

Status RaftElection::RefusalStatus() const {
  return Status::Unavailable("server." + std::to_string(ctx_.my_id) + std::string(kRefusalText));
}

bool RaftElection::IsRefusal(const Status& s) {
  return s.code() == Status::Code::kUnavailable &&
         s.message().find(kRefusalText) != std::string::npos;
}

void RaftElection::FailLocalProposals(const Status& why) {
  for (auto& [index, done] : applied_dones_) {
    if (done) Defer([done = std::move(done), why] { done(why); });
  }
  applied_dones_.clear();
}

void RaftElection::FailForwarded(uint64_t leader, const Status& why) {
  for (auto it = forwarded_.begin(); it != forwarded_.end();) {
    if (leader != 0 && it->second.leader != leader) {
      ++it;
      continue;
    }
    if (it->second.timer != 0) host_->CancelTimer(it->second.timer);
    if (it->second.done) Defer([done = std::move(it->second.done), why] { done(why); });
    it = forwarded_.erase(it);
  }
  if (leader == 0) {  // everything: the parked proposals too
    for (auto& [seq, p] : parked_) {
      if (p.done) Defer([done = std::move(p.done), why] { done(why); });
    }
    parked_.clear();
    if (parked_timer_ != 0) host_->CancelTimer(parked_timer_);
    parked_timer_ = 0;
  }
}

void RaftElection::FailStop(const Status& why) {
  if (!raft_running_) return;
  host_->Log(LogLevel::kError, "raft: no longer taking part: " + why.ToString());
  final_stats_ = Stats();
  raft_running_ = false;
  raft_close(&raft_, [](raft*) {});  // our raft_io closes synchronously
  raft_inited_ = false;
  links_->CloseAll();
  const Status s = Status::Unavailable("raft stopped: " + why.message());
  for (Queued& q : batch_) {
    if (q.done) Defer([done = std::move(q.done), s] { done(s); });
  }
  batch_.clear();
  FailLocalProposals(s);
  FailForwarded(0, s);
  AfterRaftEvent();
}

void RaftElection::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_ = true;
  if (raft_inited_) {
    if (raft_running_) final_stats_ = Stats();
    raft_running_ = false;
    raft_inited_ = false;
    // Fails libraft's pending requests (apply, barrier, transfer) through their callbacks,
    // synchronously: our raft_io completes everything inside close.
    raft_close(&raft_, [](raft*) {});
  }
  if (campaign_timer_ != 0) host_->CancelTimer(campaign_timer_);
  campaign_timer_ = 0;
  if (links_) links_->CloseAll();
  const Status aborted = Status::Aborted("election stopping");
  for (Queued& q : batch_) {
    if (q.done) Defer([done = std::move(q.done), aborted] { done(aborted); });
  }
  batch_.clear();
  FailLocalProposals(aborted);
  FailForwarded(0, aborted);
  role_ = Role::kLooking;
  leader_raft_ = 0;
  auto fns = std::move(deferred_);
  deferred_.clear();
  for (auto& fn : fns) fn();
}

ElectionStats RaftElection::Stats() const {
  if (!raft_running_) {
    ElectionStats s = final_stats_;
    s.leader_id = 0;
    s.synced_followers = 0;
    s.learners = 0;
    return s;
  }
  auto* r = const_cast<raft*>(&raft_);
  ElectionStats s;
  s.last_index = raft_last_index(r);
  s.commit_index = r->commit_index;
  s.applied_index = raft_last_applied(r);
  s.term = r->current_term;
  s.leader_id = leader_id();
  if (r->state == RAFT_LEADER && r->leader_state.progress != nullptr) {
    const int64_t now = host_->NowMs();
    for (unsigned i = 0; i < r->configuration.n; ++i) {
      const raft_server& server = r->configuration.servers[i];
      if (server.id == my_raft_id_) continue;
      auto it = heard_ms_.find(server.id);
      const bool connected = it != heard_ms_.end() && now - it->second <= timeouts_.election_ms;
      if (connected) ++s.learners;
      if (connected && server.role == RAFT_VOTER &&
          r->leader_state.progress[i].match_index >= s.last_index) {
        ++s.synced_followers;
      }
    }
  }
  return s;
}

}  // namespace zk::election_raft
