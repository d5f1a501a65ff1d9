#include "server/sessions.h"

#include <climits>

#include "proto/jute.h"

namespace zk::server {

// Format: i32 n, then n × (i64 id, i32 timeout, buffer passwd); n < 0 marks the format with
// owners: -(count + 1) entries, each followed by i64 owner. Older snapshots (n >= 0) load with
// every owner unknown, on every replica alike.
void SessionTable::Serialize(std::string* out) const {
  proto::Writer w;
  w.WriteInt(-static_cast<int32_t>(sessions_.size()) - 1);
  for (const auto& [id, s] : sessions_) {
    w.WriteLong(id);
    w.WriteInt(s.timeout_ms);
    w.WriteBuffer(s.passwd);
    w.WriteLong(s.owner);
  }
  out->append(w.data());
}

Status SessionTable::Deserialize(std::string_view in, size_t* consumed) {
  proto::Reader r(in, 0x7fffffff);
  int32_t n = 0;
  if (!r.ReadInt(&n) || n == INT32_MIN) return Status::Corruption("snapshot: session table header");
  const bool with_owner = n < 0;
  const int64_t count = with_owner ? -static_cast<int64_t>(n) - 1 : n;
  if (static_cast<size_t>(count) > in.size()) {
    return Status::Corruption("snapshot: session table header");
  }
  sessions_.clear();
  for (int64_t i = 0; i < count; ++i) {
    Session s;
    if (!r.ReadLong(&s.id) || !r.ReadInt(&s.timeout_ms) || !r.ReadBuffer(&s.passwd) ||
        (with_owner && !r.ReadLong(&s.owner))) {
      return Status::Corruption("snapshot: session " + std::to_string(i));
    }
    sessions_[s.id] = std::move(s);
  }
  *consumed = r.position();
  return Status::OK();
}

void ExpiryTracker::Touch(int64_t id, int32_t timeout_ms, int64_t now_ms) {
  int64_t deadline = ((now_ms + timeout_ms) / tick_ms_ + 1) * tick_ms_;
  auto it = deadline_.find(id);
  if (it != deadline_.end()) {
    if (it->second == deadline) return;
    auto b = buckets_.find(it->second);
    if (b != buckets_.end()) {
      b->second.erase(id);
      if (b->second.empty()) buckets_.erase(b);
    }
    it->second = deadline;
  } else {
    deadline_.emplace(id, deadline);
  }
  buckets_[deadline].insert(id);
}

void ExpiryTracker::Remove(int64_t id) {
  auto it = deadline_.find(id);
  if (it == deadline_.end()) return;
  auto b = buckets_.find(it->second);
  if (b != buckets_.end()) {
    b->second.erase(id);
    if (b->second.empty()) buckets_.erase(b);
  }
  deadline_.erase(it);
}

std::vector<int64_t> ExpiryTracker::TakeExpired(int64_t now_ms) {
  std::vector<int64_t> out;
  while (!buckets_.empty() && buckets_.begin()->first <= now_ms) {
    for (int64_t id : buckets_.begin()->second) {
      out.push_back(id);
      deadline_.erase(id);
    }
    buckets_.erase(buckets_.begin());
  }
  return out;
}

int64_t InitialSessionId(uint64_t server_id, int64_t wall_ms) {
  uint64_t next = (static_cast<uint64_t>(wall_ms) << 24) >> 8;
  return static_cast<int64_t>(next | (server_id << 56));
}

}  // namespace zk::server
