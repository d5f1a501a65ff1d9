// Election plugin `raft`: libraft 0.15 (canonical/raft) ordering transactions for an
// ensemble, over our Transport and Storage plugins (README.md). Core loop only: every
// libraft call and callback, every StateMachine call, every `done`.
//
// Ids: zoo.cfg `server.X` is raft id X+1 (raft id 0 means "none"; the seed uses server.0).
// role(), leader_id() and StateMachine calls speak zoo.cfg ids.
#pragma once

// raft.h has no extern "C" guard of its own.
extern "C" {
#include <raft.h>
}

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "links.h"
#include "raft_io.h"
#include "zk/election.h"

namespace zk::election_raft {

// Values of the plugin keys (plugin.cc); 0 means "derive from tickTime".
struct Settings {
  int64_t election_timeout_ms = 0;
  int64_t heartbeat_timeout_ms = 0;
  int64_t snapshot_trailing = 2048;
  // A snapshot is also taken once this many bytes of entries were applied since the last
  // one (libraft keeps every entry since the last snapshot in memory). 0 = no byte bound.
  int64_t snapshot_log_bytes = int64_t{64} << 20;
};

// The timeouts a configuration yields (README.md "Timeouts").
struct Timeouts {
  int64_t election_ms = 0;
  int64_t heartbeat_ms = 0;
  int64_t tick_ms = 0;
};
Timeouts DeriveTimeouts(const Settings& s, int tick_time_ms);

class RaftElection final : public Election {
 public:
  // `host` is borrowed and must outlive this object.
  RaftElection(Host* host, Settings settings);
  ~RaftElection() override;

  Status Start(const ElectionContext& ctx) override;
  void Propose(std::string data, ProposeDone done) override;
  void SendToLeader(std::string payload) override;
  void TransferLeadership(uint64_t to, ProposeDone done) override;
  void Stop() override;

  Role role() const override { return role_; }
  uint64_t leader_id() const override { return leader_raft_ == 0 ? 0 : leader_raft_ - 1; }
  ElectionStats Stats() const override;

 private:
  // Local proposals carry a sequence number (Propose order) through every route they take:
  // batched here, forwarded, refused, parked and sent again. Nothing is sent while an older
  // one is unresolved elsewhere, so the log holds one server's proposals in Propose order
  // (FIFO per session, DESIGN §3) even across a leader change.
  struct Queued {  // a proposal waiting for the next raft_apply (leader)
    std::string data;
    ProposeDone done;        // local proposal
    uint64_t seq = 0;        // local proposal: its sequence number
    uint64_t origin = 0;     // raft id of the follower that forwarded it, 0 if local
    uint64_t origin_id = 0;  // its request id there
  };
  struct Forwarded {  // a proposal sent to the leader, waiting for its ProposeResult
    std::string data;  // kept to send it again if that server refuses (not the leader)
    ProposeDone done;
    uint64_t leader = 0;
    TimerId timer = 0;
  };
  struct ApplyReq;
  struct BarrierReq;
  struct TransferReq;

  Status BuildConfiguration(raft_configuration* conf, std::string* my_address);
  // libraft fsm.
  void ApplyEntry(const raft_buffer* buf);
  // fsm version 3: TakeSnapshot (core loop) has the state machine stream its bytes, off the
  // loop, into a storage writer (RaftIo::BeginLocalSnapshot); FillSnapshot (libraft's async
  // work, run once they are all written) hands libraft a marker buffer that snapshot_put
  // turns into a commit of that writer; FinalizeSnapshot drops an uncommitted one.
  // MaybeForceSnapshot (per applied entry) adds the byte bound on the in-memory log.
  int TakeSnapshot(raft_buffer* bufs[], unsigned* n_bufs);
  int FillSnapshot(raft_buffer* bufs[], unsigned* n_bufs);
  int FinalizeSnapshot(raft_buffer* bufs[], unsigned* n_bufs);
  void MaybeForceSnapshot(size_t entry_bytes);
  void AsyncGate(std::function<void()> run);
  int RestoreSnapshot(raft_buffer* buf);

  // After every libraft call or callback: role changes, the leader's barrier, deferred
  // `done`s. Never inside libraft.
  void AfterRaftEvent();
  bool UpdateRole();  // true if the StateMachine was told of a change
  void IssueBarrier();
  // Tells followers of a new commit index at once (posted, so one kick covers a burst).
  void ScheduleCommitKick();
  void Defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }
  void FailStop(const Status& why);
  void FailLocalProposals(const Status& why);
  void FailForwarded(uint64_t leader, const Status& why);  // leader 0: all
  Status FailureStatus(const std::string& what) const;
  // The answer to a proposal this server did not put in the log because it does not lead
  // (or is handing leadership away): certainly not committed, so the forwarder may send it
  // again to the next leader. IsRefusal recognises it in a ProposeResult.
  Status RefusalStatus() const;
  static bool IsRefusal(const Status& s);

