// The client's own record of the watches it set, as ZKWatchManager keeps it in the Java
// client: which notifications reach the application, what removeWatches removes, and what
// SetWatches re-arms after a reconnect. zkCli uses one watcher object for every watch, so a
// path is either watched or not (no per-watcher sets) and an event is delivered at most once.
// Not thread-safe: ZkClient guards it with its mutex.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "proto/records.h"

namespace zkops::client {

// What a successful (or NoNode, for exists) request registers (WatchRegistration kinds).
enum class WatchKind { kNone, kData, kExists, kChild, kPersistent, kPersistentRecursive };

// Event types the client itself generates when removeWatches succeeds.
struct RemovedWatches {
  bool child = false;       // ChildWatchRemoved
  bool data = false;        // DataWatchRemoved
  bool persistent = false;  // PersistentWatchRemoved
};

class WatchTable {
 public:
  // Records the watch a request asked for, given the reply's error code: data/child/persistent
  // watches only on success, an exists watch also on NoNode (then it waits for NodeCreated).
  void Register(WatchKind kind, const std::string& path, zk::proto::ErrorCode err);

  // Consumes the one-shot watches an event fires and tells whether any watch (or, for
  // connection-state events, the default watcher) wants it. ZKWatchManager.materialize.
  bool Materialize(zk::proto::EventType type, const std::string& path);

  // removeWatches(path, type, local): true if something matched (then *removed says which
  // event types to deliver). server_err is the server's answer; unless `local`, a server error
  // leaves the table untouched (ZKWatchManager.removeWatches).
  bool Remove(const std::string& path, int32_t watcher_type, bool local,
              zk::proto::ErrorCode server_err, RemovedWatches* removed);
  // True if any watch of that type exists on path (containsWatcher).
  bool Contains(const std::string& path, int32_t watcher_type) const;

  bool empty() const;
  bool has_persistent() const { return !persistent_.empty() || !persistent_recursive_.empty(); }
  // Fills the lists of a SetWatches(2) request (paths as given to Register).
  void FillSetWatches(zk::proto::SetWatchesRequest* req) const;

 private:
  std::set<std::string> data_, exist_, child_, persistent_, persistent_recursive_;
};

}  // namespace zkops::client
