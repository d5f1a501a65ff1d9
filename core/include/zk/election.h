// Election plugin interface: orders transactions and picks the leader. `standalone` commits
// locally for a single server; `raft` wraps libraft over our Transport and Storage.
// Everything here runs on the core loop unless stated otherwise.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "zk/host.h"
#include "zk/plugin.h"
#include "zk/status.h"
#include "zk/storage.h"
#include "zk/transport.h"

namespace zk {

enum class Role { kLooking = 0, kStandalone, kLeader, kFollower, kObserver };

inline const char* RoleName(Role r) {
  switch (r) {
    case Role::kStandalone: return "standalone";
    case Role::kLeader: return "leader";
    case Role::kFollower: return "follower";
    case Role::kObserver: return "observer";
    default: return "looking";
  }
}

// Implemented by core: the replicated state machine (DataTree + sessions).
class StateMachine {
 public:
  virtual ~StateMachine() = default;
  // Applies one committed entry. Called in log order, exactly once per entry per process
  // lifetime (after a restart, entries after the restored snapshot are applied again).
  virtual void Apply(uint64_t index, uint64_t term, const std::string& data) = 0;
  // Serializes the whole state as of the last applied entry.
  virtual std::string TakeSnapshot() = 0;
  // The same, without stalling the core loop: the state is captured at the call and `done`
  // runs later on the core loop with its bytes ("" if serializing failed). The default
  // serializes right away.
  virtual void TakeSnapshotAsync(std::function<void(std::string)> done) {
    done(TakeSnapshot());
  }
  // Replaces the whole state. REQUIRES: `data` came from TakeSnapshot.
  virtual Status Restore(uint64_t index, uint64_t term, const std::string& data) = 0;
  // The role or the known leader changed (leader_id 0 = none known).
  virtual void OnRoleChange(Role role, uint64_t leader_id) = 0;
  // On the leader: a message a follower sent with Election::SendToLeader (e.g. the sessions
  // it saw touched). Not part of the log.
  virtual void OnFollowerMessage(uint64_t from_id, const std::string& payload) {}
  // Added after the others (vtable order; see the ABI note in storage.h).
  // The same bytes as TakeSnapshot, streamed without stalling the core loop and without a
  // whole copy in this process: the state is captured at the call, `write` receives
  // consecutive pieces of it on another thread (it may also be called on the core loop before
  // this returns), then `done` runs on the core loop (possibly before this returns) with OK, or
  // with the first error of serializing or of `write` (which then is not called again). The default uses
  // TakeSnapshotAsync and writes the whole string at once.
  using SnapshotWrite = std::function<Status(const char* data, size_t size)>;
  virtual void StreamSnapshotAsync(SnapshotWrite write, std::function<void(Status)> done) {
    TakeSnapshotAsync([write = std::move(write), done = std::move(done)](std::string bytes) {
      if (bytes.empty()) {
        done(Status::IoError("serializing the snapshot failed"));
        return;
      }
      done(write(bytes.data(), bytes.size()));
    });
  }
};

// One `server.X` line.
struct PeerInfo {
  uint64_t id = 0;  // X as written in zoo.cfg
  Endpoint quorum;
  Endpoint election;
  bool voter = true;  // participant (true) or observer
};

struct ElectionContext {
  Host* host = nullptr;
  Storage* storage = nullptr;      // opened; Load() not yet called
  Transport* transport = nullptr;  // started
  StateMachine* state_machine = nullptr;
  uint64_t my_id = 0;
  std::vector<PeerInfo> peers;     // empty in standalone
  int tick_ms = 2000;
  int init_limit = 10;
  int sync_limit = 5;
  int64_t snap_count = 100000;     // snapshot after this many entries
  int snap_retain_count = 3;
};

struct ElectionStats {
  uint64_t last_index = 0;
  uint64_t commit_index = 0;
  uint64_t applied_index = 0;
  uint64_t term = 0;
  uint64_t leader_id = 0;
  int synced_followers = 0;
  int learners = 0;
};

class Election {
 public:
  using ProposeDone = std::function<void(Status)>;
  virtual ~Election() = default;

  // Loads state from storage (restoring the snapshot and applying the log through the
  // StateMachine), then starts taking part. Synchronous for recovery.
  virtual Status Start(const ElectionContext& ctx) = 0;
  // Appends `data` to the log. `done` runs after the entry was applied locally, or with an
  // error if it will not be (not leader, stopping). On a follower the plugin forwards.
  virtual void Propose(std::string data, ProposeDone done) = 0;
  // Sends an opaque message to the current leader's StateMachine::OnFollowerMessage, best
  // effort (dropped when there is no leader). On the leader itself it is delivered locally.
  virtual void SendToLeader(std::string payload) {}
  // TransferLeadership's `to` for "the most up-to-date voter, whichever it is".
  static constexpr uint64_t kAnyServer = ~uint64_t{0};
  // Hands leadership to server `to` (a zoo.cfg id, or kAnyServer). done(OK) once it leads.
  virtual void TransferLeadership(uint64_t to, ProposeDone done) = 0;
  // Stops taking part; pending proposals fail with kAborted. Idempotent.
  virtual void Stop() = 0;

  virtual Role role() const = 0;
  virtual uint64_t leader_id() const = 0;
  virtual ElectionStats Stats() const = 0;
};

class ElectionFactory : public PluginFactory {
 public:
  virtual std::unique_ptr<Election> Create(const PluginConfig& config, Host* host,
                                           Status* status) = 0;
};

}  // namespace zk