  // Peer frames (links.h FrameFn) and proposals.
  Status OnFrame(uint64_t from, Channel ch, const std::string& payload);
  void OnLinkDown(uint64_t peer, Channel ch);
  Status OnForwardedProposal(uint64_t from, const std::string& payload);
  Status OnProposeResult(uint64_t from, const std::string& payload);
  void ScheduleFlush();
  void Flush();
  void ReplyForwarded(uint64_t origin, uint64_t origin_id, const Status& s);
  bool IsRaftLeader() const;
  uint64_t RaftLeader() const;

  Host* const host_;
  const Settings settings_;
  ElectionContext ctx_;
  Timeouts timeouts_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

  uint64_t my_raft_id_ = 0;
  bool my_voter_ = true;
  std::map<uint64_t, std::string> addresses_;  // raft id -> "host:quorumPort:electionPort"
  std::map<uint64_t, bool> voters_;

  std::unique_ptr<Links> links_;
  std::unique_ptr<RaftIo> io_;
  raft raft_{};
  raft_fsm fsm_{};
  bool snapshot_taking_ = false;       // between TakeSnapshot and FinalizeSnapshot
  bool snapshot_ready_ = false;        // the state machine finished streaming its bytes
  Status snapshot_status_;             // how that ended
  // Bytes of log entries applied since the last snapshot started (log memory bound).
  uint64_t log_bytes_since_snapshot_ = 0;
  bool snapshot_forced_ = false;  // the entry threshold was lowered to start one now
  std::function<void()> snapshot_run_;  // libraft's async work, waiting for the bytes
  bool started_ = false;       // Start was called
  bool raft_inited_ = false;   // raft_init succeeded, raft_close not yet called
  bool raft_running_ = false;  // raft_start succeeded, not closed
  bool stopped_ = false;
  bool stopping_ = false;

  // Reported role (zoo.cfg semantics) and what it was derived from.
  Role role_ = Role::kLooking;
  uint64_t leader_raft_ = 0;
  uint64_t barrier_term_ = 0;  // term whose leader barrier was issued
  bool leader_ready_ = false;  // that barrier is applied: the state machine is complete
  bool was_raft_leader_ = false;
  uint64_t known_leader_ = 0;  // the last leader libraft named (kept while none is known)
  std::unordered_map<uint64_t, int64_t> leader_contact_ms_;  // AppendEntries/snapshot seen
  std::unordered_map<uint64_t, int64_t> heard_ms_;           // any frame seen
  ElectionStats final_stats_;                                // kept when raft closes
  bool in_after_event_ = false;
  uint64_t kicked_commit_ = 0;  // commit index followers were last kicked with
  bool kick_posted_ = false;
  std::vector<std::function<void()>> deferred_;

  std::vector<Queued> batch_;
  bool flush_posted_ = false;
  std::map<uint64_t, ProposeDone> applied_dones_;  // raft index -> local proposal
  std::map<uint64_t, Forwarded> forwarded_;
  // Proposals made while no leader was known (an election, a handoff): sent as soon as one
  // is, or failed after ForwardTimeoutMs, so a brief leaderless moment fails no write.
  struct Parked {
    std::string data;
    ProposeDone done;
    int64_t deadline_ms = 0;
  };
  std::map<uint64_t, Parked> parked_;  // by sequence number
  TimerId parked_timer_ = 0;
  // The server that last refused a forwarded proposal: parked proposals are not sent to it
  // again until another leader is known or a heartbeat interval passed (HoldParkedFor).
  uint64_t refused_by_ = 0;
  TimerId refused_timer_ = 0;
  void HoldParkedFor(uint64_t refused_by);
  // Sends a proposal on its way: into the batch (leader), to the leader, or parked while no
  // leader takes proposals or an older proposal is still unresolved.
  void Route(uint64_t seq, std::string data, ProposeDone done);
  void Park(uint64_t seq, std::string data, ProposeDone done);
  void ArmParkedTimer();
  void ResubmitParked();
  void ExpireParked();
  // A forwarded proposal that failed (not a refusal): it and every parked proposal after it
  // fail, so no later proposal of this server enters the log without it.
  void FailForward(uint64_t seq, const Status& why);
  // True while a proposal forwarded to a server other than `leader` awaits its answer.
  bool HasStaleForwards(uint64_t leader) const;
  // The leader changed: forwards to `old_leader` get at most an election timeout to answer
  // (a server handing leadership away refuses them within a round trip).
  void ShortenForwards(uint64_t old_leader);
  uint64_t next_seq_ = 1;
  // The leader's link went down: libraft forgets it, so this server grants votes at once,
  // and campaigns after a delay staggered by rank, so the survivors elect one of them
  // without waiting an election timeout and without splitting the vote (README.md).
  void OnLeaderLinkLost(uint64_t leader);
  TimerId campaign_timer_ = 0;
  TransferReq* transfer_ = nullptr;
};

}  // namespace zk::election_raft
