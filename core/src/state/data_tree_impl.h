// Internals of DataTree shared by its .cc files (data_tree.cc: structure and queries,
// data_tree_write.cc: writes, data_tree_read.cc: reads, snapshot.cc: Serialize/Digest,
// quota.cc: /zookeeper/quota bookkeeping). Not part of the API.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "state/acl_cache.h"
#include "state/data_tree.h"

namespace zk::state {

enum class NodeKind : uint8_t { kPersistent = 0, kEphemeral = 1, kContainer = 2, kTtl = 3 };

// One znode. Kept small (the memory target is a fraction of ZooKeeper's): the ACL is an id
// into AclCache, children are an intrusive doubly linked list (no per-node container), and
// the client-visible Stat is derived on demand (FillStat).
struct Node {
  std::string path;  // the key; never changed while the node is in the set
  std::string data;
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime = 0;
  int64_t mtime = 0;
  int64_t pzxid = 0;
  int64_t owner = 0;  // persisted ephemeralOwner: session, kContainerOwner or TTL marker
  int32_t version = 0;
  int32_t cversion = 0;  // persisted as ZooKeeper does: the number of child creations
  int32_t aversion = 0;
  uint32_t acl = 0;  // AclCache id; the node holds one reference
  int32_t num_children = 0;
  NodeKind kind = NodeKind::kPersistent;
  bool data_null = false;  // created or set with a null buffer (getData answers null)
  Node* first_child = nullptr;
  Node* prev_sibling = nullptr;
  Node* next_sibling = nullptr;
};

// noexcept hashers are "fast" to libstdc++, which then stores no hash code per element
// (8 bytes a znode); rehashing recomputes them, which is rare.
struct NodeHash {
  using is_transparent = void;
  size_t operator()(std::string_view p) const noexcept { return std::hash<std::string_view>()(p); }
  size_t operator()(const Node& n) const noexcept { return (*this)(std::string_view(n.path)); }
};
struct NodeEq {
  using is_transparent = void;
  static std::string_view Key(std::string_view p) { return p; }
  static std::string_view Key(const Node& n) { return n.path; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return Key(a) == Key(b);
  }
};
// Elements of an unordered_set are const to protect the key; we never change `path`, so the
// other fields are changed through Mut().
using NodeSet = std::unordered_set<Node, NodeHash, NodeEq>;
inline Node* Mut(const Node& n) { return const_cast<Node*>(&n); }

// The state of one node before a change inside a multi, to roll the multi back.
struct NodeImage {
  std::string path;
  bool existed = false;
  // Only cversion and pzxid were saved: a parent whose child was created or deleted. Its data
  // (up to 1 MB) is not copied.
  bool child_stat_only = false;
  Node copy;  // links unused; unless child_stat_only, copy.acl holds its own AclCache
              // reference while existed
};

struct DataTree::Impl {
  NodeSet nodes;
  Node* root = nullptr;
  AclCache acls;
  std::map<int64_t, std::set<std::string_view>> ephemerals;  // views into Node::path
  std::set<std::string_view> containers;
  std::set<std::string_view> ttls;
  size_t ephemeral_count = 0;
  int64_t data_size = 0;
  int64_t last_zxid = 0;
  bool skip_acl = false;
  // Paths that have a /zookeeper/quota/<path>/zookeeper_limits node (ZooKeeper's pTrie).
  std::set<std::string, std::less<>> quota_paths;
  mutable std::optional<uint64_t> digest;

  Impl();
  void InitFresh();

  Node* Find(std::string_view path);
  const Node* Find(std::string_view path) const;
  // Adds `proto_node` (links ignored) under `parent`, which must exist. Takes over the ACL
  // reference in proto_node.acl. Maintains the session/container/TTL indexes and data size,
  // not the parent's stat.
  Node* Insert(Node proto_node, Node* parent);
  // Removes `n` (no children) from `parent`. Releases its ACL reference. Not the parent's stat.
  void Erase(Node* n, Node* parent);
  void SetData(Node* n, std::string data);

  void FillStat(const Node& n, proto::Stat* stat) const;
  std::vector<std::string> Children(const Node& n) const;
  bool Allowed(const Node& n, int32_t perm, const AuthContext* auth,
               const std::string* super_digest) const;
  void Changed() { digest.reset(); }

  // Multi rollback support.
  NodeImage Capture(std::string_view path);
  NodeImage CaptureChildStat(const Node& n);
  void Restore(NodeImage* image);
  void Drop(NodeImage* image);

  // quota.cc: ZooKeeper's DataTree quota bookkeeping; `undo` (may be null) receives images of
  // the stat nodes it changes.
  void QuotaOnCreate(std::string_view path, int64_t bytes, std::vector<NodeImage>* undo);
  void QuotaOnDelete(std::string_view path, int64_t bytes, std::vector<NodeImage>* undo);
  void QuotaOnSetData(std::string_view path, int64_t bytes_diff, std::vector<NodeImage>* undo);
  void RebuildQuotas();
};

// Reported Stat.ephemeralOwner: only session-owned nodes show an owner (DataNode.copyStat).
inline int64_t ClientOwner(const Node& n) { return n.kind == NodeKind::kEphemeral ? n.owner : 0; }

// Java int arithmetic wraps; C++ signed overflow must not happen.
inline int32_t WrapAdd(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

}  // namespace zk::state
