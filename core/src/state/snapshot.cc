// DataTree snapshot format, digest.
//
// Snapshot layout (all integers big-endian, like jute; str = u32 length + bytes):
//   "ZKOPSNAP" u32 format_version i64 last_zxid
//   u32 acl_count { u32 entries { i32 perms str scheme str id } }
//   u64 node_count { str path str data u32 acl_index i64 czxid i64 mzxid i64 ctime
//                    i64 mtime i64 pzxid i64 ephemeral_owner i32 version i32 cversion
//                    i32 aversion u8 kind }        nodes in byte order of path (parents first)
//   u64 checksum                                   Hasher over every byte before it
// Format versions:
//   1: the layout above (cversion as ZooKeeper persists it: the count of child creations).
#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "state/data_tree.h"
#include "state/data_tree_impl.h"
#include "state/hash.h"
#include "state/path.h"

namespace zk::state {
namespace {

// Top bit of a node's kind byte: the node holds null data (ZooKeeper keeps null apart from
// empty). Format version 1 had no nodes with it set, so old snapshots read the same.
constexpr uint8_t kNullData = 0x80;

constexpr std::string_view kMagic = "ZKOPSNAP";
constexpr uint32_t kFormatVersion = 1;
constexpr std::string_view kConfigPath = "/zookeeper/config";

class SnapWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U32(uint32_t v) { Be(v, 4); }
  void I32(int32_t v) { Be(static_cast<uint32_t>(v), 4); }
  void U64(uint64_t v) { Be(v, 8); }
  void I64(int64_t v) { Be(static_cast<uint64_t>(v), 8); }
  void Str(std::string_view s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.append(s);
  }
  void Raw(std::string_view s) { out_.append(s); }
  std::string& out() { return out_; }
  void Reserve(size_t n) { out_.reserve(n); }

 private:
  void Be(uint64_t v, int bytes) {
    char buf[8];
    for (int i = 0; i < bytes; ++i) buf[i] = static_cast<char>(v >> (8 * (bytes - 1 - i)));
    out_.append(buf, bytes);
  }
  std::string out_;
};

class SnapReader {
 public:
  explicit SnapReader(std::string_view in) : in_(in) {}

  bool U8(uint8_t* v, const char* what) {
    uint64_t x = 0;
    if (!Be(1, &x, what)) return false;
    *v = static_cast<uint8_t>(x);
    return true;
  }
  bool U32(uint32_t* v, const char* what) {
    uint64_t x = 0;
    if (!Be(4, &x, what)) return false;
    *v = static_cast<uint32_t>(x);
    return true;
  }
  bool I32(int32_t* v, const char* what) {
    uint32_t x = 0;
    if (!U32(&x, what)) return false;
    *v = static_cast<int32_t>(x);
    return true;
  }
  bool U64(uint64_t* v, const char* what) { return Be(8, v, what); }
  bool I64(int64_t* v, const char* what) {
    uint64_t x = 0;
    if (!Be(8, &x, what)) return false;
    *v = static_cast<int64_t>(x);
    return true;
  }
  bool Str(std::string* s, const char* what) {
    const size_t at = pos_;
    uint32_t len;
    if (!U32(&len, what)) return false;
    if (len > in_.size() - pos_) {
      return Fail(std::string(what) + " length " + std::to_string(len) + " runs past the end", at);
    }
    s->assign(in_.substr(pos_, len));
    pos_ += len;
    return true;
  }
  // Records a failure at `at` and returns false.
  bool Fail(const std::string& msg, size_t at) {
    if (error_.empty()) error_ = "snapshot: " + msg + " at offset " + std::to_string(at);
    return false;
  }
  size_t pos() const { return pos_; }
  size_t remaining() const { return in_.size() - pos_; }
  const std::string& error() const { return error_; }

 private:
  bool Be(int bytes, uint64_t* v, const char* what) {
    if (remaining() < static_cast<size_t>(bytes)) {
      return Fail(std::string("truncated ") + what, pos_);
    }
    uint64_t x = 0;
    for (int i = 0; i < bytes; ++i) x = (x << 8) | static_cast<uint8_t>(in_[pos_ + i]);
    pos_ += bytes;
    *v = x;
    return true;
  }
  std::string_view in_;
  size_t pos_ = 0;
  std::string error_;
};

uint64_t Checksum(std::string_view bytes) {
  Hasher h(0x5A4B4F50534E4150ULL);
  h.AddBytes(bytes);
  return h.Finish();
}

bool OwnerMatchesKind(NodeKind kind, int64_t owner) {
  switch (kind) {
    case NodeKind::kPersistent:
      return owner == 0;
    case NodeKind::kEphemeral:
      return owner != 0;
    case NodeKind::kContainer:
      return owner == kContainerOwner;
    case NodeKind::kTtl:
      return (static_cast<uint64_t>(owner) & kTtlOwnerMask) == kTtlOwnerMask;
  }
  return false;
}

}  // namespace

