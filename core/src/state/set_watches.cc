#include "state/set_watches.h"

namespace zk::state {

void ApplySetWatches(const DataTree& tree, const proto::SetWatchesRequest& req, WatcherId w,
                     WatchManager* watches,
                     std::vector<std::pair<WatcherId, proto::WatcherEvent>>* out) {
  auto fire = [&](proto::EventType type, const std::string& path) {
    out->emplace_back(w, proto::WatcherEvent{type, proto::KeeperState::kSyncConnected, path});
  };
  proto::Stat stat;
  for (const std::string& path : req.data_watches) {
    if (!tree.GetStat(path, &stat)) {
      fire(proto::EventType::kNodeDeleted, path);
    } else if (stat.mzxid > req.relative_zxid) {
      fire(proto::EventType::kNodeDataChanged, path);
    } else {
      watches->AddDataWatch(path, w);
    }
  }
  for (const std::string& path : req.exist_watches) {
    if (tree.Exists(path)) {
      fire(proto::EventType::kNodeCreated, path);
    } else {
      watches->AddDataWatch(path, w);
    }
  }
  for (const std::string& path : req.child_watches) {
    if (!tree.GetStat(path, &stat)) {
      fire(proto::EventType::kNodeDeleted, path);
    } else if (stat.pzxid > req.relative_zxid) {
      fire(proto::EventType::kNodeChildrenChanged, path);
    } else {
      watches->AddChildWatch(path, w);
    }
  }
  for (const std::string& path : req.persistent_watches) {
    watches->AddPersistentWatch(path, w, false);
  }
  for (const std::string& path : req.persistent_recursive_watches) {
    watches->AddPersistentWatch(path, w, true);
  }
}

}  // namespace zk::state
