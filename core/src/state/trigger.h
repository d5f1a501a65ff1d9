// A watch trigger raised by a write: what ZooKeeper's DataTree passes to
// WatchManager.triggerWatch. The DataTree produces them; the WatchManager turns them into
// events for connections.
#pragma once

#include <string>

#include "proto/records.h"

namespace zk::state {

struct Trigger {
  std::string path;
  // kNodeCreated, kNodeDeleted, kNodeDataChanged or kNodeChildrenChanged.
  proto::EventType type = proto::EventType::kNone;
  bool operator==(const Trigger&) const = default;
};

}  // namespace zk::state