std::string DataTree::Serialize() const {
  const Impl& t = *impl_;
  std::vector<const Node*> sorted;
  sorted.reserve(t.nodes.size());
  for (const Node& n : t.nodes) sorted.push_back(&n);
  std::sort(sorted.begin(), sorted.end(),
            [](const Node* a, const Node* b) { return a->path < b->path; });
  // ACL table indices in order of first use, so equal trees give equal bytes.
  std::unordered_map<uint32_t, uint32_t> index_of;
  std::vector<uint32_t> table;
  for (const Node* n : sorted) {
    if (index_of.emplace(n->acl, static_cast<uint32_t>(table.size())).second) {
      table.push_back(n->acl);
    }
  }
  SnapWriter w;
  // One allocation: the fixed part of a node is 73 bytes, plus its path and data.
  size_t total = 64 + table.size() * 64;
  for (const Node* n : sorted) total += 73 + n->path.size() + n->data.size();
  w.Reserve(total);
  w.Raw(kMagic);
  w.U32(kFormatVersion);
  w.I64(t.last_zxid);
  w.U32(static_cast<uint32_t>(table.size()));
  for (uint32_t id : table) {
    const std::vector<proto::Acl>& acl = t.acls.Get(id);
    w.U32(static_cast<uint32_t>(acl.size()));
    for (const proto::Acl& a : acl) {
      w.I32(a.perms);
      w.Str(a.id.scheme);
      w.Str(a.id.id);
    }
  }
  w.U64(sorted.size());
  for (const Node* n : sorted) {
    w.Str(n->path);
    w.Str(n->data);
    w.U32(index_of[n->acl]);
    w.I64(n->czxid);
    w.I64(n->mzxid);
    w.I64(n->ctime);
    w.I64(n->mtime);
    w.I64(n->pzxid);
    w.I64(n->owner);
    w.I32(n->version);
    w.I32(n->cversion);
    w.I32(n->aversion);
    // The kind byte's top bit marks null data (kNullData).
    w.U8(static_cast<uint8_t>(n->kind) | (n->data_null ? kNullData : 0));
  }
  w.U64(Checksum(w.out()));
  return std::move(w.out());
}

