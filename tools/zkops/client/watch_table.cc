#include "client/watch_table.h"

namespace zkops::client {

using zk::proto::ErrorCode;
using zk::proto::EventType;

void WatchTable::Register(WatchKind kind, const std::string& path, ErrorCode err) {
  const bool ok = err == ErrorCode::kOk;
  switch (kind) {
    case WatchKind::kNone:
      return;
    case WatchKind::kData:
      if (ok) data_.insert(path);
      return;
    case WatchKind::kExists:  // ExistsWatchRegistration: data watch if found, exist if not
      if (ok) data_.insert(path);
      if (err == ErrorCode::kNoNode) exist_.insert(path);
      return;
    case WatchKind::kChild:
      if (ok) child_.insert(path);
      return;
    case WatchKind::kPersistent:
      if (ok) persistent_.insert(path);
      return;
    case WatchKind::kPersistentRecursive:
      if (ok) persistent_recursive_.insert(path);
      return;
  }
}

bool WatchTable::Materialize(EventType type, const std::string& path) {
  bool hit = false;
  auto take = [&](std::set<std::string>& s) { hit |= s.erase(path) > 0; };
  switch (type) {
    case EventType::kNone:
      return true;  // connection state: always the default watcher
    case EventType::kNodeDataChanged:
    case EventType::kNodeCreated:
      take(data_);
      take(exist_);
      break;
    case EventType::kNodeChildrenChanged:
      take(child_);
      break;
    case EventType::kNodeDeleted:
      take(data_);
      take(exist_);
      take(child_);
      break;
    default:
      return false;  // the server never sends the *WatchRemoved types
  }
  // Persistent watches stay; a recursive one on the path or any ancestor also matches
  // (ZKWatchManager.addPersistentWatches with PathParentIterator).
  if (persistent_.count(path) != 0) hit = true;
  std::string p = path;
  while (!hit) {
    if (persistent_recursive_.count(p) != 0) hit = true;
    if (p == "/" || p.empty()) break;
    size_t slash = p.rfind('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  return hit;
}

bool WatchTable::Contains(const std::string& path, int32_t watcher_type) const {
  const bool child = child_.count(path) != 0;
  const bool data = data_.count(path) != 0 || exist_.count(path) != 0;
  const bool persistent = persistent_.count(path) != 0 || persistent_recursive_.count(path) != 0;
  switch (watcher_type) {
    case zk::proto::kWatcherTypeChildren:
      return child || persistent;
    case zk::proto::kWatcherTypeData:
      return data || persistent;
    default:
      return child || data || persistent;
  }
}

bool WatchTable::Remove(const std::string& path, int32_t watcher_type, bool local,
                        ErrorCode server_err, RemovedWatches* removed) {
  *removed = {};
  if (server_err != ErrorCode::kOk && !local) return false;
  auto drop = [&](std::set<std::string>& s) { return s.erase(path) > 0; };
  bool any = false;
  if (watcher_type == zk::proto::kWatcherTypeChildren ||
      watcher_type == zk::proto::kWatcherTypeAny) {
    if (drop(child_)) removed->child = any = true;
  }
  if (watcher_type == zk::proto::kWatcherTypeData || watcher_type == zk::proto::kWatcherTypeAny) {
    bool d = drop(data_);
    d = drop(exist_) || d;
    if (d) removed->data = any = true;
  }
  if (watcher_type == zk::proto::kWatcherTypeAny) {
    bool p = drop(persistent_);
    p = drop(persistent_recursive_) || p;
    if (p) removed->persistent = any = true;
  }
  return any;
}

bool WatchTable::empty() const {
  return data_.empty() && exist_.empty() && child_.empty() && persistent_.empty() &&
         persistent_recursive_.empty();
}

void WatchTable::FillSetWatches(zk::proto::SetWatchesRequest* req) const {
  req->data_watches.assign(data_.begin(), data_.end());
  req->exist_watches.assign(exist_.begin(), exist_.end());
  req->child_watches.assign(child_.begin(), child_.end());
  req->persistent_watches.assign(persistent_.begin(), persistent_.end());
  req->persistent_recursive_watches.assign(persistent_recursive_.begin(),
                                           persistent_recursive_.end());
}

}  // namespace zkops::client
