// DataTree structure (nodes, links, indexes) and the queries that need no request.
#include "state/data_tree.h"

#include <algorithm>

#include "common/check.h"
#include "state/data_tree_impl.h"
#include "state/path.h"

namespace zk::state {
namespace {

constexpr std::string_view kConfigPath = "/zookeeper/config";

std::vector<proto::Acl> WorldAcl(int32_t perms) {
  return {proto::Acl{perms, proto::Id{"world", "anyone"}}};
}

}  // namespace

// ---- Impl: structure -----------------------------------------------------------------------

DataTree::Impl::Impl() { InitFresh(); }

void DataTree::Impl::InitFresh() {
  // DataTree's constructor: "/", "/zookeeper", "/zookeeper/quota" and "/zookeeper/config" are
  // linked without counting as child creations, hence the negative reported cversions.
  Node root_node;
  root_node.path = "/";
  root_node.acl = acls.Intern(WorldAcl(proto::kPermAll));
  root = Insert(std::move(root_node), nullptr);
  Node* parent = root;
  for (std::string_view path : {"/zookeeper", "/zookeeper/quota", "/zookeeper/config"}) {
    Node n;
    n.path = std::string(path);
    if (path == kConfigPath) {
      // ZOOKEEPER-2014: the config node is read-only for everyone; set with setACL(.., -1).
      n.acl = acls.Intern(WorldAcl(proto::kPermRead));
      n.aversion = -1;
    } else {
      n.acl = acls.Intern(WorldAcl(proto::kPermAll));
    }
    Node* added = Insert(std::move(n), parent);
    if (path == "/zookeeper") parent = added;
  }
}

Node* DataTree::Impl::Find(std::string_view path) {
  if (path.empty()) return root;  // ZooKeeper maps "" to the root as well
  auto it = nodes.find(path);
  return it == nodes.end() ? nullptr : Mut(*it);
}

const Node* DataTree::Impl::Find(std::string_view path) const {
  return const_cast<Impl*>(this)->Find(path);
}

Node* DataTree::Impl::Insert(Node proto_node, Node* parent) {
  proto_node.first_child = proto_node.prev_sibling = proto_node.next_sibling = nullptr;
  proto_node.num_children = 0;
  auto [it, inserted] = nodes.insert(std::move(proto_node));
  ZK_CHECK(inserted);
  Node* n = Mut(*it);
  if (parent != nullptr) {
    n->next_sibling = parent->first_child;
    if (parent->first_child != nullptr) parent->first_child->prev_sibling = n;
    parent->first_child = n;
    ++parent->num_children;
  }
  data_size += static_cast<int64_t>(Utf16Length(n->path) + n->data.size());
  switch (n->kind) {
    case NodeKind::kEphemeral:
      ephemerals[n->owner].insert(n->path);
      ++ephemeral_count;
      break;
    case NodeKind::kContainer:
      containers.insert(n->path);
      break;
    case NodeKind::kTtl:
      ttls.insert(n->path);
      break;
    case NodeKind::kPersistent:
      break;
  }
  Changed();
  return n;
}

void DataTree::Impl::Erase(Node* n, Node* parent) {
  ZK_CHECK(n->num_children == 0 && n != root);
  if (n->prev_sibling != nullptr) {
    n->prev_sibling->next_sibling = n->next_sibling;
  } else {
    parent->first_child = n->next_sibling;
  }
  if (n->next_sibling != nullptr) n->next_sibling->prev_sibling = n->prev_sibling;
  --parent->num_children;
  switch (n->kind) {
    case NodeKind::kEphemeral: {
      auto it = ephemerals.find(n->owner);
      if (it != ephemerals.end()) {
        ephemeral_count -= it->second.erase(n->path);
        if (it->second.empty()) ephemerals.erase(it);
      }
      break;
    }
    case NodeKind::kContainer:
      containers.erase(n->path);
      break;
    case NodeKind::kTtl:
      ttls.erase(n->path);
      break;
    case NodeKind::kPersistent:
      break;
  }
  acls.Release(n->acl);
  data_size -= static_cast<int64_t>(Utf16Length(n->path) + n->data.size());
  nodes.erase(nodes.find(std::string_view(n->path)));
  Changed();
}

void DataTree::Impl::SetData(Node* n, std::string data) {
  data_size += static_cast<int64_t>(data.size()) - static_cast<int64_t>(n->data.size());
  n->data = std::move(data);
  Changed();
}

void DataTree::Impl::FillStat(const Node& n, proto::Stat* stat) const {
  stat->czxid = n.czxid;
  stat->mzxid = n.mzxid;
  stat->ctime = n.ctime;
  stat->mtime = n.mtime;
  stat->version = n.version;
  // DataNode.copyStat: creations*2 - live children = creations + deletions.
  stat->cversion = static_cast<int32_t>(static_cast<uint32_t>(n.cversion) * 2u -
                                        static_cast<uint32_t>(n.num_children));
  stat->aversion = n.aversion;
  stat->ephemeral_owner = ClientOwner(n);
  stat->data_length = static_cast<int32_t>(n.data.size());
  stat->num_children = n.num_children;
  stat->pzxid = n.pzxid;
}

std::vector<std::string> DataTree::Impl::Children(const Node& n) const {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(n.num_children));
  for (const Node* c = n.first_child; c != nullptr; c = c->next_sibling) {
    out.emplace_back(BaseName(c->path));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool DataTree::Impl::Allowed(const Node& n, int32_t perm, const AuthContext* auth,
                             const std::string* super_digest) const {
  if (skip_acl) return true;
  static const AuthContext kNoIds;
  static const std::string kNoSuper;
  return CheckAcl(acls.Get(n.acl), perm, auth != nullptr ? *auth : kNoIds,
                  super_digest != nullptr ? *super_digest : kNoSuper);
}

NodeImage DataTree::Impl::Capture(std::string_view path) {
  NodeImage image;
  image.path = std::string(path);
  if (const Node* n = Find(path)) {
    image.existed = true;
    image.copy = *n;
    acls.AddRef(n->acl);
  }
  return image;
}

NodeImage DataTree::Impl::CaptureChildStat(const Node& n) {
  NodeImage image;
  image.path = n.path;
  image.existed = true;
  image.child_stat_only = true;
  image.copy.cversion = n.cversion;
  image.copy.pzxid = n.pzxid;
  return image;
}

void DataTree::Impl::Restore(NodeImage* image) {
  Node* cur = Find(image->path);
  if (image->child_stat_only) {
    ZK_CHECK(cur != nullptr);
    cur->cversion = image->copy.cversion;
    cur->pzxid = image->copy.pzxid;
    image->existed = false;
    Changed();
    return;
  }
  Node* parent = Find(ParentOf(image->path));
  if (!image->existed) {
    if (cur != nullptr) Erase(cur, parent);
    return;
  }
  image->existed = false;  // the image's ACL reference is handed over or released below
  if (cur == nullptr) {
    Insert(std::move(image->copy), parent);
    return;
  }
  ZK_CHECK(cur->kind == image->copy.kind && cur->owner == image->copy.owner);
  acls.Release(cur->acl);
  cur->acl = image->copy.acl;
  SetData(cur, std::move(image->copy.data));
  cur->data_null = image->copy.data_null;
  cur->czxid = image->copy.czxid;
  cur->mzxid = image->copy.mzxid;
  cur->ctime = image->copy.ctime;
  cur->mtime = image->copy.mtime;
  cur->pzxid = image->copy.pzxid;
  cur->version = image->copy.version;
  cur->cversion = image->copy.cversion;
  cur->aversion = image->copy.aversion;
  Changed();
}

void DataTree::Impl::Drop(NodeImage* image) {
  if (image->existed && !image->child_stat_only) acls.Release(image->copy.acl);
  image->existed = false;
}

// ---- DataTree: lifetime and queries --------------------------------------------------------

DataTree::DataTree() : impl_(std::make_unique<Impl>()) {}
DataTree::~DataTree() = default;
DataTree::DataTree(DataTree&&) noexcept = default;
DataTree& DataTree::operator=(DataTree&&) noexcept = default;

void DataTree::KillSession(int64_t session_id, int64_t zxid, int64_t time_ms,
                           std::vector<Trigger>* triggers) {
  Impl& t = *impl_;
  t.last_zxid = std::max(t.last_zxid, zxid);
  auto it = t.ephemerals.find(session_id);
  if (it == t.ephemerals.end()) return;
  const std::vector<std::string> paths(it->second.begin(), it->second.end());
  for (const std::string& path : paths) {
    Node* n = t.Find(path);
    Node* parent = t.Find(ParentOf(path));
    if (n == nullptr || parent == nullptr || n->num_children != 0) continue;
    // DataTree.deleteNode: the parent's pzxid only moves forward; cversion is untouched.
    parent->pzxid = std::max(parent->pzxid, zxid);
    const auto bytes = static_cast<int64_t>(n->data.size());
    t.Erase(n, parent);
    t.QuotaOnDelete(path, bytes, nullptr);
    triggers->push_back({path, proto::EventType::kNodeDeleted});
    triggers->push_back({std::string(ParentOf(path)), proto::EventType::kNodeChildrenChanged});
  }
}

std::vector<std::string> DataTree::CollectExpired(int64_t now_ms,
                                                  int64_t max_never_used_interval_ms) const {
  const Impl& t = *impl_;
  std::set<std::string_view> out;
  for (std::string_view path : t.containers) {
    const Node* n = t.Find(path);
    if (n == nullptr || n->num_children != 0) continue;
    // A container that never had a child is kept unless the never-used interval is set.
    if (n->cversion > 0 ||
        (max_never_used_interval_ms != 0 && now_ms - n->mtime > max_never_used_interval_ms)) {
      out.insert(path);
    }
  }
  for (std::string_view path : t.ttls) {
    const Node* n = t.Find(path);
    if (n == nullptr || n->num_children != 0) continue;
    const int64_t ttl = static_cast<int64_t>(static_cast<uint64_t>(n->owner) & kMaxTtlMs);
    if (ttl != 0 && now_ms - n->mtime > ttl) out.insert(path);
  }
  return {out.begin(), out.end()};
}

void DataTree::SetConfig(std::string data, int64_t zxid, int64_t time_ms,
                         std::vector<Trigger>* triggers) {
  Impl& t = *impl_;
  Node* n = t.Find(kConfigPath);
  ZK_CHECK(n != nullptr);
  const int64_t diff = static_cast<int64_t>(data.size()) - static_cast<int64_t>(n->data.size());
  t.SetData(n, std::move(data));
  n->version = -1;
  n->mzxid = zxid;
  n->mtime = time_ms;
  t.QuotaOnSetData(kConfigPath, diff, nullptr);
  t.last_zxid = std::max(t.last_zxid, zxid);
  if (triggers != nullptr) {
    triggers->push_back({std::string(kConfigPath), proto::EventType::kNodeDataChanged});
  }
}

size_t DataTree::node_count() const { return impl_->nodes.size() + 1; }
int64_t DataTree::approximate_data_size() const { return impl_->data_size; }
size_t DataTree::ephemeral_count() const { return impl_->ephemeral_count; }

std::map<int64_t, std::set<std::string>> DataTree::EphemeralsBySession() const {
  std::map<int64_t, std::set<std::string>> out;
  for (const auto& [session, paths] : impl_->ephemerals) {
    out[session] = std::set<std::string>(paths.begin(), paths.end());
  }
  return out;
}

bool DataTree::Exists(std::string_view path) const { return impl_->Find(path) != nullptr; }

bool DataTree::GetStat(std::string_view path, proto::Stat* stat) const {
  const Node* n = impl_->Find(path);
  if (n == nullptr) return false;
  impl_->FillStat(*n, stat);
  return true;
}

int64_t DataTree::last_zxid() const { return impl_->last_zxid; }
void DataTree::set_skip_acl(bool skip) { impl_->skip_acl = skip; }

}  // namespace zk::state
