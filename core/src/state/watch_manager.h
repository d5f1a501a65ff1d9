// Watches of all connections, as ZooKeeper 3.8's server keeps them: two tables (data watches
// and child watches, DataTree.dataWatches/childWatches), each mapping path -> watchers with a
// mode. No I/O, one thread (the core loop), deterministic output order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "proto/records.h"
#include "state/trigger.h"

namespace zk::state {

using WatcherId = uint64_t;  // a connection id

class WatchManager {
 public:
  // getData / exists watch. exists on a missing node is a data watch too (it fires
  // NodeCreated).
  void AddDataWatch(const std::string& path, WatcherId w);
  // getChildren / getChildren2 watch.
  void AddChildWatch(const std::string& path, WatcherId w);
  // addWatch (106): mode PERSISTENT or PERSISTENT_RECURSIVE, added to both tables as
  // ZooKeeper's DataTree.addWatch does. A one-shot watch and a persistent watch on the same
  // path coexist (ZooKeeper 3.8 lets the later one replace the earlier's mode, so a persistent
  // watch silently became one-shot after getData(watch=true): ZOOKEEPER-4466, fixed in 3.9;
  // we keep both, as 3.9 does).
  void AddPersistentWatch(const std::string& path, WatcherId w, bool recursive);

  // Delivers one trigger: appends (watcher, event) pairs and removes the one-shot watches it
  // fired (WatchManager.triggerWatch):
  //   NodeCreated, NodeDataChanged -> data table on the path;
  //   NodeDeleted                  -> data table, then child table (a watcher already notified
  //                                   by the data table gets no second event);
  //   NodeChildrenChanged          -> child table on the (parent) path.
  // In a table: one-shot and persistent watches on the path fire for every type;
  // persistent-recursive watches on the path or any ancestor fire for all types but
  // NodeChildrenChanged. A watcher gets at most one event per trigger. Events for different
  // watchers come in ascending WatcherId order (ZooKeeper's order is a HashSet's).
  void Trigger(const zk::state::Trigger& t,
               std::vector<std::pair<WatcherId, proto::WatcherEvent>>* out);

  // removeWatches (remove=true) / checkWatches (remove=false), `type` 1 children, 2 data,
  // 3 any (proto::kWatcherType*). A persistent watch lives in both tables, so it counts for
  // each type; removing it with type 1 or 2 removes only that table's half, as in ZooKeeper.
  // Returns false when `w` has no such watch on exactly `path` (the caller answers NoWatcher
  // -121) or `type` is unknown. (ZooKeeper 3.8's checkWatches answered true when any
  // connection watched the path; fixed upstream, we check this watcher.)
  bool RemoveWatches(const std::string& path, int32_t type, WatcherId w, bool remove);

  // The connection closed: drop all its watches.
  void RemoveWatcher(WatcherId w);

  // mntr zk_watch_count: entries in both tables (DataTree.getWatchCount).
  size_t watch_count() const;
  // wchs / wchc / wchp: like ZooKeeper 3.8 (DataTree.getWatchesSummary/getWatches/
  // getWatchesByPath), these report the data table only; child watches are not shown.
  size_t path_count() const;  // "<watchers> connections watching <paths> paths"
  size_t watcher_count() const;
  size_t data_watch_count() const;  // "Total watches:"
  std::map<WatcherId, std::set<std::string>> ByWatcher() const;
  std::map<std::string, std::set<WatcherId>> ByPath() const;

 private:
  enum : uint8_t { kStandard = 1, kPersistent = 2, kRecursive = 4 };
  struct PathHash {
    using is_transparent = void;
    size_t operator()(std::string_view p) const { return std::hash<std::string_view>()(p); }
  };
  struct Table {
    // path -> watcher -> mode bits. std::map keeps watchers ordered for deterministic output.
    std::unordered_map<std::string, std::map<WatcherId, uint8_t>, PathHash, std::equal_to<>>
        by_path;
    // watcher -> paths it watches (views into by_path's keys, which are stable).
    std::unordered_map<WatcherId, std::unordered_set<std::string_view>> by_watcher;
    size_t entries = 0;
    size_t recursive = 0;  // entries with kRecursive: only then do ancestors matter

    void Add(const std::string& path, WatcherId w, uint8_t mode);
    // Removes the (path, w) entry whatever its modes; false if there was none.
    bool Remove(const std::string& path, WatcherId w);
    bool Has(const std::string& path, WatcherId w) const;
    void RemoveWatcher(WatcherId w);
    // Collects the watchers `type` fires on `path` (sorted, unique), consuming one-shots.
    std::vector<WatcherId> Fire(const std::string& path, proto::EventType type);
  };

  Table data_;
  Table child_;
};

}  // namespace zk::state
