// The facts `zkops status` gathers: one ServerReport per probed server, and the ensemble
// verdict drawn from them. Plain values; built by interpret.h and assess.h, printed by
// render.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "status/target.h"

namespace zkops::status {

// What one server is doing, as seen from its client port (and AdminServer, if given).
// operations.md §8 lesson 1: down, up-but-not-serving, 4lw disabled and serving-as-<Mode> must
// stay apart.
enum class State {
  kDown,             // connection refused or unreachable
  kNoAnswer,         // connected, but no reply before the timeout (hung, SIGSTOPped)
  kUnrecognised,     // replied, but not as ZooKeeper does (another service on the port?)
  kNotServing,       // "This ZooKeeper instance is not currently serving requests"
  kFourLwDisabled,   // srvr refused by 4lw.commands.whitelist and no AdminServer to ask
  kLeader,
  kFollower,
  kObserver,
  kStandalone,
  kReadOnly,         // Mode: read-only (readonlymode.enabled, partitioned from the quorum)
};

// "down", "no answer", "unrecognised", "not serving", "4lw disabled", "leader", ...
const char* StateName(State state);
// Serving client requests (has a Mode).
bool IsServing(State state);
// Reached no ZooKeeper process at all (kDown, kNoAnswer).
bool IsUnreachable(State state);

struct Latency {
  double min = 0;
  double avg = 0;
  double max = 0;
  std::string text;  // as the server printed it: "0/0.4/7"
};

struct ServerReport {
  Target target;
  std::string name;  // target.name, else "server.<id>", else "#<index>"
  State state = State::kDown;
  std::string detail;  // why it is not serving, the error text, or ""

  // From srvr (or the AdminServer's srvr).
  std::optional<uint64_t> zxid;
  std::optional<int64_t> connections;
  std::optional<int64_t> outstanding;
  std::optional<Latency> latency;
  std::optional<int64_t> znode_count;
  std::string version;  // "3.8.0-<hash>" without ", built on ..."
  // From conf: serverId and the membership section (QuorumZooKeeperServer.dumpConf).
  std::optional<int64_t> server_id;
  std::optional<int> conf_voters;     // participants listed in membership
  std::optional<int> conf_observers;  // observers listed in membership
  // zknode's plugins, kind -> "name version" (mntr zk_plugin_<kind>, conf plugin.<kind>).
  // Apache ZooKeeper has none.
  std::map<std::string, std::string> plugins;

  // Filled by Assess: transactions behind the leader, when both zxids share an epoch.
  std::optional<uint64_t> lag;
  std::string lag_text;  // "0", "12", "epoch behind", "epoch ahead", "" (no leader)

  // How each question went: "srvr"/"mntr"/"conf"/"admin" -> "ok", "whitelist-denied",
  // "not-serving", "no-answer", "refused", "error: ...". Words not sent are absent.
  std::map<std::string, std::string> sources;
  // The raw "Key: value" (srvr), zk_key (mntr) and key=value (conf) fields.
  std::map<std::string, std::string> srvr_fields;
  std::map<std::string, std::string> mntr_fields;
  std::map<std::string, std::string> conf_fields;
  std::vector<std::string> notes;  // per-server remarks (id mismatch, mntr not whitelisted)
};

// Ensemble verdicts and `zkops status` exit codes (2 is kExitUsage, shared by all commands).
enum class Verdict : int {
  kHealthy = 0,       // every voter serving, exactly one leader (or one standalone server)
  kDegraded = 1,      // quorum holds and one leader, but some server is down or unknown
  kNoQuorum = 3,      // fewer voters serving than a quorum needs: the ensemble is not serving
  kInconsistent = 4,  // more than one leader, standalone servers mixed in, duplicate ids
  kUnreachable = 5,   // no server could be reached at all
};

const char* VerdictName(Verdict verdict);  // "healthy", "degraded", "no-quorum", ...
inline int ExitCodeFor(Verdict verdict) { return static_cast<int>(verdict); }

struct EnsembleStatus {
  std::vector<ServerReport> servers;  // in target order
  Verdict verdict = Verdict::kUnreachable;
  int voters = 0;                      // participants in the ensemble
  std::string voters_source;           // "conf" (membership) or "servers" (probed list)
  int quorum = 0;                      // voters / 2 + 1
  int serving_voters = 0;              // leader + followers (or the standalone server)
  int tolerated_failures = 0;          // serving_voters - quorum; < 0 means no quorum
  std::vector<std::string> leaders;    // names of servers in state leader
  std::string summary;                 // one line: the verdict's reason
  std::vector<std::string> notes;      // ensemble-wide remarks
};

}  // namespace zkops::status
