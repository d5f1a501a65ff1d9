// Factory and keys of the raft election plugin (README.md "Keys").
#include "zk/plugin.h"

#include <memory>
#include <string>
#include <vector>

#include "raft_election.h"

namespace zk::election_raft {
namespace {

class RaftElectionFactory final : public ElectionFactory {
 public:
  std::vector<KeySpec> Keys() const override {
    return {
        {"electionTimeoutMs", KeySpec::Type::kInt, "0",
         "Raft election timeout in ms; each follower waits a random time in [T, 2T] without a "
         "leader before it campaigns. 0 = max(200, tickTime/10)."},
        {"heartbeatTimeoutMs", KeySpec::Type::kInt, "0",
         "Leader heartbeat interval in ms (must be below the election timeout). "
         "0 = electionTimeoutMs/5."},
        {"snapshotTrailing", KeySpec::Type::kInt, "2048",
         "Log entries kept after a snapshot, so a lagging follower catches up from the log "
         "instead of receiving the whole snapshot."},
        {"snapshotLogBytes", KeySpec::Type::kInt, "67108864",
         "Also take a snapshot once this many bytes of log entries were applied since the "
         "last one (besides snapCount entries): libraft keeps that log in memory. "
         "0 = entries only."},
    };
  }

  std::unique_ptr<Election> Create(const PluginConfig& config, Host* host,
                                   Status* status) override {
    if (host == nullptr) {
      *status = Status::InvalidArgument("election.raft: a Host is required");
      return nullptr;
    }
    Settings s;
    s.election_timeout_ms = config.GetInt("electionTimeoutMs");
    s.heartbeat_timeout_ms = config.GetInt("heartbeatTimeoutMs");
    s.snapshot_trailing =
        config.GetString("snapshotTrailing").empty() ? 2048 : config.GetInt("snapshotTrailing");
    s.snapshot_log_bytes = config.GetString("snapshotLogBytes").empty()
                               ? s.snapshot_log_bytes
                               : config.GetInt("snapshotLogBytes");
    if (s.snapshot_log_bytes < 0) {
      *status = Status::InvalidArgument("election.raft.snapshotLogBytes: expected >= 0, got " +
                                        std::to_string(s.snapshot_log_bytes));
      return nullptr;
    }
    if (s.election_timeout_ms < 0 || s.election_timeout_ms > 600000) {
      *status = Status::InvalidArgument(
          "election.raft.electionTimeoutMs: expected 0 (derived) or 1..600000, got " +
          std::to_string(s.election_timeout_ms));
      return nullptr;
    }
    if (s.heartbeat_timeout_ms < 0 || s.heartbeat_timeout_ms > 600000) {
      *status = Status::InvalidArgument(
          "election.raft.heartbeatTimeoutMs: expected 0 (derived) or 1..600000, got " +
          std::to_string(s.heartbeat_timeout_ms));
      return nullptr;
    }
    if (s.snapshot_trailing < 0 || s.snapshot_trailing > (int64_t{1} << 30)) {
      *status = Status::InvalidArgument("election.raft.snapshotTrailing: expected 0..2^30, got " +
                                        std::to_string(s.snapshot_trailing));
      return nullptr;
    }
    *status = Status::OK();
    return std::make_unique<RaftElection>(host, s);
  }
};

}  // namespace
}  // namespace zk::election_raft

ZK_DEFINE_PLUGIN("election", "raft", "0.1.0", zk::election_raft::RaftElectionFactory)
