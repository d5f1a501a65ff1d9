// A recorded history of client operations against a ZooKeeper ensemble, read from JSON lines
// (format: tools/zkcheck/README.md). One Op joins an invocation with its completion; the
// checks in checker.h read it and never modify it.
#pragma once

#include <cstdint>
#include <istream>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "zk/status.h"

namespace zkcheck {

// Completion time of an op whose outcome is unknown (info, or no completion recorded): it may
// take effect at any point after its invocation, or never (Jepsen's :info).
inline constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
// A version or zxid the history does not give.
inline constexpr int64_t kUnknown = -1;

enum class OpType {
  kRead,        // getData / exists: may be stale (ZooKeeper reads are sequentially consistent)
  kSyncRead,    // sync then getData in the same session: linearizable
  kWrite,       // setData with version -1
  kCas,         // setData with an expected version
  kCreate,      // create (persistent or ephemeral)
  kCreateSeq,   // create with the SEQUENTIAL flag; key is the path prefix
  kDelete,      // delete (expected version optional)
  kCheck,       // a version check, only inside a multi
  kMulti,       // multi: sub_ops applied all or nothing
  kClose,       // closeSession
  kExpire,      // the client observed that its session expired (an event)
  kWatchEvent,  // a watch notification delivered to the client (an event)
};

enum class Outcome { kOk, kFail, kInfo };

// The name used in the history format ("read", "sync_read", ...).
const char* OpTypeName(OpType type);

// True for op types that change a znode (write, cas, create, create_seq, delete, multi).
bool IsMutating(OpType type);

struct SubOp {
  OpType type = OpType::kWrite;  // write, cas, create, create_seq, delete or check
  std::string key;
  std::optional<std::string> value;  // data written by create / write / cas
  int64_t expected_version = kUnknown;
  bool ephemeral = false;
  int64_t version = kUnknown;  // result: version after a write, if the harness gives it
  std::string path;            // result: created path (create_seq)
};

struct Op {
  int64_t id = 0;
  int64_t process = 0;
  std::string session;  // defaults to "p<process>"
  OpType type = OpType::kRead;
  Outcome outcome = Outcome::kInfo;
  std::string key;                    // znode path; create_seq: the prefix passed to create
  std::optional<std::string> value;   // write/cas/create: data written; read ok: data read
  bool exists = true;                 // read ok: false when the node did not exist
  int64_t expected_version = kUnknown;
  int64_t version = kUnknown;  // ok: version after a write / version read
  int64_t zxid = kUnknown;     // ok: zxid of the write, or mzxid returned by a read
  std::string path;            // create / create_seq ok: the created path
  bool ephemeral = false;      // create / create_seq
  bool watch = false;          // read: left a data watch on key
  std::string event;           // watch_event: NodeDataChanged, NodeDeleted, ...
  std::string error;           // fail: bad_version, no_node, node_exists, ...
  std::vector<SubOp> sub_ops;  // multi
  int64_t invoke_time = 0;
  int64_t complete_time = kNever;  // kNever unless ok or fail
  int invoke_line = 0;             // 1-based line numbers in the history file
  int complete_line = 0;           // 0 when there is no completion line
};

struct FinalNode {
  std::string value;
  int64_t version = kUnknown;
  int64_t mzxid = kUnknown;
  std::string ephemeral_owner;  // session id, empty for persistent nodes
};

// One server's tree after the faults healed. `nodes` must list every path the workload
// touched (a path it lacks is taken as absent); `digest` alone only takes part in the
// every-server-equal check.
struct FinalSnapshot {
  std::string server;
  std::optional<std::string> digest;
  bool has_nodes = false;
  std::map<std::string, FinalNode> nodes;
  int line = 0;
};

// The state of a register znode before the history starts ("phase":"init").
struct InitialNode {
  bool exists = true;
  std::string value;
  int64_t version = kUnknown;
  int64_t mzxid = kUnknown;
};

struct History {
  std::vector<Op> ops;  // in invocation order (line order of the invoke lines)
  std::vector<FinalSnapshot> finals;
  std::map<std::string, InitialNode> initial;
};

// Reads a JSON-lines history. Fails with InvalidArgument naming the line for malformed JSON,
// unknown phases or op types, a completion without an invocation, or a duplicated id.
// Invocations never completed become info. REQUIRES: out != nullptr.
zk::Status ParseHistory(std::istream& in, History* out);

// ZooKeeper prints zxids and session ids in hex ("0x100000009").
std::string Hex(int64_t value);

}  // namespace zkcheck
