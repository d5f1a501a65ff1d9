// setWatches (101) / setWatches2 (105): re-arms a reconnecting client's watches against the
// tree, firing at once what it missed (DataTree.setWatches, protocol.md §2.4).
#pragma once

#include <utility>
#include <vector>

#include "proto/records.h"
#include "state/data_tree.h"
#include "state/watch_manager.h"

namespace zk::state {

// For each data watch: node gone -> NodeDeleted, mzxid > relative_zxid -> NodeDataChanged,
// else re-armed. Exist watch: node present -> NodeCreated, else re-armed. Child watch: node
// gone -> NodeDeleted, pzxid > relative_zxid -> NodeChildrenChanged, else re-armed.
// Persistent and persistent-recursive watches are re-added. Events go to *out in request
// order. One thread, like DataTree and WatchManager.
void ApplySetWatches(const DataTree& tree, const proto::SetWatchesRequest& req, WatcherId w,
                     WatchManager* watches,
                     std::vector<std::pair<WatcherId, proto::WatcherEvent>>* out);

}  // namespace zk::state