Status DataTree::Deserialize(std::string_view bytes) {
  SnapReader r(bytes);
  if (bytes.substr(0, kMagic.size()) != kMagic) {
    r.Fail("bad magic (not a zkops snapshot)", 0);
    return Status::Corruption(r.error());
  }
  for (size_t i = 0; i < kMagic.size(); ++i) {
    uint8_t skip = 0;
    r.U8(&skip, "magic");
  }
  auto fail = [&r]() { return Status::Corruption(r.error()); };
  uint32_t version = 0;
  if (!r.U32(&version, "format version")) return fail();
  if (version != kFormatVersion) {
    r.Fail("unsupported format version " + std::to_string(version), r.pos() - 4);
    return fail();
  }
  auto fresh = std::make_unique<Impl>();
  Impl& t = *fresh;
  // Start from an empty tree: drop what InitFresh built.
  t.nodes.clear();
  t.acls = AclCache();
  t.root = nullptr;
  t.ephemerals.clear();
  t.containers.clear();
  t.ttls.clear();
  t.ephemeral_count = 0;
  t.data_size = 0;
  if (!r.I64(&t.last_zxid, "last zxid")) return fail();

  uint32_t acl_count = 0;
  if (!r.U32(&acl_count, "ACL count")) return fail();
  std::vector<uint32_t> acl_ids;
  for (uint32_t i = 0; i < acl_count; ++i) {
    uint32_t entries = 0;
    const size_t at = r.pos();
    if (!r.U32(&entries, "ACL entry count")) return fail();
    // Each entry needs at least 12 bytes: bound the count before reserving anything.
    if (entries > r.remaining() / 12) {
      r.Fail("ACL entry count " + std::to_string(entries) + " runs past the end", at);
      return fail();
    }
    std::vector<proto::Acl> acl(entries);
    for (proto::Acl& a : acl) {
      if (!r.I32(&a.perms, "ACL perms") || !r.Str(&a.id.scheme, "ACL scheme") ||
          !r.Str(&a.id.id, "ACL id")) {
        return fail();
      }
    }
    acl_ids.push_back(t.acls.Intern(acl));
  }

  uint64_t node_count = 0;
  const size_t count_at = r.pos();
  if (!r.U64(&node_count, "node count")) return fail();
  if (node_count > r.remaining() / 73) {  // the fixed part of a node is 73 bytes
    r.Fail("node count " + std::to_string(node_count) + " runs past the end", count_at);
    return fail();
  }
  std::string prev_path;
  for (uint64_t i = 0; i < node_count; ++i) {
    const size_t at = r.pos();
    Node n;
    uint32_t acl_index = 0;
    uint8_t kind = 0;
    if (!r.Str(&n.path, "node path") || !r.Str(&n.data, "node data") ||
        !r.U32(&acl_index, "node ACL index") || !r.I64(&n.czxid, "czxid") ||
        !r.I64(&n.mzxid, "mzxid") || !r.I64(&n.ctime, "ctime") || !r.I64(&n.mtime, "mtime") ||
        !r.I64(&n.pzxid, "pzxid") || !r.I64(&n.owner, "ephemeral owner") ||
        !r.I32(&n.version, "version") || !r.I32(&n.cversion, "cversion") ||
        !r.I32(&n.aversion, "aversion") || !r.U8(&kind, "node kind")) {
      return fail();
    }
    const bool null_data = (kind & kNullData) != 0;
    kind &= static_cast<uint8_t>(~kNullData);
    if (i == 0 ? n.path != "/" : (!ValidatePath(n.path) || n.path <= prev_path)) {
      r.Fail("bad or out-of-order node path \"" + n.path + "\"", at);
      return fail();
    }
    if (acl_index >= acl_ids.size()) {
      r.Fail("ACL index " + std::to_string(acl_index) + " out of range", at);
      return fail();
    }
    if (kind > static_cast<uint8_t>(NodeKind::kTtl) ||
        !OwnerMatchesKind(static_cast<NodeKind>(kind), n.owner)) {
      r.Fail("bad node kind " + std::to_string(kind) + " for owner " + std::to_string(n.owner), at);
      return fail();
    }
    n.kind = static_cast<NodeKind>(kind);
    n.data_null = null_data;
    Node* parent = nullptr;
    if (i > 0) {
      parent = t.Find(ParentOf(n.path));
      if (parent == nullptr || parent->kind == NodeKind::kEphemeral) {
        r.Fail("node \"" + n.path + "\" has no valid parent", at);
        return fail();
      }
    }
    n.acl = acl_ids[acl_index];
    t.acls.AddRef(n.acl);
    prev_path = n.path;
    Node* added = t.Insert(std::move(n), parent);
    if (i == 0) t.root = added;
  }
  for (uint32_t id : acl_ids) t.acls.Release(id);  // the table's own references
  for (std::string_view special : {"/zookeeper", "/zookeeper/quota", "/zookeeper/config"}) {
    if (t.Find(special) == nullptr) {
      r.Fail("missing " + std::string(special), r.pos());
      return fail();
    }
  }
  const size_t sum_at = r.pos();
  uint64_t stored = 0;
  if (!r.U64(&stored, "checksum")) return fail();
  if (r.remaining() != 0) {
    r.Fail(std::to_string(r.remaining()) + " unexpected trailing bytes", r.pos());
    return fail();
  }
  if (stored != Checksum(bytes.substr(0, sum_at))) {
    r.Fail("checksum mismatch over bytes [0, " + std::to_string(sum_at) + ")", sum_at);
    return fail();
  }
  t.skip_acl = impl_->skip_acl;
  t.RebuildQuotas();
  t.Changed();
  impl_ = std::move(fresh);
  return Status::OK();
}

uint64_t DataTree::Digest() const {
  const Impl& t = *impl_;
  if (t.digest) return *t.digest;
  std::unordered_map<uint32_t, uint64_t> acl_hash;
  uint64_t sum = 0;
  for (const Node& n : t.nodes) {
    if (n.path == kConfigPath) continue;
    auto [it, added] = acl_hash.emplace(n.acl, 0);
    if (added) {
      Hasher h;
      const std::vector<proto::Acl>& acl = t.acls.Get(n.acl);
      h.AddU64(acl.size());
      for (const proto::Acl& a : acl) {
        h.AddI64(a.perms);
        h.AddBytes(a.id.scheme);
        h.AddBytes(a.id.id);
      }
      it->second = h.Finish();
    }
    Hasher h;
    h.AddBytes(n.path);
    h.AddBytes(n.data);
    h.AddU64(it->second);
    for (int64_t v : {n.czxid, n.mzxid, n.ctime, n.mtime, n.pzxid, n.owner}) h.AddI64(v);
    for (int32_t v : {n.version, n.cversion, n.aversion}) h.AddI64(v);
    h.AddU64(static_cast<uint64_t>(n.kind) | (n.data_null ? kNullData : 0));
    h.AddI64(n.num_children);
    sum += h.Finish();  // a sum does not depend on the iteration order
  }
  t.digest = sum;
  return sum;
}

}  // namespace zk::state
