// The znode tree: ZooKeeper's DataTree plus the checks of its PrepRequestProcessor, applied
// deterministically to one request at a time (DESIGN §3: every replica applies the same log
// entry and gets the same result). No I/O, no locks: one thread (the core loop) owns it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "proto/records.h"
#include "state/acl.h"
#include "state/trigger.h"
#include "zk/status.h"

namespace zk::state {

// What a write needs besides the request: the log entry's zxid and leader time, who sent it.
struct TxnContext {
  int64_t zxid = 0;
  int64_t time_ms = 0;                // leader time of the entry: ctime/mtime of what it writes
  int64_t session_id = 0;             // ephemeral owner of nodes it creates
  const AuthContext* auth = nullptr;  // nullptr: no identities at all
  const std::string* super_digest = nullptr;  // nullptr or "": no super user
  bool extended_types_enabled = false;        // zookeeper.extendedTypesEnabled (TTL nodes)
};

// The highest TTL ZooKeeper accepts (EphemeralType.TTL.maxValue(): 40 bits of milliseconds).
inline constexpr int64_t kMaxTtlMs = 0xFFFFFFFFFFLL;
// ephemeralOwner markers (EphemeralType): containers, and TTL nodes (0xFF high byte | ttl).
inline constexpr int64_t kContainerOwner = INT64_MIN;
inline constexpr uint64_t kTtlOwnerMask = 0xFF00000000000000ULL;

class DataTree {
 public:
  // A tree as a fresh ZooKeeper 3.8 has it: "/" (cversion -1), "/zookeeper" (cversion -2),
  // "/zookeeper/quota", "/zookeeper/config" (data empty, ACL world:anyone READ, aversion -1);
  // all zxids and times 0, ACLs world:anyone ALL unless stated.
  DataTree();
  ~DataTree();
  DataTree(DataTree&&) noexcept;
  DataTree& operator=(DataTree&&) noexcept;
  DataTree(const DataTree&) = delete;
  DataTree& operator=(const DataTree&) = delete;

  // Applies one write with ZooKeeper's checks in ZooKeeper's order and returns the reply's
  // error code; on kOk *resp holds the reply body and *triggers gets the watch triggers (in the
  // order ZooKeeper raises them), appended. On an error nothing changes and *resp is
  // EmptyResponse. Either way last_zxid() becomes at least ctx.zxid (ZooKeeper logs failed
  // writes too).
  // Ops: create 1, create2 15, createContainer 19, createTTL 21, delete 2, deleteContainer 20
  // (the ContainerManager's txn; DeleteRequest, version ignored), setData 5, setACL 7,
  // check 13, multi 14. Others return kUnimplemented.
  //   * multi: returns kOk (the reply header err stays 0, protocol.md §2.6); *resp is a
  //     MultiResponse. All-or-nothing: on a failing op every result is an error (earlier ops
  //     0, the failing op its code, later ops kRuntimeInconsistency) and nothing changes.
  //     As ZooKeeper's MultiOperationRecord does, a create's type comes from its flags
  //     (4 -> createContainer, 5/6 -> createTTL, else create; create2 answers like create).
  //     A non-write op inside, or TTL flags on a non-createTTL op, gives kMarshallingError for
  //     the whole request (EmptyResponse).
  //   * check at top level: ZooKeeper 3.8 accepts it as a txn but then fails to serialise the
  //     reply (NullPointerException) and the client gets no answer; we answer StatResponse.
  //   * createTTL with a non-TTL mode and no ttl crashes ZooKeeper 3.8; we say kBadArguments.
  // REQUIRES: triggers != nullptr, resp != nullptr.
  proto::ErrorCode ApplyWrite(const proto::Request& req, const TxnContext& ctx,
                              proto::ResponseBody* resp, std::vector<Trigger>* triggers);

  // Answers a read: exists 3 (no ACL check; a path with '\0' is kBadArguments), getData 4,
  // getACL 6 (needs READ or ADMIN; digest ids masked "user:x" without ADMIN), getChildren 8,
  // getChildren2 12, getAllChildrenNumber 104 (all descendants), getEphemerals 103 (the
  // session's ephemeral paths starting with the prefix, string prefix as in ZooKeeper; "" or "/"
  // = all; sorted), multiRead 22 (per-op results, errors independent; kMarshallingError if an
  // op is not getData/getChildren). Others return kUnimplemented. Children are sorted.
  // Watches are the caller's: on getData/getChildren/getChildren2 success add the watch; for
  // exists add a data watch on kOk and on kNoNode (ZooKeeper's DataTree.statNode), not on
  // kBadArguments. multiRead sets no watches.
  proto::ErrorCode Read(const proto::Request& req, const AuthContext& auth,
                        const std::string& super_digest, int64_t session_id,
                        proto::ResponseBody* resp) const;

  // Session closed or expired: deletes its ephemeral nodes in path order, each like a delete
  // (parent pzxid = zxid, NodeDeleted + NodeChildrenChanged triggers). ZooKeeper walks a
  // HashSet here, so its order is arbitrary; sorted order is our deterministic choice.
  void KillSession(int64_t session_id, int64_t zxid, int64_t time_ms,
                   std::vector<Trigger>* triggers);

  // ContainerManager.getCandidates: containers with no children whose cversion > 0 (they had
  // children once) or, if max_never_used_interval_ms != 0, never used and older than that
  // (now - mtime); TTL nodes with no children and now - mtime > ttl. Sorted. The caller turns
  // each into a deleteContainer (20) log entry.
  std::vector<std::string> CollectExpired(int64_t now_ms,
                                          int64_t max_never_used_interval_ms = 0) const;

  // Sets /zookeeper/config as ZKDatabase.initConfigInZKDatabase does: data, version -1,
  // mzxid = zxid (the config version), mtime = time_ms. Raises NodeDataChanged into *triggers
  // when given. Excluded from Digest() (the config is not replicated through the log).
  void SetConfig(std::string data, int64_t zxid, int64_t time_ms = 0,
                 std::vector<Trigger>* triggers = nullptr);

  // mntr zk_znode_count: ZooKeeper counts the root twice (it is mapped as "" and "/"), so a
  // fresh tree says 5. The number of znodes is node_count() - 1.
  size_t node_count() const;
  // mntr zk_approximate_data_size: sum over znodes of path length (UTF-16 units) + data
  // length; 44 for a fresh tree.
  int64_t approximate_data_size() const;
  size_t ephemeral_count() const;
  std::map<int64_t, std::set<std::string>> EphemeralsBySession() const;
  bool Exists(std::string_view path) const;
  // The client-visible Stat of `path`; false if there is no such node.
  bool GetStat(std::string_view path, proto::Stat* stat) const;
  // Highest zxid applied by ApplyWrite, KillSession or SetConfig (or restored by Deserialize).
  int64_t last_zxid() const;

  // zookeeper.skipACL: when true every ACL check passes. Default false.
  void set_skip_acl(bool skip);

  // Snapshot of the whole tree (nodes, ACLs, last_zxid) in a versioned binary format (see
  // snapshot.cc). Deterministic: the same tree gives the same bytes.
  std::string Serialize() const;
  // Replaces this tree with the snapshot's. On any malformed input returns Corruption naming
  // the byte offset and leaves the tree unchanged.
  Status Deserialize(std::string_view bytes);

  // Hash of (path, data, ACL, stat) over all nodes but /zookeeper/config, independent of
  // insertion order and ACL interning: equal trees give equal digests on every server.
  // O(size of the tree) after a change, cached until the next change.
  uint64_t Digest() const;

  struct Impl;  // data_tree_impl.h

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace zk::state
