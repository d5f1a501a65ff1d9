// Sessions (DESIGN §3): the table is replicated state (created and closed by log entries);
// the expiry tracker is local to the server that decides expiry (standalone, or the leader).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "zk/status.h"

namespace zk::server {

struct Session {
  int64_t id = 0;
  int32_t timeout_ms = 0;
  std::string passwd;
  // The server whose connection holds the session (its createSession or last re-attach);
  // -1 unknown (entries and snapshots written before owners were recorded). A write that
  // another server proposes for it fails as SessionMoved (ZooKeeper's SessionTracker).
  int64_t owner = -1;
};

// Replicated: the same on every server after the same log prefix. Core loop only.
class SessionTable {
 public:
  void Add(const Session& s) { sessions_[s.id] = s; }
  void Remove(int64_t id) { sessions_.erase(id); }
  void SetOwner(int64_t id, int64_t owner) {
    if (auto it = sessions_.find(id); it != sessions_.end()) it->second.owner = owner;
  }
  const Session* Find(int64_t id) const {
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : &it->second;
  }
  size_t size() const { return sessions_.size(); }
  const std::map<int64_t, Session>& all() const { return sessions_; }

  void Serialize(std::string* out) const;
  Status Deserialize(std::string_view in, size_t* consumed);

 private:
  std::map<int64_t, Session> sessions_;  // ordered: snapshots are byte-identical everywhere
};

// Expiry by tick buckets, as ZooKeeper's ExpiryQueue: a session's deadline is rounded up to
// the next multiple of the tick, so touches within one bucket cost nothing.
class ExpiryTracker {
 public:
  explicit ExpiryTracker(int64_t tick_ms) : tick_ms_(tick_ms > 0 ? tick_ms : 1) {}
  void Touch(int64_t id, int32_t timeout_ms, int64_t now_ms);
  void Remove(int64_t id);
  // Removes and returns the sessions whose deadline is <= now.
  std::vector<int64_t> TakeExpired(int64_t now_ms);
  void Clear() { deadline_.clear(); buckets_.clear(); }
  size_t size() const { return deadline_.size(); }

 private:
  int64_t tick_ms_;
  std::unordered_map<int64_t, int64_t> deadline_;
  std::map<int64_t, std::set<int64_t>> buckets_;
};

// ZooKeeper's SessionTrackerImpl.initializeNextSession: the server id in the top byte, the
// start time below it, so ids from different servers and restarts do not collide.
int64_t InitialSessionId(uint64_t server_id, int64_t wall_ms);

}  // namespace zk::server
